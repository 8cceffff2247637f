using MassTransit;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;
using RabbitMQ.Client;

namespace ContactRouter.Components;

/// <summary>
/// The one definition of a centre queue on RabbitMQ, used by the worker's receive endpoint and by every
/// process that sends to a centre. RabbitMQ silently drops a message sent to an exchange with no queue
/// bound, and refuses to re-declare a queue with other arguments; so senders declare the queue exactly
/// as the worker does, before they send, and a command waits in the queue until its worker runs.
/// </summary>
public static class CentreQueueTopology
{
    public static Dictionary<string, object?> QueueArguments(BusOptions bus) => new()
    {
        // Quorum: replicated and durable, the queue type RabbitMQ recommends for data that must not be lost.
        ["x-queue-type"] = "quorum",
        // Poison messages go to the error queue after this many deliveries instead of looping forever.
        ["x-delivery-limit"] = bus.DeliveryLimit,
        // One instance owns the centre's state; a second instance waits as hot standby.
        ["x-single-active-consumer"] = true,
    };

    public static void Configure(IRabbitMqReceiveEndpointConfigurator endpoint, BusOptions bus)
    {
        endpoint.SetQuorumQueue();
        endpoint.SetQueueArgument("x-delivery-limit", bus.DeliveryLimit);
        endpoint.SingleActiveConsumer = true;
        endpoint.PrefetchCount = bus.PrefetchCount;
    }

    /// <summary>Declares the centre exchanges and queues and binds them, as MassTransit's receive endpoint does.</summary>
    public static async Task Declare(BusOptions bus, IEnumerable<string> centres, CancellationToken ct)
    {
        // Any node of a cluster will do: queues and exchanges are the cluster's, not a node's.
        await using var connection = await bus.Connect("contactrouter-topology", ct);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: ct);
        foreach (var name in centres.SelectMany(CentreAddresses.QueueNames))
        {
            await channel.ExchangeDeclareAsync(name, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: ct);
            await channel.QueueDeclareAsync(name, durable: true, exclusive: false, autoDelete: false, arguments: QueueArguments(bus), cancellationToken: ct);
            await channel.QueueBindAsync(name, name, routingKey: "", cancellationToken: ct);
        }
    }
}

/// <summary>Declares all centre queues at start-up, retrying while the broker is still coming up.</summary>
public sealed class CentreQueueDeclarer(IOptions<BusOptions> bus, ILogger<CentreQueueDeclarer> log) : IHostedService
{
    private static readonly ResiliencePipeline Retry = new ResiliencePipelineBuilder()
        .AddRetry(new RetryStrategyOptions
        {
            MaxRetryAttempts = 8,
            Delay = TimeSpan.FromMilliseconds(250),
            BackoffType = DelayBackoffType.Exponential,
            ShouldHandle = new PredicateBuilder().Handle<Exception>(ex => ex is not OperationCanceledException),
        })
        .Build();

    public async Task StartAsync(CancellationToken ct)
    {
        // A missing password is a setting to fix, not a broker still coming up: fail at once, not after the retries.
        bus.Value.ResolvePassword();
        await Retry.ExecuteAsync(async token => await CentreQueueTopology.Declare(bus.Value, Routing.CentreCatalog.All, token), ct);
        log.LogInformation("Centre queues declared on {Nodes}", string.Join(",", bus.Value.Nodes()));
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
