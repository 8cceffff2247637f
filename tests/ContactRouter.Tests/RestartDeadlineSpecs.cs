namespace ContactRouter.Tests;

/// <summary>
/// The router stops while a caller rings at a desk, and its offer runs out while it is down. The process that starts
/// again has no timer for that offer: its heartbeat's first beat, at start, applies what fell due — before any agent or
/// caller sends anything and before the heartbeat's interval has passed (the clock is not moved after the start).
/// Without the overflow router, whose first question to every centre (its load) would also wake them: a worker process
/// that starts again on its own, beside an overflow router that keeps running elsewhere, gets no such question.
/// </summary>
public sealed class When_an_offer_runs_out_while_the_router_is_down : SharedStoreSpec
{
    private RouterFactory Host() => Start(new Dictionary<string, string?> { ["Router:Overflow"] = "false" });

    [Fact]
    public async Task Should_return_the_caller_to_the_queue_at_start_and_mark_the_agent_not_responding()
    {
        var first = Host();
        var http = first.StaffClient();
        await http.PutAgent("carla", "fysiek", new { fysiek = 3 });
        await http.SetStatus("carla", "available");
        var contactId = await http.Call("fysiek");
        await http.AgentWhen("carla", a => a["offer"] is not null, "an offer");
        await Stop(first);

        // Down for longer than the offer's 15 s.
        _time.Advance(TimeSpan.FromSeconds(20));
        var again = Host().StaffClient();

        await again.ContactWhen(contactId, "queued");
        (await again.GetJson("/api/agents/carla"))["status"]!.GetValue<string>().Should().Be("notresponding",
            "the offer ran out unanswered while the router was down");
    }
}
