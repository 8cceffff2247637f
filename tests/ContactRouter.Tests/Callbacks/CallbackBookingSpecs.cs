using System.Net;
using Microsoft.Extensions.Time.Testing;
using static ContactRouter.Tests.Callbacks.CallbackCalls;

namespace ContactRouter.Tests.Callbacks;

/// <summary>The reception books a callback appointment: the earliest quarter with room, at home or at a neighbour that can serve.</summary>
public sealed class When_the_reception_books_a_callback : RouterSpec
{
    [Fact]
    public async Task Should_book_the_earliest_slot_from_now_on()
    {
        // Monday 10:00 in Amsterdam (09:00Z): the 10:00 slot itself.
        var booked = await _http.Booked("sociaal");
        booked.At("slotStart").Should().Be(Monday(9));
        booked.Str("centre").Should().Be("sociaal");
        booked.Str("homeCentre").Should().Be("sociaal");
        booked.Str("reason").Should().NotBeNullOrWhiteSpace();
        booked.Str("question").Should().Be(Question);
        booked.Str("caller").Should().Be(Caller);

        // At 10:05 the 10:00 slot has begun: the next quarter.
        _router.Time.Advance(TimeSpan.FromMinutes(5));
        (await _http.Booked("sociaal")).At("slotStart").Should().Be(Monday(9, 15));
    }

