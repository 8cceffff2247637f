using System.Net;
using ContactRouter.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static ContactRouter.Tests.Callbacks.CallbackCalls;

namespace ContactRouter.Tests.Callbacks;

/// <summary>The scheduler on the virtual clock: a booked appointment becomes an outbound call in its slot.</summary>
public sealed class When_a_callback_falls_due : RouterSpec
{
    [Fact]
    public Task Should_offer_the_call_with_the_question_and_end_done_when_reached() =>
        CallbackScenarios.A_booked_callback_is_made_in_its_slot_and_reached(_router, _http);

    [Fact]
    public Task Should_fill_slots_and_book_a_retried_request_once() =>
        CallbackScenarios.Slots_fill_up_and_a_retried_request_books_once(_router, _http);

    [Fact]
    public async Task Should_not_call_before_the_slot_and_call_at_its_start()
    {
        var callbackId = Id(await _http.Booked("sociaal", Monday(9, 15)));
        await _http.AvailableAgent("anna", "sociaal", new { sociaal = 5 });

        _router.Time.Advance(TimeSpan.FromMinutes(14) + TimeSpan.FromSeconds(45));   // 10:14:45 in Amsterdam
        await using (var scope = _router.Services.CreateAsyncScope())
            (await CallbackScheduler.RunOnce(scope.ServiceProvider, CancellationToken.None)).Should().Be(0, "the slot starts at 10:15");
        (await _http.Callback(callbackId)).Str("status").Should().Be("booked");
        (await _http.GetJson("/api/agents/anna"))["offer"].Should().BeNull();

        _router.Time.AdvanceTo(Monday(9, 15));
        await _http.OfferOf("anna", $"{callbackId}-1");
    }

    [Fact]
    public async Task Should_try_again_every_half_hour_and_fail_after_the_third_unanswered_call()
    {
        var callbackId = Id(await _http.Booked("sociaal", Monday(9, 15)));
        await _http.AvailableAgent("anna", "sociaal", new { sociaal = 5 });
        _router.Time.AdvanceTo(Monday(9, 15));

        for (var attempt = 1; attempt <= 3; attempt++)
        {
            var contactId = $"{callbackId}-{attempt}";
            (await _http.OfferOf("anna", contactId))["callback"]!["attempts"]!.GetValue<int>().Should().Be(attempt);
            await _http.Accept("anna", contactId);
            await _http.CallbackWhen(callbackId, "calling");
            await _http.Complete(contactId, "notreached");
            if (attempt == 3) break;

            var again = await _http.CallbackWhen(callbackId, "booked");
            again["attempts"]!.GetValue<int>().Should().Be(attempt);
            again.Str("outcome").Should().Be("notreached");
            await using (var db = _router.NewDbContext())
            {
                var row = await db.Callbacks.AsNoTracking().SingleAsync(c => c.Id == callbackId);
                again.At("nextAttemptAt").Should().Be(row.LastAttemptAt!.Value + TimeSpan.FromMinutes(30), "30 minutes after the call began");
            }
            again.At("nextAttemptAt").Should().BeOnOrAfter(Monday(9, 15).AddMinutes(30 * attempt))
                .And.BeOnOrBefore(Monday(9, 15).AddMinutes(30 * attempt).AddSeconds(15 * attempt));
            _router.Time.AdvanceTo(again.At("nextAttemptAt"));
        }

        var failed = await _http.CallbackWhen(callbackId, "failed");
        failed["attempts"]!.GetValue<int>().Should().Be(3);
        failed["nextAttemptAt"].Should().BeNull();
        var sociaal = await _http.Centre("sociaal");
        sociaal["callbacksFailed"]!.GetValue<int>().Should().Be(1);
        sociaal["callbacksOpen"]!.GetValue<int>().Should().Be(0);
        (await _http.Centre("fysiek"))["callbacksFailed"]!.GetValue<int>().Should().Be(0);
        await (await _http.DeleteAsync($"/api/callbacks/{callbackId}")).ShouldBeProblem(HttpStatusCode.Conflict, "callbackId");
    }

    [Fact]
    public async Task Should_be_made_by_the_neighbour_it_was_placed_at()
    {
        await _http.AvailableAgent("femke", "fysiek", new { fysiek = 5, sociaal = 2 });
        for (var i = 0; i < 4; i++) await _http.Booked("sociaal", Monday(9, 15), Monday(9, 30));
        var placed = await _http.Booked("sociaal", Monday(9, 15), Monday(9, 30));
        placed.Str("centre").Should().Be("fysiek");

        _router.Time.AdvanceTo(Monday(9, 15));
        var offer = await _http.OfferOf("femke", $"{Id(placed)}-1");
        offer.Str("homeCentre").Should().Be("sociaal");
        offer.Str("centre").Should().Be("fysiek");
        offer["callback"]!.Str("question").Should().Be(Question);
    }
}

