using System.Net;
using static ContactRouter.Tests.Callbacks.CallbackCalls;

namespace ContactRouter.Tests.Callbacks;

/// <summary>A booked appointment can be read and cancelled; a cancelled one frees its place in the slot.</summary>
public sealed class When_the_reception_reads_and_cancels_a_callback : RouterSpec
{
    [Fact]
    public async Task Should_show_it_booked_then_cancelled_and_refuse_a_second_cancel()
    {
        var booked = await _http.Booked("sociaal", Monday(10));
        var callbackId = Id(booked);

        var read = await _http.Callback(callbackId);
        read.Str("status").Should().Be("booked");
        read.Str("centre").Should().Be("sociaal");
        read.Str("question").Should().Be(Question);
        read.At("slotStart").Should().Be(Monday(10));
        read.At("nextAttemptAt").Should().Be(Monday(10), "the first attempt is due at the slot start");
        read["attempts"]!.GetValue<int>().Should().Be(0);
        read["atRisk"]!.GetValue<bool>().Should().BeFalse();

        var cancel = await _http.DeleteAsync($"/api/callbacks/{callbackId}");
        cancel.StatusCode.Should().Be(HttpStatusCode.OK, await cancel.Content.ReadAsStringAsync());
        (await cancel.Json()).Str("status").Should().Be("cancelled");
        (await _http.Callback(callbackId)).Str("status").Should().Be("cancelled");

        await (await _http.DeleteAsync($"/api/callbacks/{callbackId}")).ShouldBeProblem(HttpStatusCode.Conflict, "callbackId");
        (await _http.Centre("sociaal"))["callbacksOpen"]!.GetValue<int>().Should().Be(0);
    }

    [Fact]
    public async Task Should_give_the_cancelled_place_in_a_full_slot_to_the_next_booking()
    {
        var ids = new List<string>();
        for (var i = 0; i < 4; i++) ids.Add(Id(await _http.Booked("sociaal", Monday(10))));
        (await _http.DeleteAsync($"/api/callbacks/{ids[1]}")).StatusCode.Should().Be(HttpStatusCode.OK);

        (await _http.Booked("sociaal", Monday(10))).At("slotStart").Should().Be(Monday(10), "one of the four was cancelled");
        (await _http.Booked("sociaal", Monday(10))).At("slotStart").Should().Be(Monday(10, 15), "now the slot is full again");
    }

    [Fact]
    public async Task Should_not_cancel_a_callback_that_is_being_called()
    {
        var callbackId = Id(await _http.Booked("sociaal", Monday(9, 15)));
        _router.Time.AdvanceTo(Monday(9, 15));
        await _http.CallbackWhen(callbackId, "due");

        await (await _http.DeleteAsync($"/api/callbacks/{callbackId}")).ShouldBeProblem(HttpStatusCode.Conflict, "callbackId");
        (await _http.Callback(callbackId)).Str("status").Should().Be("due");
    }
}
