using System.Text.Json;
using ContactRouter.Contracts;
using ContactRouter.Store;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ContactRouter.Components;

/// <summary>
/// Writes events into the store with the state change that caused them and publishes them after commit,
/// so an event is never lost when the process dies between saving and publishing (it is published on
/// the next start instead). Commands for a centre (a contact moved by overflow, a callback falling due) go into the
/// <see cref="CommandLedger"/> in the same transaction. Delivery is at least once; consumers are idempotent.
/// </summary>
public sealed class OutboxPublisher(IOptions<BusOptions> bus, IOptions<HostingOptions> hosting, TimeProvider time)
{
    private readonly List<(OutboxMessage Row, object Message)> _staged = [];
    private readonly List<(AcceptedCommand Row, CentreCommand Command)> _commands = [];

    /// <summary>Events to publish once the transaction that caused them commits.</summary>
    public void Stage(RouterDbContext db, string centre, IEnumerable<object> events)
    {
        foreach (var message in events)
        {
            var row = new OutboxMessage
            {
                Centre = centre,
                MessageType = message.GetType().Name,
                Body = JsonSerializer.Serialize(message, message.GetType(), JsonSerializerOptions.Web),
                CreatedAt = DateTimeOffset.UtcNow,
            };
            db.Outbox.Add(row);
            _staged.Add((row, message));
        }
    }

    /// <summary>A command for a centre, sent once this transaction commits: never lost, never sent without it.</summary>
    public void StageSend(RouterDbContext db, CentreCommand command) =>
        _commands.Add((CommandLedger.Stage(db, command, bus.Value, hosting.Value, time.GetUtcNow()), command));

    /// <summary>Forgets what was staged for a transaction that did not commit (e.g. before retrying it), so it is never published.</summary>
    public void DiscardStaged()
    {
        _staged.Clear();
        _commands.Clear();
    }

    public async Task PublishStaged(RouterDbContext db, IPublishEndpoint publisher, ISendEndpointProvider sender, CancellationToken ct)
    {
        if (_staged.Count == 0 && _commands.Count == 0) return;
        var durable = bus.Value.Transport == BusTransport.RabbitMq;
        var now = DateTimeOffset.UtcNow;
        foreach (var (row, message) in _staged)
        {
            await publisher.Publish(message, message.GetType(), ct);
            // The broker keeps what it confirmed; the in-memory bus loses what it holds on a restart, so the row stays
            // a while and a restart publishes it again (OutboxRelay).
            if (durable) db.Outbox.Remove(row); else row.PublishedAt = now;
        }
        foreach (var (row, command) in _commands)
        {
            var endpoint = await sender.GetSendEndpoint(CentreAddresses.For(command.Centre));
            await endpoint.Send(command, command.GetType(), ct);
            if (durable) row.HandedOverAt = time.GetUtcNow();
        }
        _staged.Clear();
        _commands.Clear();
        await db.SaveChangesAsync(ct);
    }

    /// <summary>
    /// Publishes rows left behind by a process that died after commit, oldest first; returns how many. With
    /// <paramref name="kept"/> (at start on the in-memory bus) also those it published: the bus lost them with the process.
    /// </summary>
    public static async Task<int> PublishLeftovers(RouterDbContext db, IPublishEndpoint publisher, DateTimeOffset olderThan, bool kept, CancellationToken ct)
    {
        var count = 0;
        long after = 0;
        while (true)
        {
            var rows = await db.Outbox.Where(o => o.Id > after && (kept || o.PublishedAt == null) && o.CreatedAt < olderThan)
                .OrderBy(o => o.Id).Take(500).ToListAsync(ct);
            if (rows.Count == 0) return count;
            foreach (var row in rows)
            {
                var message = JsonSerializer.Deserialize(row.Body, MessageTypes.ByName[row.MessageType], JsonSerializerOptions.Web)!;
                await publisher.Publish(message, message.GetType(), ct);
                db.Outbox.Remove(row);
                await db.SaveChangesAsync(ct);
                count++;
            }
            after = rows[^1].Id;
        }
    }
}

/// <summary>
/// Publishes outbox rows that a crashed process left unpublished, and forgets published ones kept on the in-memory bus
/// once their consumers have long had them. At start on the in-memory bus, before the host serves anyone, it publishes
/// again every row the previous run kept: whatever that run's bus still held is gone.
/// </summary>
/// Wall-clock on purpose: this is about real processes dying, not about routing time.
public sealed class OutboxRelay(IServiceScopeFactory scopes, IOptions<BusOptions> bus, ILogger<OutboxRelay> log) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);

    /// <summary>How long a published event stays on the in-memory bus: its in-process consumers take it within moments.</summary>
    public static readonly TimeSpan KeptAfterPublishing = TimeSpan.FromMinutes(10);

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        if (bus.Value.Transport == BusTransport.InMemory)
        {
            await using var scope = scopes.CreateAsyncScope();
            var count = await OutboxPublisher.PublishLeftovers(scope.ServiceProvider.GetRequiredService<RouterDbContext>(),
                scope.ServiceProvider.GetRequiredService<IBus>(), DateTimeOffset.UtcNow, kept: true, cancellationToken);
            if (count > 0) log.LogWarning("Published {Count} events again that the previous run's in-memory bus held", count);
        }
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        do
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<RouterDbContext>();
                var bus = scope.ServiceProvider.GetRequiredService<IBus>();
                // Rows younger than the interval may still be in the hands of the worker that wrote them.
                var count = await OutboxPublisher.PublishLeftovers(db, bus, DateTimeOffset.UtcNow - Interval, kept: false, stoppingToken);
                if (count > 0) log.LogWarning("Published {Count} events left in the outbox", count);
                var forget = DateTimeOffset.UtcNow - KeptAfterPublishing;
                await db.Outbox.Where(o => o.PublishedAt < forget).ExecuteDeleteAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                log.LogError(ex, "Outbox relay failed; retrying in {Interval}", Interval);
            }
        } while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
