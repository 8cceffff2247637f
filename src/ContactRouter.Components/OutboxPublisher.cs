using System.Text.Json;
using ContactRouter.Contracts;
using ContactRouter.Store;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ContactRouter.Components;

/// <summary>
/// Writes events into the store with the state change that caused them and publishes them after commit,
/// so an event is never lost when the process dies between saving and publishing (it is published on
/// the next start instead). Delivery is at least once; consumers are idempotent.
/// </summary>
public sealed class OutboxPublisher
{
    private static readonly Dictionary<string, Type> ContractTypes = typeof(ContactQueued).Assembly.GetTypes()
        .Where(t => t.Namespace == typeof(ContactQueued).Namespace && !t.IsAbstract)
        .ToDictionary(t => t.Name);

    private readonly List<(OutboxMessage Row, object Message)> _staged = [];

    /// <summary>Events to publish once the transaction that caused them commits.</summary>
    public void Stage(RouterDbContext db, string centre, IEnumerable<object> events)
    {
        foreach (var message in events) Add(db, centre, message, sendToCentre: null);
    }

    /// <summary>A command for another centre (a moved contact), sent once this transaction commits: never lost, never sent without it.</summary>
    public void StageSend(RouterDbContext db, string centre, CentreCommand command) => Add(db, centre, command, command.Centre);

    private void Add(RouterDbContext db, string centre, object message, string? sendToCentre)
    {
        var row = new OutboxMessage
        {
            Centre = centre,
            MessageType = message.GetType().Name,
            SendToCentre = sendToCentre,
            Body = JsonSerializer.Serialize(message, message.GetType(), JsonSerializerOptions.Web),
            CreatedAt = DateTimeOffset.UtcNow,
        };
        db.Outbox.Add(row);
        _staged.Add((row, message));
    }

    /// <summary>Forgets what was staged for a transaction that did not commit (e.g. before retrying it), so it is never published.</summary>
    public void DiscardStaged() => _staged.Clear();

    public async Task PublishStaged(RouterDbContext db, IPublishEndpoint publisher, ISendEndpointProvider sender, CancellationToken ct)
    {
        if (_staged.Count == 0) return;
        foreach (var (row, message) in _staged)
            await Deliver(row, message, publisher, sender, ct);
        db.Outbox.RemoveRange(_staged.Select(s => s.Row));
        _staged.Clear();
        await db.SaveChangesAsync(ct);
    }

    private static async Task Deliver(OutboxMessage row, object message, IPublishEndpoint publisher, ISendEndpointProvider sender, CancellationToken ct)
    {
        if (row.SendToCentre is null)
        {
            await publisher.Publish(message, message.GetType(), ct);
            return;
        }
        var endpoint = await sender.GetSendEndpoint(CentreAddresses.For(row.SendToCentre));
        await endpoint.Send(message, message.GetType(), ct);
    }

    /// <summary>Publishes rows left behind by a process that died after commit; returns how many.</summary>
    public static async Task<int> PublishLeftovers(RouterDbContext db, IPublishEndpoint publisher, ISendEndpointProvider sender, DateTimeOffset olderThan, CancellationToken ct)
    {
        var rows = await db.Outbox.OrderBy(o => o.Id).Take(500).ToListAsync(ct);
        rows = rows.Where(r => r.CreatedAt < olderThan).ToList();
        foreach (var row in rows)
        {
            var type = ContractTypes[row.MessageType];
            var message = JsonSerializer.Deserialize(row.Body, type, JsonSerializerOptions.Web)!;
            await Deliver(row, message, publisher, sender, ct);
            db.Outbox.Remove(row);
            await db.SaveChangesAsync(ct);
        }
        return rows.Count;
    }
}

/// <summary>Publishes outbox rows that a crashed process left unpublished.</summary>
/// Wall-clock on purpose: this is about real processes dying, not about routing time.
public sealed class OutboxRelay(IServiceScopeFactory scopes, ILogger<OutboxRelay> log) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);

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
                var count = await OutboxPublisher.PublishLeftovers(db, bus, bus, DateTimeOffset.UtcNow - Interval, stoppingToken);
                if (count > 0) log.LogWarning("Published {Count} events left in the outbox", count);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                log.LogError(ex, "Outbox relay failed; retrying in {Interval}", Interval);
            }
        } while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
