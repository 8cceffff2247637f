using ContactRouter.Tests.Broker;
using Xunit.Abstractions;

namespace ContactRouter.Tests.Drills;

/// <summary>
/// Drill 4: the embedded default (in-memory bus, SQLite under data/, one process: the README's run command with a
/// folder and port of its own). Agents are at work when a burst of callers arrives at once; right after the last
/// answer the host is stopped and started again on the same store, first with SIGTERM (as systemd stops it), then,
/// after a second burst, with kill -9. Every caller who got a 2xx must be known after each restart, and the agents
/// must be answering callers again.
/// </summary>
/// <remarks>In the broker collection although it needs no broker: the drills run one at a time, so their timings are their own.</remarks>
[Collection(BrokerCollection.Name)]
public sealed class When_the_embedded_host_stops_after_a_burst(ITestOutputHelper output)
{
    [Fact]
    public async Task Should_know_every_accepted_caller_after_SIGTERM_and_after_kill_9()
    {
        await using var router = DrillRouter.Embedded(output, "embedded");
        var port = HostProcess.FreePort();
        var host = router.Start("host", port);
        await host.WaitHealthy(Drill.StartLimit);
        router.Api = host.Address;
        router.Mark("healthy");

        // Agents at work through it all, without talk time.
        var desks = await router.Agents(await router.Admin(), Drill.Agents, talkTicks: 0);
        router.Mark("agents ready");
        var stream = new CallerStream(router.Exchange, router.Tally, router.Clock, router.Name);
        var rounds = new List<(string Signal, DrillFigures Figures, TimeSpan? ServedAgain, string Line)>();
        await using (router.Work(desks))
        {
            foreach (var (signal, first) in new[] { ("SIGTERM", 1), ("kill -9", Drill.Burst + 1) })
            {
                var before = router.Tally.Calls.Count;
                await Task.WhenAll(Enumerable.Range(first, Drill.Burst).Select(stream.Call));

                var stoppedAt = router.Mark(signal);
                if (signal == "SIGTERM") await host.Terminate(TimeSpan.FromSeconds(30));
                else await host.Kill();
                var exitedAt = router.Mark("exited");
                host = router.Start($"host after {signal}", port);
                await host.WaitHealthy(Drill.StartLimit);
                var restartedAt = router.Mark("restarted");

                // Known: in the store, whatever its state (the agents were serving all along).
                var accepted = router.Tally.Calls.Skip(before).Where(c => c.Accepted).Select(c => c.ContactId!).Distinct().ToList();
                var knownAt = await Within(router, async () => (await router.Store.ContactsById(accepted)).Count == accepted.Count, "every accepted caller to be known");
                router.Mark("known");
                await Within(router, async () => await router.ServedAgain(stoppedAt) is not null, "a caller answered after the restart");
                router.Mark("served");

                var figures = await router.Figures(sinceCall: before);
                var servedAgain = await router.ServedAgain(stoppedAt);
                rounds.Add((signal, figures, servedAgain,
                    $"serve again {When_the_active_worker_is_killed.Seconds(servedAgain)} after the {signal}; the host ended after " +
                    $"{(exitedAt - stoppedAt).TotalSeconds:0.0} s, restarted and healthy after {(restartedAt - stoppedAt).TotalSeconds:0.0} s; every accepted caller known {When_the_active_worker_is_killed.Seconds(knownAt - restartedAt)} after that"));
            }
        }

        foreach (var (signal, figures, _, line) in rounds) router.Print($"4 embedded {signal} after a burst of {Drill.Burst}", figures, line);
        using var _ = new FluentAssertions.Execution.AssertionScope();
        foreach (var (signal, figures, servedAgain, _) in rounds)
        {
            // The drill is about what a 2xx promises; the burst is not served to the end (not served counts who still waits).
            figures.ShouldHold(everyoneServed: false);
            servedAgain.Should().NotBeNull($"the host restarted after {signal} answers callers again");
        }
    }

    /// <summary>When <paramref name="done"/> first held, within a minute; null if it never did.</summary>
    private static async Task<TimeSpan?> Within(DrillRouter router, Func<Task<bool>> done, string what)
    {
        try
        {
            await router.Until(done, what, TimeSpan.FromSeconds(60));
            return router.Clock.Now;
        }
        catch (Xunit.Sdk.XunitException)
        {
            return null;
        }
    }
}
