using System.Net;
using System.Net.Http.Json;
using static ContactRouter.Tests.Callbacks.CallbackCalls;

namespace ContactRouter.Tests.Callbacks;

/// <summary>Scenarios run on more than one store (SQLite and PostgreSQL), against a fresh host at <see cref="RouterFactory.NewClock"/>.</summary>
public static class CallbackScenarios
{
    /// <summary>
    /// Bookings on a Tuesday at Bedrijfsvoering: a slot takes four, the fifth goes to the next quarter, and the same
    /// request with the same Idempotency-Key books once. Tuesday, so nothing of it falls due while the clock runs on Monday.
    /// </summary>
    public static async Task Slots_fill_up_and_a_retried_request_books_once(RouterFactory router, HttpClient http)
    {
        var tuesday = Utc(11, 24, 9);   // 10:00 in Amsterdam
        for (var i = 0; i < 4; i++)
            (await http.Booked("bedrijfsvoering", tuesday)).At("slotStart").Should().Be(tuesday);
        (await http.Booked("bedrijfsvoering", tuesday)).At("slotStart").Should().Be(tuesday.AddMinutes(15), "the 10:00 slot holds four");

        var first = await http.Book("bedrijfsvoering", tuesday, idempotencyKey: "desk-1-0042");
        first.StatusCode.Should().Be(HttpStatusCode.Created, await first.Content.ReadAsStringAsync());
        first.Headers.GetValues("Idempotent-Replayed").Should().Equal("false");
        var again = await http.Book("bedrijfsvoering", tuesday, idempotencyKey: "desk-1-0042");
        again.StatusCode.Should().Be(HttpStatusCode.Created, await again.Content.ReadAsStringAsync());
        again.Headers.GetValues("Idempotent-Replayed").Should().Equal("true");
        Id(await again.Json()).Should().Be(Id(await first.Json()));

        await using var db = router.NewDbContext();
        db.Callbacks.Count(c => c.IdempotencyKey == "desk-1-0042").Should().Be(1);
        db.Callbacks.Count().Should().Be(6);
    }

    /// <summary>
    /// Booked for 10:15, the scheduler makes the call at 10:15 on the virtual clock: an outbound contact on the
    /// callback channel rings at an available agent of the centre, with the question; answered it is calling,
    /// reached it is done.
    /// </summary>
    public static async Task A_booked_callback_is_made_in_its_slot_and_reached(RouterFactory router, HttpClient http)
    {
        var slot = Monday(9, 15);   // 10:15 in Amsterdam
        var booked = await http.Booked("sociaal", slot);
        var callbackId = Id(booked);
        booked.Str("centre").Should().Be("sociaal");
        booked.At("slotStart").Should().Be(slot);
        (await http.Callback(callbackId)).Str("status").Should().Be("booked");

        await http.AvailableAgent("anna", "sociaal", new { sociaal = 5 });
        router.Time.AdvanceTo(slot);

        var contactId = $"{callbackId}-1";
        var offer = await http.OfferOf("anna", contactId);
        offer.Str("channel").Should().Be("callback");
        offer.Str("caller").Should().Be(Caller);
        offer["callback"]!.Str("callbackId").Should().Be(callbackId);
        offer["callback"]!.Str("question").Should().Be(Question);
        var due = await http.Callback(callbackId);
        due.Str("status").Should().Be("due");
        due["attempts"]!.GetValue<int>().Should().Be(1);

        await http.Accept("anna", contactId);
        await http.CallbackWhen(callbackId, "calling");

        // A callback call ends in reached or not reached, not in how an inbound question was resolved.
        await (await http.PostAsJsonAsync($"/api/contacts/{contactId}/complete", new { outcome = "resolved" }))
            .ShouldBeProblem(HttpStatusCode.BadRequest, "outcome");
        (await http.GetJson($"/api/contacts/{contactId}")).Str("status").Should().Be("connected", "a refused completion changes nothing");

        await http.Complete(contactId, "reached");
        var done = await http.CallbackWhen(callbackId, "done");
        done.Str("outcome").Should().Be("reached");
        var sociaal = await http.Centre("sociaal");
        sociaal["callbacksOpen"]!.GetValue<int>().Should().Be(0);
        sociaal["callbacksFailed"]!.GetValue<int>().Should().Be(0);
    }
}
