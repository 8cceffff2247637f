using System.Collections.Concurrent;
using ContactRouter.Tests.Broker;
using ContactRouter.Tests.Transport;
using Xunit.Abstractions;

namespace ContactRouter.Tests.Drills;

/// <summary>
/// Drill 2: the broker goes away under load and comes back: in CI's short run the broker application is restarted
/// inside the node (<c>deploy/rabbitmq.sh bounce</c>: every connection dropped, queues recovered), in the long run the
/// whole node is stopped and started (<c>stop</c>, then <c>start</c>). RabbitMQ and PostgreSQL, one API process and one
/// worker process. Besides the drill's figures it measures how soon after the broker takes connections again
/// request/response works again: a probe agent (on break, so never offered anything) changes presence four times a
/// second, each change a request to the centre's worker; and when an agent's accept is answered at once again.
/// </summary>
[Collection(BrokerCollection.Name)]
public sealed class When_the_broker_stops_and_starts_under_load(RabbitMqNode node, ITestOutputHelper output)
{
    private sealed record Probe(TimeSpan SentAt, TimeSpan AnsweredAt, int Status);

    [Fact]
    public async Task Should_lose_no_caller_and_answer_requests_again_soon_after_the_broker_is_back()
    {
        await using var router = await DrillRouter.OnRabbitMqAndPostgres(output, "broker-outage", node);
        var api = router.Start("api", HostProcess.FreePort(), "Router:Centres", "none", "Router:Overflow", "false");
        var worker = router.Start("worker", HostProcess.FreePort(), "Router:Centres", DrillRouter.Centre, "Router:Overflow", "false", "Router:Api", "false");
        await Task.WhenAll(api.WaitHealthy(Drill.StartLimit), worker.WaitHealthy(Drill.StartLimit));
        router.Api = api.Address;
        router.Mark("healthy");

        var admin = await router.Admin();
        var desks = await router.Agents(admin, Drill.Agents, Drill.TalkTicks);
        var probe = (await router.Agents(admin, 1, talkTicks: 0, prefix: "probe", available: false)).Single();
        router.Mark("agents ready");
        var probes = new ConcurrentQueue<Probe>();
        using var probing = new CancellationTokenSource();
        TimeSpan downAt, upAt;
        Task probeLoop;
        try
        {
            await using (router.Work(desks))
            {
                var stream = new CallerStream(router.Exchange, router.Tally, router.Clock, router.Name);
                using var streamStop = new CancellationTokenSource();
                // Long enough for the outage and the time after it; ended by the drill once enough callers came after it.
                var streaming = stream.Run(int.MaxValue, Drill.Rate, streamStop.Token);
                probeLoop = Probing(probe, router.Clock, probes, probing.Token);
                await stream.Sent((int)(Drill.Rate * 5));

                // Away and back are when the broker refuses and takes AMQP connections again; the scripts take longer.
                using (var watching = new CancellationTokenSource())
                {
                    var outage = Outage(router.Clock, watching.Token);
                    if (Drill.Long)
                    {
                        router.Mark("broker stop");
                        await DevelopmentSecrets.RunScript("rabbitmq.sh", "stop");
                        router.Mark("broker stopped");
                        await DevelopmentSecrets.RunScript("rabbitmq.sh", "start");
                    }
                    else
                    {
                        // CI's short run: the broker application restarted inside the running node (every connection dropped,
                        // the queues recovered from disk) without the Erlang VM's own stop and start.
                        router.Mark("broker bounce");
                        await DevelopmentSecrets.RunScript("rabbitmq.sh", "bounce");
                    }
                    // The script is done, so the broker is back: the watch sees it at its next attempt.
                    await router.Until(() => Task.FromResult(outage.IsCompleted), "the broker to take a connection again", TimeSpan.FromSeconds(30));
                    await watching.CancelAsync();
                    var (away, back) = await outage;
                    away.Should().NotBeNull("the broker went away during the script");
                    (downAt, upAt) = (away!.Value, back!.Value);
                }
                router.Mark("script done");

                // Callers for half a stream after the broker is back, and until a request was answered at once again
                // (at most a minute: a router that never recovers fails the drill below).
                await stream.Sent(stream.Count + Drill.Callers / 2);
                try
                {
                    await router.Until(() => Task.FromResult(probes.Any(p => p.SentAt >= upAt && p.Status == 200)),
                        "a request answered at once after the broker is back", TimeSpan.FromSeconds(60));
                }
                catch (Xunit.Sdk.XunitException)
                {
                    // Reported below as "never".
                }
                await streamStop.CancelAsync();
                await streaming;
                await probing.CancelAsync();
                await probeLoop;
                router.Mark("callers done");
                // The callers accepted while the broker was away wait to be served too: as long again as it was away.
                await router.Settle(Drill.SettleLimit + (upAt - downAt));
                router.Mark("settled");
            }
        }
        finally
        {
            // Whatever happened, the shared node is left running.
            await DevelopmentSecrets.RunScript("rabbitmq.sh", "start");
        }

        var figures = await router.Figures();
        var acceptAgain = router.Tally.FirstAnsweredAtOnce("accept", upAt) - upAt;
        var requestAgain = probes.Where(p => p.SentAt >= upAt && p.Status == 200).Select(p => (TimeSpan?)p.AnsweredAt).Min() - upAt;
        var callersAgain = router.Tally.FirstAcceptedCaller(upAt) - upAt;
        var servedAgain = await router.ServedAgain(upAt);
        var pause = await router.LongestPause(downAt);
        var probeUntrue = probes.Count(p => p.Status == 503);
        router.Print(Drill.Long ? "2 broker stop/start" : "2 broker bounce", figures,
            $"broker down {(upAt - downAt).TotalSeconds:0.0} s (longest pause in answering {pause.TotalSeconds:0.0} s); after it was back: " +
            $"serve again {When_the_active_worker_is_killed.Seconds(servedAgain)}, request/response {When_the_active_worker_is_killed.Seconds(requestAgain)}, an agent's accept " +
            $"{When_the_active_worker_is_killed.Seconds(acceptAgain)}, a caller accepted {When_the_active_worker_is_killed.Seconds(callersAgain)}; " +
            $"probes {probes.Count} (503 {probeUntrue}, 202 {probes.Count(p => p.Status == 202)})");
        figures.ShouldHold();
        requestAgain.Should().NotBeNull("request/response works again once the broker is back");
        acceptAgain.Should().NotBeNull("agents accept offers again once the broker is back");
    }