    [Fact]
    public async Task Should_normalise_the_callers_number_and_take_a_notBefore_a_moment_ago_as_now()
    {
        var response = await _http.Book("sociaal", notBefore: Monday(8, 59, 30), caller: "06-12345678");
        response.StatusCode.Should().Be(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var booked = await response.Json();
        booked.Str("caller").Should().Be(Caller);
        booked.At("notBefore").Should().Be(Monday(9), "half a minute ago is the desk's clock, not a booking in the past");
        booked.At("slotStart").Should().Be(Monday(9));
    }

    [Fact]
    public async Task Should_put_the_fifth_booking_of_a_slot_in_the_next_slot()
    {
        for (var i = 0; i < 4; i++) (await _http.Booked("sociaal", Monday(10))).At("slotStart").Should().Be(Monday(10));
        (await _http.Booked("sociaal", Monday(10))).At("slotStart").Should().Be(Monday(10, 15));
        // Another centre's slots are its own.
        (await _http.Booked("fysiek", Monday(10))).At("slotStart").Should().Be(Monday(10));
    }

    [Fact]
    public async Task Should_place_it_at_a_neighbour_whose_agents_hold_the_skill_when_home_is_full()
    {
        // Femke of Fysiek (a ring neighbour of Sociaal) knows Sociaal's domain; Bedrijfsvoering (the other neighbour) has nobody.
        await _http.AvailableAgent("femke", "fysiek", new { fysiek = 5, sociaal = 2 });
        await FillSociaalFrom11To1130();

        var booked = await _http.Booked("sociaal", Monday(10), Monday(10, 30));
        booked.Str("centre").Should().Be("fysiek");
        booked.Str("homeCentre").Should().Be("sociaal");
        booked.At("slotStart").Should().Be(Monday(10));
        booked.Str("reason").Should().Contain("fysiek").And.Contain("sociaal");
        (await _http.Callback(Id(booked))).Str("centre").Should().Be("fysiek");
        await using var db = _router.NewDbContext();
        db.Callbacks.Count(c => c.Centre == "fysiek").Should().Be(1);
    }

    [Fact]
    public async Task Should_refuse_with_alternatives_when_nothing_fits_the_window()
    {
        // Nobody at a neighbour holds a skill for Sociaal, and Sociaal's window is full.
        await _http.AvailableAgent("finn", "fysiek", new { fysiek = 5 });
        await FillSociaalFrom11To1130();

        var response = await _http.Book("sociaal", Monday(10), Monday(10, 30));
        var problem = await response.ShouldBeProblem(HttpStatusCode.Conflict, "notAfter");
        var alternatives = problem["alternatives"]!.AsArray();
        alternatives.Should().NotBeEmpty(problem.ToJsonString());
        alternatives.Select(a => a!.Str("centre")).Should().AllBe("sociaal");
        alternatives[0]!.At("slotStart").Should().Be(Monday(10, 30), "the earliest free slot after the full window");
        alternatives.Select(a => a!.At("slotStart")).Should().BeInAscendingOrder().And.OnlyContain(s => s >= Monday(10, 30));
        alternatives[0]!["free"]!.GetValue<int>().Should().Be(4);

        await using var db = _router.NewDbContext();
        db.Callbacks.Count().Should().Be(8, "nothing was booked");
    }

    [Fact]
    public async Task Should_book_once_and_answer_the_same_for_a_repeated_Idempotency_Key()
    {
        var first = await _http.Book("sociaal", Monday(10), idempotencyKey: "balie-3-17");
        first.StatusCode.Should().Be(HttpStatusCode.Created, await first.Content.ReadAsStringAsync());
        first.Headers.GetValues("Idempotent-Replayed").Should().Equal("false");
        var again = await _http.Book("sociaal", Monday(10), idempotencyKey: "balie-3-17");
        again.StatusCode.Should().Be(HttpStatusCode.Created, await again.Content.ReadAsStringAsync());
        again.Headers.GetValues("Idempotent-Replayed").Should().Equal("true");

        var (one, two) = (await first.Json(), await again.Json());
        Id(two).Should().Be(Id(one));
        two.At("slotStart").Should().Be(one.At("slotStart"));
        await using var db = _router.NewDbContext();
        db.Callbacks.Count().Should().Be(1);

        // Another key is another appointment.
        var other = await _http.Booked("sociaal", Monday(10), idempotencyKey: "balie-3-18");
        Id(other).Should().NotBe(Id(one));
    }

    [Fact]
    public async Task Should_promise_a_callback_within_two_working_days_when_no_notAfter_is_given()
    {
        var booked = await _http.Booked("sociaal");
        booked.At("notBefore").Should().Be(Monday(9));
        booked.At("notAfter").Should().Be(Utc(11, 25, 9), "Monday 10:00 + 2 working days = Wednesday 10:00");
    }

    [Fact]
    public async Task Should_list_the_days_callbacks_of_a_centre_in_slot_order()
    {
        var later = await _http.Booked("sociaal", Monday(13));
        var earlier = await _http.Booked("sociaal", Monday(10));
        await _http.Booked("fysiek", Monday(10));
        await _http.Booked("sociaal", Utc(11, 24, 10));   // tomorrow

        var list = (await _http.GetJson("/api/callbacks?centre=sociaal")).AsArray();
        list.Select(c => Id(c!)).Should().Equal(Id(earlier), Id(later));
        (await _http.GetJson("/api/callbacks?centre=sociaal&date=2026-11-24")).AsArray().Should().HaveCount(1);
        (await _http.GetJson("/api/callbacks")).AsArray().Should().HaveCount(3);
        await (await _http.GetAsync("/api/callbacks?centre=atlantis")).ShouldBeProblem(HttpStatusCode.BadRequest, "centre");
        await (await _http.GetAsync("/api/callbacks?date=23-11-2026")).ShouldBeProblem(HttpStatusCode.BadRequest, "date");
    }

    /// <summary>Sociaal's 11:00 and 11:15 slots (local), four each: the window 11:00–11:30 is full.</summary>
    private async Task FillSociaalFrom11To1130()
    {
        for (var i = 0; i < 8; i++)
            (await _http.Booked("sociaal", Monday(10), Monday(10, 30))).Str("centre").Should().Be("sociaal");
    }
}

/// <summary>Working days: a weekend does not count towards the two-day promise, and nobody calls outside opening hours.</summary>
public sealed class When_the_reception_books_a_callback_on_a_Friday_afternoon
{
    [Fact]
    public async Task Should_promise_it_by_Tuesday()
    {
        // Friday 27 November 2026, 14:00 in Amsterdam.
        await using var router = new RouterFactory(RouterFactory.NewStorePath(), new FakeTimeProvider(Utc(11, 27, 13)));
        var booked = await router.StaffClient().Booked("burgerzaken");
        booked.At("slotStart").Should().Be(Utc(11, 27, 13));
        booked.At("notAfter").Should().Be(Utc(12, 1, 13), "Friday 14:00 + 2 working days = Tuesday 14:00");
    }

    [Fact]
    public async Task Should_book_Monday_08_30_after_the_last_slot_of_Friday_has_begun()
    {
        // Friday 16:50 in Amsterdam: the last slot (16:45) has begun.
        await using var router = new RouterFactory(RouterFactory.NewStorePath(), new FakeTimeProvider(Utc(11, 27, 15, 50)));
        var late = await router.StaffClient().Booked("burgerzaken");
        late.At("slotStart").Should().Be(Utc(11, 30, 7, 30));
        late.At("notAfter").Should().Be(Utc(12, 1, 15, 50));
    }
}
