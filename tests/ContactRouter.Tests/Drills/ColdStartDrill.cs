using ContactRouter.Tests.Broker;
using Xunit.Abstractions;

namespace ContactRouter.Tests.Drills;

/// <summary>
/// Drill 3: a cold start with callers from the first second. A fresh PostgreSQL database, the API process and the
/// centre's worker process started together, and the exchange putting callers through from the moment they are
/// launched: refused connections and 503s before the router is ready are fine, but no caller who got a 2xx may be lost.
/// The administrator makes the agents as soon as the API answers.
/// </summary>
[Collection(BrokerCollection.Name)]
public sealed class When_the_router_starts_cold_with_callers_waiting(RabbitMqNode node, ITestOutputHelper output)
{
    [Fact]
    public async Task Should_lose_no_accepted_caller_and_serve_from_the_first_ready_moment()
    {
        await using var router = await DrillRouter.OnRabbitMqAndPostgres(output, "cold-start", node, migrated: false);
        var apiPort = HostProcess.FreePort();
        router.Api = new Uri($"http://127.0.0.1:{apiPort}");
        var stream = new CallerStream(router.Exchange, router.Tally, router.Clock, router.Name);

        var launchedAt = router.Clock.Now;
        using var streamStop = new CancellationTokenSource();
        // From the first second until a stream's worth of callers came after the agents were ready.
        var streaming = stream.Run(int.MaxValue, Drill.Rate, streamStop.Token);
        var api = router.Start("api", apiPort, "Router:Centres", "none", "Router:Overflow", "false");
        var worker = router.Start("worker", HostProcess.FreePort(), "Router:Centres", DrillRouter.Centre, "Router:Overflow", "false", "Router:Api", "false");
        await Task.WhenAll(api.WaitHealthy(Drill.StartLimit), worker.WaitHealthy(Drill.StartLimit));
        var healthyAt = router.Mark("healthy");

        var desks = await router.Agents(await router.Admin(), Drill.Agents, Drill.TalkTicks);
        router.Mark("agents ready");
        await using (router.Work(desks))
        {
            await stream.Sent(stream.Count + Drill.Callers);
            await streamStop.CancelAsync();
            await streaming;
            router.Mark("callers done");
            await router.Settle(Drill.SettleLimit);
            router.Mark("settled");
        }

        var figures = await router.Figures();
        var firstAcceptedAt = router.Tally.FirstAcceptedCaller(launchedAt);
        var firstAccepted = firstAcceptedAt - launchedAt;
        var servedAt = await router.ServedAgain(launchedAt);
        router.Print("3 cold start", figures,
            $"serve again (first caller answered) {When_the_active_worker_is_killed.Seconds(servedAt)} after the launch; both processes healthy after " +
            $"{(healthyAt - launchedAt).TotalSeconds:0.0} s, first caller accepted after {When_the_active_worker_is_killed.Seconds(firstAccepted)}; " +
            $"callers before that: {router.Tally.Calls.Count(c => !c.Accepted && c.SentAt < (firstAcceptedAt ?? TimeSpan.MaxValue))} refused");
        figures.ShouldHold();
    }
}