    /// <summary>
    /// When the broker refused (or did not finish) an AMQP connection first, and when it took one again after that:
    /// polled every tenth of a second from before the script runs until <paramref name="stop"/>. The scripts themselves
    /// take their time (each rabbitmqctl call starts an Erlang VM), so the broker's own absence is measured here.
    /// </summary>
    private async Task<(TimeSpan? Away, TimeSpan? Back)> Outage(DrillClock clock, CancellationToken stop)
    {
        using var poll = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        var factory = node.Options.ConnectionFactory("contactrouter-drill-probe");
        TimeSpan? away = null;
        while (!stop.IsCancellationRequested)
        {
            var at = clock.Now;
            try
            {
                // A limit per attempt: a broker still booting may take the TCP connection but not yet the handshake.
                using var attempt = CancellationTokenSource.CreateLinkedTokenSource(stop);
                attempt.CancelAfter(TimeSpan.FromSeconds(5));
                await using var connection = await factory.CreateConnectionAsync(attempt.Token);
                if (away is not null) return (away, clock.Now);
            }
            catch (Exception) when (!stop.IsCancellationRequested)
            {
                away ??= at;
            }
            catch (OperationCanceledException)
            {
                break;
            }
            await poll.WaitForNextTickAsync(CancellationToken.None);
        }
        return (away, null);
    }

    /// <summary>
    /// Every quarter second, without waiting for the previous answer, the probe agent says break or offline in turn: a
    /// request to the centre's worker that changes something each time and never puts the probe on the line.
    /// </summary>
    private static async Task Probing(AgentDesk probe, DrillClock clock, ConcurrentQueue<Probe> probes, CancellationToken stop)
    {
        using var pace = new PeriodicTimer(TimeSpan.FromMilliseconds(250));
        var sent = new List<Task>();
        var n = 0;
        try
        {
            while (await pace.WaitForNextTickAsync(stop))
            {
                var status = n++ % 2 == 0 ? "break" : "offline";
                sent.Add(Task.Run(async () =>
                {
                    var sentAt = clock.Now;
                    try
                    {
                        using var answer = await probe.Session.Post($"/api/agents/{probe.AgentId}/status", new { status });
                        probes.Enqueue(new Probe(sentAt, clock.Now, (int)answer.StatusCode));
                    }
                    catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                    {
                        probes.Enqueue(new Probe(sentAt, clock.Now, 0));
                    }
                }));
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Enough probing.
        }
        await Task.WhenAll(sent);
    }
}
