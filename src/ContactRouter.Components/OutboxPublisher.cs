using System.Collections.Concurrent;
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
public sealed class OutboxPublisher(IOptions<BusOptions> bus, IOptions<HostingOptions> hosting, OutboxCleanup cleanup, TimeProvider time)
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

    /// <summary>
    /// Publishes what the committed transaction staged, all at once (the broker confirms them together, not one after
    /// another), and leaves marking the rows to <see cref="OutboxCleanup"/>: no second commit per command. A process
    /// that dies before the cleanup leaves rows that the <see cref="OutboxRelay"/> publishes again (at least once).
    /// </summary>
    public async Task PublishStaged(RouterDbContext db, IPublishEndpoint publisher, ISendEndpointProvider sender, CancellationToken ct)
    {
        if (_staged.Count == 0 && _commands.Count == 0) return;
        var phase = CentreWorkerMetrics.Start();
        var sending = new List<Task>(_staged.Count + _commands.Count);
        foreach (var (_, message) in _staged) sending.Add(publisher.Publish(message, message.GetType(), ct));
        foreach (var (_, command) in _commands) sending.Add(Send(sender, command, ct));
        await Task.WhenAll(sending);
        cleanup.Published(_staged.Select(s => s.Row.Id), _commands.Select(c => c.Row.Sequence));
        _staged.Clear();
        _commands.Clear();
        CentreWorkerMetrics.Record(CentreWorkerMetrics.Publish, phase);
    }

    private static async Task Send(ISendEndpointProvider sender, CentreCommand command, CancellationToken ct)
    {
        var endpoint = await sender.GetSendEndpoint(CentreAddresses.For(command));
        await endpoint.Send(command, command.GetType(), ct);
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

/// <summary>
/// Marks published outbox rows off the command path, many at a time: on RabbitMQ the broker holds the events, so their
/// rows are deleted and the commands sent from the outbox are marked handed over; on the in-memory bus the rows are
/// marked published and kept a while (<see cref="OutboxRelay.KeptAfterPublishing"/>). A centre worker does it in the
/// transaction of its next command (<see cref="MarkIn"/>): a separate write would wait for SQLite's one write lock
/// against that very worker. What no command takes within a second a round of its own marks (every
/// <see cref="Interval"/>, well inside the relay's 30 s), and once more when the host stops.
/// </summary>
/// Wall-clock on purpose, like the relay: this is about rows of real processes, not about routing time.
public sealed class OutboxCleanup(IServiceScopeFactory scopes, IOptions<BusOptions> bus, ILogger<OutboxCleanup> log) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan LeftToCommands = TimeSpan.FromSeconds(1);
    private const int Batch = 500;

    private readonly ConcurrentQueue<(long Id, long At)> _events = new();
    private readonly ConcurrentQueue<(long Sequence, long At)> _commands = new();

    /// <summary>Rows whose messages the broker (or the in-memory bus) has taken.</summary>
    public void Published(IEnumerable<long> outboxRows, IEnumerable<long> commandSequences)
    {
        var now = Environment.TickCount64;
        foreach (var id in outboxRows) _events.Enqueue((id, now));
        foreach (var sequence in commandSequences) _commands.Enqueue((sequence, now));
    }

    /// <summary>
    /// Marks rows waiting to be marked within the caller's transaction; returns them, to hand back with
    /// <see cref="Return"/> should that transaction not commit.
    /// </summary>
    public async Task<(List<(long, long)> Events, List<(long, long)> Commands)> MarkIn(RouterDbContext db, CancellationToken ct)
    {
        var taken = (Take(_events, olderThan: null), Take(_commands, olderThan: null));
        await Mark(db, taken.Item1.Select(e => e.Item1).ToList(), taken.Item2.Select(c => c.Item1).ToList(), ct);
        return taken;
    }

    public void Return((List<(long, long)> Events, List<(long, long)> Commands) taken)
    {
        foreach (var e in taken.Events) _events.Enqueue(e);
        foreach (var c in taken.Commands) _commands.Enqueue(c);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await Flush(Environment.TickCount64 - (long)LeftToCommands.TotalMilliseconds, stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The rows stay; the next round marks them, or the relay publishes them again (consumers are idempotent).
                log.LogWarning(ex, "Marking published outbox rows failed; trying again in {Interval}", Interval);
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            await Flush(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            log.LogWarning(ex, "Marking published outbox rows at stop failed; the relay publishes them again after the restart");
        }
    }

    /// <summary>Marks every row handed in so far.</summary>
    public Task Flush(CancellationToken ct) => Flush(olderThan: null, ct);

    private async Task Flush(long? olderThan, CancellationToken ct)
    {
        while (true)
        {
            var events = Take(_events, olderThan).Select(e => e.Item1).ToList();
            var commands = Take(_commands, olderThan).Select(c => c.Item1).ToList();
            if (events.Count == 0 && commands.Count == 0) return;
            await using var scope = scopes.CreateAsyncScope();
            await Mark(scope.ServiceProvider.GetRequiredService<RouterDbContext>(), events, commands, ct);
        }
    }

    private async Task Mark(RouterDbContext db, List<long> events, List<long> commands, CancellationToken ct)
    {
        var now = DateTimeOffset.UtcNow;
        if (bus.Value.Transport == BusTransport.RabbitMq)
        {
            if (events.Count > 0) await db.Outbox.Where(o => events.Contains(o.Id)).ExecuteDeleteAsync(ct);
            if (commands.Count > 0)
                await db.AcceptedCommands.Where(c => commands.Contains(c.Sequence) && c.HandedOverAt == null)
                    .ExecuteUpdateAsync(s => s.SetProperty(c => c.HandedOverAt, now), ct);
        }
        else if (events.Count > 0)
            await db.Outbox.Where(o => events.Contains(o.Id)).ExecuteUpdateAsync(s => s.SetProperty(o => o.PublishedAt, now), ct);
    }

    /// <summary>Up to a batch from the head of the queue; with <paramref name="olderThan"/> only entries queued before it.</summary>
    private static List<(long, long)> Take(ConcurrentQueue<(long, long)> queue, long? olderThan)
    {
        var taken = new List<(long, long)>();
        while (taken.Count < Batch && queue.TryPeek(out var head) && (olderThan is null || head.Item2 < olderThan) && queue.TryDequeue(out head))
            taken.Add(head);
        return taken;
    }
}
