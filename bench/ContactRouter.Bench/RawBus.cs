using System.Diagnostics;
using ContactRouter.Components;
using ContactRouter.Tests.Broker;
using MassTransit;

namespace ContactRouter.Bench;

/// <summary>A message of the raw-bus run: the run it belongs to (a message an earlier, aborted run left is not counted).</summary>
public sealed record BenchPing(Guid Run, long Number);

/// <summary>
/// (a) The raw bus on the same node and vhost as the router: MassTransit 8.5.12 sending to one queue set up exactly as a
/// centre queue (<see cref="CentreQueueTopology.Configure"/>: quorum, single active consumer, the router's prefetch),
/// consumed one at a time (concurrency 1, as <c>CentreCommandConsumerDefinition</c>), persistent messages with publisher
/// confirms (MassTransit's defaults on RabbitMQ). Messages/s end to end: first send to last message consumed.
/// </summary>
public static class RawBus
{
    public const string Queue = "contactrouter-bench-raw";

    public static async Task<double> Run(Report report, bool shortRun)
    {
        Report.Say("(a) raw bus: MassTransit on a quorum queue, concurrency 1, persistent, confirms");
        var options = RabbitMqNode.Node();
        var messages = shortRun ? 3_000 : 20_000;
        // Senders in flight at once, as the API's many requests send to a centre queue together.
        const int inFlight = 64;
        var run = Guid.NewGuid();
        long received = 0;
        var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var target = messages;

        var bus = Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            options.ConfigureHost(cfg);
            cfg.ReceiveEndpoint(Queue, e =>
            {
                CentreQueueTopology.Configure(e, options);
                e.ConcurrentMessageLimit = 1;
                e.Handler<BenchPing>(context =>
                {
                    if (context.Message.Run == run && Interlocked.Increment(ref received) == target) all.TrySetResult();
                    return Task.CompletedTask;
                });
            });
        });
        await bus.StartAsync(new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);
        try
        {
            // To the exchange the receive endpoint bound to its queue, as the router sends to a centre (CentreAddresses.For):
            // a "queue:" address would make MassTransit declare a classic queue over the quorum one.
            var endpoint = await bus.GetSendEndpoint(new Uri($"exchange:{Queue}"));
            // Warm-up (connections, channels, the JIT), then the measured run.
            target = 200;
            await Send(endpoint, run, 0, 200, inFlight).WaitAsync(TimeSpan.FromSeconds(60));
            await all.Task.WaitAsync(TimeSpan.FromSeconds(60));
            all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Interlocked.Exchange(ref received, 0);
            target = messages;

            var watch = Stopwatch.StartNew();
            await Send(endpoint, run, 1_000, messages, inFlight).WaitAsync(TimeSpan.FromMinutes(10));
            await all.Task.WaitAsync(TimeSpan.FromMinutes(10));
            var rate = messages / watch.Elapsed.TotalSeconds;
            report.Add("a", "RabbitMQ, raw bus", "messages/s end to end", $"{rate:N0} ({messages:N0} in {Report.N(watch.Elapsed.TotalSeconds, "0.0")} s)");
            return rate;
        }
        finally
        {
            await bus.StopAsync();
        }
    }

    private static async Task Send(ISendEndpoint endpoint, Guid run, long first, int count, int inFlight)
    {
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, inFlight).Select(async _ =>
        {
            int n;
            while ((n = Interlocked.Increment(ref next)) < count)
                await endpoint.Send(new BenchPing(run, first + n));
        }));
    }
}

/// <summary>
/// The RabbitMQ node's message counters (all vhosts; <c>deploy/rabbitmq.sh counters</c>): messages published to it and
/// delivered to consumers. Read before and after a part, they say what one lifecycle costs the bus, against the raw bus's
/// one publish and one delivery per message.
/// </summary>
public readonly record struct BusCounters(long Published, long Delivered)
{
    public static async Task<BusCounters> Read()
    {
        var line = (await ContactRouter.Tests.Transport.DevelopmentSecrets.RunScript("rabbitmq.sh", "counters")).Trim();
        var words = line.Split(' ');
        return words is ["published", var published, "delivered", var delivered]
            ? new BusCounters(long.Parse(published, System.Globalization.CultureInfo.InvariantCulture), long.Parse(delivered, System.Globalization.CultureInfo.InvariantCulture))
            : throw new InvalidOperationException($"deploy/rabbitmq.sh counters answered '{line}'.");
    }

    public static BusCounters operator -(BusCounters after, BusCounters before) =>
        new(after.Published - before.Published, after.Delivered - before.Delivered);
}
