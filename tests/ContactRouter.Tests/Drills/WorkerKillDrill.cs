using ContactRouter.Tests.Broker;
using Xunit.Abstractions;

namespace ContactRouter.Tests.Drills;

/// <summary>
/// Drill 1: kill -9 of a centre's active worker while callers keep coming. RabbitMQ and PostgreSQL, split processes
/// as the README deploys them: one API process and two worker processes for Sociaal Domein, the second a hot standby
/// (the quorum queue's single active consumer keeps it idle while the first lives).
/// </summary>
[Collection(BrokerCollection.Name)]
public sealed class When_the_active_worker_is_killed(RabbitMqNode node, ITestOutputHelper output)
{
    /// <summary>What a worker says when it takes a centre on (first message, or after a standby took over).</summary>
    public const string LoadedCentre = "Centre sociaal loaded from the store";

    [Fact]
    public async Task Should_lose_no_caller_and_serve_again_from_the_standby()
    {
        await using var router = await DrillRouter.OnRabbitMqAndPostgres(output, "kill-worker", node);
        // The database is migrated already, so the three start together (on an empty one they race: see drill 3).
        var api = router.Start("api", HostProcess.FreePort(), "Router:Centres", "none", "Router:Overflow", "false");
        var workers = new[] { "worker-1", "worker-2" }
            .Select(name => router.Start(name, HostProcess.FreePort(), "Router:Centres", DrillRouter.Centre, "Router:Overflow", "false", "Router:Api", "false"))
            .ToList();
        await Task.WhenAll(workers.Append(api).Select(p => p.WaitHealthy(Drill.StartLimit)));
        router.Api = api.Address;
        router.Mark("healthy");

        var desks = await router.Agents(await router.Admin(), Drill.Agents, Drill.TalkTicks);
        router.Mark("agents ready");
        TimeSpan killedAt;
        HostProcess standby;
        await using (router.Work(desks))
        {
            var stream = new CallerStream(router.Exchange, router.Tally, router.Clock, router.Name);
            var streaming = stream.Run(Drill.Callers, Drill.Rate);
            await stream.Sent(Drill.Callers / 3);

            // The active one is the worker that loaded the centre: the standby has had no message yet.
            var active = workers.Where(w => w.Said(LoadedCentre) is not null).ToList();
            active.Should().ContainSingle($"exactly one worker is active while both live\n{router.Tails()}");
            standby = workers.Single(w => w != active[0]);
            killedAt = router.Mark($"kill -9 {active[0].Name}");
            await active[0].Kill();

            await streaming;
            router.Mark("callers done");
            await router.Settle(Drill.SettleLimit);
            router.Mark("settled");
        }

        var figures = await router.Figures();
        var servedAgain = await router.ServedAgain(killedAt);
        var tookOver = standby.Said(LoadedCentre, killedAt) - killedAt;
        var pause = await router.LongestPause(killedAt);
        router.Print("1 kill -9 active worker", figures,
            $"serve again {Seconds(servedAgain)} after the kill (longest pause in answering {pause.TotalSeconds:0.0} s), standby took the centre on after {Seconds(tookOver)}");
        figures.ShouldHold();
        servedAgain.Should().NotBeNull("the standby serves the centre's callers after the kill");
    }

    public static string Seconds(TimeSpan? span) => span is { } s ? $"{s.TotalSeconds:0.0} s" : "never";
}
