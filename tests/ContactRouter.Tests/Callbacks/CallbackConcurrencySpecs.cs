using System.Net;
using ContactRouter.Store;
using ContactRouter.Tests.Store;
using static ContactRouter.Tests.Callbacks.CallbackCalls;

namespace ContactRouter.Tests.Callbacks;

public static class CallbackConcurrency
{
    /// <summary>
    /// Eight desks book Sociaal's 11:00 at the same moment (a slot holds four): every one is booked, four at 11:00
    /// and four at 11:15, never five in one slot.
    /// </summary>
    public static async Task Desks_booking_at_once_never_overfill_a_slot(RouterFactory router, HttpClient http)
    {
        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => http.Book("sociaal", Monday(10))));
        foreach (var response in responses)
            response.StatusCode.Should().Be(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var slots = await Task.WhenAll(responses.Select(async r => (await r.Json()).At("slotStart")));
        slots.Count(s => s == Monday(10)).Should().Be(4);
        slots.Count(s => s == Monday(10, 15)).Should().Be(4);

        await using var db = router.NewDbContext();
        db.Callbacks.Where(c => c.Centre == "sociaal").AsEnumerable()
            .GroupBy(c => c.SlotStart).Should().OnlyContain(g => g.Count() <= 4);
    }

    /// <summary>The same request sent twice at once (a desk's retry racing the original) books one appointment.</summary>
    public static async Task A_request_and_its_retry_at_once_book_one_appointment(RouterFactory router, HttpClient http)
    {
        var responses = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => http.Book("fysiek", Monday(10), idempotencyKey: "desk-7-race")));
        foreach (var response in responses)
            response.StatusCode.Should().Be(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var ids = await Task.WhenAll(responses.Select(async r => Id(await r.Json())));
        ids.Distinct().Should().HaveCount(1);
        responses.Select(r => r.Headers.GetValues("Idempotent-Replayed").Single()).Should().BeEquivalentTo(["false", "true"]);

        await using var db = router.NewDbContext();
        db.Callbacks.Count(c => c.Centre == "fysiek").Should().Be(1);
    }
}

public sealed class When_desks_book_callbacks_at_the_same_moment : RouterSpec
{
    [Fact]
    public Task Should_never_put_five_in_a_slot_of_four() => CallbackConcurrency.Desks_booking_at_once_never_overfill_a_slot(_router, _http);

    [Fact]
    public Task Should_book_a_request_and_its_racing_retry_once() => CallbackConcurrency.A_request_and_its_retry_at_once_book_one_appointment(_router, _http);
}

public sealed class When_desks_book_callbacks_at_the_same_moment_with_the_store_on_PostgreSQL(StoreDatabases stores) : PostgresRouterSpec(stores)
{
    // The two use different centres, so sharing the class's database is fine.
    [Fact]
    public Task Should_never_put_five_in_a_slot_of_four() => CallbackConcurrency.Desks_booking_at_once_never_overfill_a_slot(_router, _http);

    [Fact]
    public Task Should_book_a_request_and_its_racing_retry_once() => CallbackConcurrency.A_request_and_its_retry_at_once_book_one_appointment(_router, _http);
}
