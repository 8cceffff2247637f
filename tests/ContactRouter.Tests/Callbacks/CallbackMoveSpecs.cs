using System.Net;
using System.Net.Http.Json;
using static ContactRouter.Tests.Callbacks.CallbackCalls;

namespace ContactRouter.Tests.Callbacks;

/// <summary>"Can you call me tomorrow instead?": reception moves a booked appointment to a new window.</summary>
public sealed class When_the_reception_moves_a_callback : RouterSpec
{
    private Task<HttpResponseMessage> Move(string callbackId, object window) => _http.PutAsJsonAsync($"/api/callbacks/{callbackId}/window", window);

    [Fact]
    public async Task Should_place_it_in_the_new_window_and_free_its_old_place()
    {
        var ids = new List<string>();
        for (var i = 0; i < 4; i++) ids.Add(Id(await _http.Booked("sociaal", Monday(10))));   // the 11:00 slot is full

        var moved = await Move(ids[0], new { notBefore = Monday(13), notAfter = Monday(14) });
        moved.StatusCode.Should().Be(HttpStatusCode.OK, await moved.Content.ReadAsStringAsync());
        var view = await moved.Json();
        view.Str("callbackId").Should().Be(ids[0], "it keeps its id, question and history");
        view.At("slotStart").Should().Be(Monday(13));
        view.At("nextAttemptAt").Should().Be(Monday(13));
        view.Str("question").Should().Be(Question);
        (await _http.Callback(ids[0])).At("slotStart").Should().Be(Monday(13));

        (await _http.Booked("sociaal", Monday(10))).At("slotStart").Should().Be(Monday(10), "the moved one's place is free again");
    }

    [Fact]
    public async Task Should_keep_its_own_place_when_moved_within_a_full_slot()
    {
        var ids = new List<string>();
        for (var i = 0; i < 4; i++) ids.Add(Id(await _http.Booked("sociaal", Monday(10))));

        var moved = await Move(ids[3], new { notBefore = Monday(10), notAfter = Monday(11) });

        moved.StatusCode.Should().Be(HttpStatusCode.OK, await moved.Content.ReadAsStringAsync());
        (await moved.Json()).At("slotStart").Should().Be(Monday(10), "its own place counts as free for itself");
    }

    [Fact]
    public async Task Should_take_times_without_a_day_like_a_booking()
    {
        var callbackId = Id(await _http.Booked("sociaal", Monday(10)));

        var moved = await Move(callbackId, new { from = "15:00", until = "16:00" });

        moved.StatusCode.Should().Be(HttpStatusCode.OK, await moved.Content.ReadAsStringAsync());
        (await moved.Json()).At("slotStart").Should().Be(Monday(14), "15:00 in Amsterdam is 14:00 UTC in November");
    }

    [Fact]
    public async Task Should_say_closed_for_a_weekend_and_leave_the_appointment_as_it_was()
    {
        var callbackId = Id(await _http.Booked("sociaal", Monday(10)));

        var problem = await (await Move(callbackId, new { notBefore = Utc(11, 28, 9), notAfter = Utc(11, 28, 11) }))
            .ShouldBeProblem(HttpStatusCode.Conflict, "notAfter");

        ((string?)problem["code"]).Should().Be("closed", "Saturday is closed, not full");
        (await _http.Callback(callbackId)).At("slotStart").Should().Be(Monday(10));
    }

    [Fact]
    public async Task Should_refuse_bad_input_an_unknown_one_and_one_being_called_and_change_nothing()
    {
        var callbackId = Id(await _http.Booked("sociaal", Monday(9, 15)));

        await (await Move(callbackId, new { from = "25:00" })).ShouldBeProblem(HttpStatusCode.BadRequest, "from");
        await (await Move(callbackId, new { from = "14:00", notBefore = Monday(13) })).ShouldBeProblem(HttpStatusCode.BadRequest, "from");
        await (await Move(callbackId, new { notBefore = Monday(12), notAfter = Monday(11) })).ShouldBeProblem(HttpStatusCode.BadRequest, "notAfter");
        await (await Move("nope", new { from = "14:00" })).ShouldBeProblem(HttpStatusCode.NotFound, "callbackId");
        (await _http.Callback(callbackId)).At("slotStart").Should().Be(Monday(9, 15));

        _router.Time.AdvanceTo(Monday(9, 15));
        await _http.CallbackWhen(callbackId, "due");
        var problem = await (await Move(callbackId, new { notBefore = Monday(13), notAfter = Monday(14) })).ShouldBeProblem(HttpStatusCode.Conflict, "callbackId");
        ((string?)problem["code"]).Should().Be("callback-not-booked");
        (await _http.Callback(callbackId)).Str("status").Should().Be("due");
    }
}