/// <summary>Nobody calls outside opening hours: a retry that would fall after closing waits for the next opening.</summary>
public sealed class When_the_last_callback_of_the_day_is_not_reached
{
    [Fact]
    public async Task Should_try_again_at_08_30_the_next_working_day()
    {
        // Monday 16:40 in Amsterdam; the last slot of the day is 16:45.
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(Monday(15, 40));
        await using var router = new RouterFactory(RouterFactory.NewStorePath(), clock);
        var http = router.StaffClient();
        var booked = await http.Booked("fysiek");
        booked.At("slotStart").Should().Be(Monday(15, 45));
        var callbackId = Id(booked);
        await http.AvailableAgent("bram", "fysiek", new { fysiek = 4 });

        clock.AdvanceTo(Monday(15, 45));
        await http.OfferOf("bram", $"{callbackId}-1");
        await http.Accept("bram", $"{callbackId}-1");
        await http.Complete($"{callbackId}-1", "notreached");

        var again = await http.CallbackWhen(callbackId, "booked");
        again.At("nextAttemptAt").Should().Be(Utc(11, 24, 7, 30), "16:45 + 30 min is after closing; Tuesday 08:30 is the next opening");

        // The desk finds it under Tuesday, where the next call will happen, and still under Monday with its attempt.
        var tuesday = (await http.GetJson("/api/callbacks?date=2026-11-24")).AsArray();
        tuesday.Select(c => Id(c!)).Should().Equal(callbackId);
        tuesday[0]!.At("nextAttemptAt").Should().Be(Utc(11, 24, 7, 30));
        var monday = (await http.GetJson("/api/callbacks?date=2026-11-23")).AsArray();
        monday.Select(c => Id(c!)).Should().Equal(callbackId);
        monday[0]!["attempts"]!.GetValue<int>().Should().Be(1);
    }
}

/// <summary>A promise that will likely not be kept is reported in time, so someone can still act.</summary>
public sealed class When_nobody_is_available_for_a_callback_with_a_short_window : RouterSpec
{
    [Fact]
    public async Task Should_report_it_at_risk_when_less_than_30_minutes_are_left()
    {
        // 10:15–11:15 in Amsterdam; nobody at Sociaal to call.
        var callbackId = Id(await _http.Booked("sociaal", Monday(9, 15), Monday(10, 15)));

        _router.Time.AdvanceTo(Monday(9, 15));
        var due = await _http.CallbackWhen(callbackId, "due");
        due["atRisk"]!.GetValue<bool>().Should().BeFalse("a second attempt still fits before 11:15");
        var early = await _http.Centre("sociaal");
        early["callbacksOpen"]!.GetValue<int>().Should().Be(1);
        early["callbacksAtRisk"]!.GetValue<int>().Should().Be(0);

        _router.Time.AdvanceTo(Monday(9, 45));   // 10:45: half an hour left
        await Api.Eventually(() => _http.Centre("sociaal"), c => c["callbacksAtRisk"]!.GetValue<int>() == 1, "Sociaal to show one callback at risk");
        (await _http.Callback(callbackId))["atRisk"]!.GetValue<bool>().Should().BeTrue();
        (await _http.Centre("fysiek"))["callbacksAtRisk"]!.GetValue<int>().Should().Be(0);
    }
}

/// <summary>Appointments live in the store: they survive a restart, and those that fell due while the host was down are made when it comes back.</summary>
public sealed class When_the_host_was_down_when_a_callback_fell_due : IAsyncLifetime
{
    private readonly string _storePath = RouterFactory.NewStorePath();
    private readonly Microsoft.Extensions.Time.Testing.FakeTimeProvider _clock = RouterFactory.NewClock();
    private RouterFactory? _second;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_second is not null) await _second.DisposeAsync();
    }

    [Fact]
    public async Task Should_make_the_call_when_the_host_is_back()
    {
        string callbackId;
        await using (var first = new RouterFactory(_storePath, _clock))
        {
            var http = first.StaffClient();
            callbackId = Id(await http.Booked("sociaal", Monday(10)));
            (await http.Callback(callbackId)).Str("status").Should().Be("booked");
        }

        // Down from 10:00 to 12:00 in Amsterdam; the 11:00 slot passes meanwhile.
        _clock.Advance(TimeSpan.FromHours(2));
        _second = new RouterFactory(_storePath, _clock);
        var again = _second.StaffClient();

        var kept = await again.Callback(callbackId);
        kept.Str("question").Should().Be(Question);
        kept.At("slotStart").Should().Be(Monday(10));
        kept.Str("status").Should().BeOneOf("booked", "due");

        await again.AvailableAgent("anna", "sociaal", new { sociaal = 5 });
        var offer = await again.OfferOf("anna", $"{callbackId}-1");
        offer["callback"]!.Str("callbackId").Should().Be(callbackId);
        (await again.Callback(callbackId)).Str("status").Should().Be("due");
    }
}

/// <summary>
/// The callbacks' consumer lets every other contact's answer and completion pass without a look in the store: by its id
/// alone, which for a callback's attempt is the appointment's id and the attempt, and for a caller the API's 32 digits.
/// </summary>
public sealed class When_a_contact_may_be_a_callbacks_attempt
{
    [Fact]
    public void Should_be_told_apart_from_a_caller_by_its_id()
    {
        var appointment = MassTransit.NewId.NextSequentialGuid().ToString("N");
        CallbackScheduler.MayBeContactOfCallback(CallbackScheduler.ContactIdOf(appointment, 3)).Should().BeTrue();
        CallbackScheduler.MayBeContactOfCallback(MassTransit.NewId.NextSequentialGuid().ToString("N")).Should().BeFalse();
    }
}
