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
/// The store's record of accepted commands (<see cref="AcceptedCommand"/>): a command is written here before the API
/// answers 2xx for it, and delivered from here until its centre has answered it. So a 2xx is as durable as the store
/// on every transport: the in-memory bus that loses what it held on a restart, a broker that was down, a process
/// killed between answering and sending. Centres absorb the copies (<see cref="ProcessedCommand"/>).
/// </summary>
public sealed class CommandLedger(RouterDbContext db, IOptions<BusOptions> bus, IOptions<HostingOptions> hosting, CommandRelaySignal relay, TimeProvider time)
{
    /// <summary>The requester of the router's own commands (a contact moved by overflow, a callback falling due).</summary>
    public const string Router = "router";

    /// <summary>
    /// Records a command before the API answers for it. A command id accepted before (a retry with the same
    /// Idempotency-Key) is not recorded twice: the earlier row is given back and <c>Repeated</c> is true.
    /// </summary>
    public async Task<(AcceptedCommand Row, bool Repeated)> Accept(CentreCommand command, string requester, CancellationToken ct)
    {
        // No lookup first: nearly every command is new, and the command id's unique index tells a repeat apart at the
        // insert itself, so a new command costs the store one round trip instead of two (issue 11).
        var now = time.GetUtcNow();
        var row = Row(command, requester, now, FirstDelivery(bus.Value, hosting.Value, now));
        db.AcceptedCommands.Add(row);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // A retry of a command recorded before, or the same retry arriving twice at once: the first one's row answers.
            db.Entry(row).State = EntityState.Detached;
            if (await Find(command.CommandId, ct) is { } earlier) return (earlier, true);
            throw;
        }
        return (row, false);
    }

    /// <summary>
    /// Records a command (<see cref="Accept"/>) and sends it at once, waiting for the bus's confirm at most
    /// Router:CommandTimeout. What the bus does not take (a broker that is down), or what must follow an earlier command
    /// of the same contact still waiting, the relay delivers in order. A repeated command is not sent again.
    /// </summary>
    public async Task<(AcceptedCommand Row, bool Repeated)> AcceptAndSend(CentreCommand command, string requester, ISendEndpointProvider sender, CancellationToken ct)
    {
        var (row, repeated) = await Accept(command, requester, ct);
        if (repeated) return (row, true);
        // A queueing is its contact's first command: nothing to follow, no query.
        if (command is not QueueContact && await FollowsUndelivered(row, ct))
        {
            await LeaveToRelay(row, CancellationToken.None);
            return (row, false);
        }
        using var confirm = new CancellationTokenSource(hosting.Value.CommandTimeout);
        try
        {
            var endpoint = await sender.GetSendEndpoint(CentreAddresses.For(command));
            // Also stops waiting should the transport not heed the token: a confirm that never comes must not hold the caller.
            await endpoint.Send(command, command.GetType(), confirm.Token).WaitAsync(confirm.Token);
        }
        catch (Exception)
        {
            await LeaveToRelay(row, CancellationToken.None);
            return (row, false);
        }
        await HandedOver(row, CancellationToken.None);
        return (row, false);
    }

    private Task<AcceptedCommand?> Find(Guid commandId, CancellationToken ct) =>
        db.AcceptedCommands.AsNoTracking().FirstOrDefaultAsync(c => c.CommandId == commandId, ct);

    /// <summary>
    /// Whether an earlier command about the same contact has not reached its centre yet (the broker was down when it
    /// was sent): this one must follow it through the relay, not overtake it — an abandon right after a 202 is applied
    /// after the queueing it follows, never before.
    /// </summary>
    public Task<bool> FollowsUndelivered(AcceptedCommand row, CancellationToken ct) => row.ContactId is null
        ? Task.FromResult(false)
        : db.AcceptedCommands.AnyAsync(c => c.ContactId == row.ContactId && c.Sequence < row.Sequence && c.AnsweredAt == null
                                            && c.HandedOverAt == null && c.DeliverAfter != null, ct);

    /// <summary>The broker confirmed the command: on a durable broker the relay leaves it alone from now on.</summary>
    public async Task HandedOver(AcceptedCommand row, CancellationToken ct)
    {
        if (bus.Value.Transport != BusTransport.RabbitMq) return; // the in-memory bus keeps nothing: only a restart needs the row
        await db.AcceptedCommands.Where(c => c.Sequence == row.Sequence)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.HandedOverAt, time.GetUtcNow()), ct);
    }

    /// <summary>Sending failed or must wait for an earlier command: the relay delivers it, in order, as soon as it can.</summary>
    public async Task LeaveToRelay(AcceptedCommand row, CancellationToken ct)
    {
        await db.AcceptedCommands.Where(c => c.Sequence == row.Sequence)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.DeliverAfter, time.GetUtcNow()), ct);
        relay.Nudge();
    }

    /// <summary>A command recorded with the change that makes it (same transaction), delivered after commit.</summary>
    public static AcceptedCommand Stage(RouterDbContext db, CentreCommand command, BusOptions bus, HostingOptions hosting, DateTimeOffset now)
    {
        var row = Row(command, Router, now, FirstDelivery(bus, hosting, now));
        db.AcceptedCommands.Add(row);
        return row;
    }

    /// <summary>
    /// When the relay delivers a command nobody has handed over by then. On RabbitMQ: after the time its sender waits
    /// for the broker (or the centre), so a process that died in between is covered. On the in-memory bus: never while
    /// this process lives (the bus holds it until the centre takes it); every unanswered command after a restart.
    /// </summary>
    private static DateTimeOffset? FirstDelivery(BusOptions bus, HostingOptions hosting, DateTimeOffset now) =>
        bus.Transport == BusTransport.RabbitMq ? now + hosting.CommandTimeout : null;

    private static AcceptedCommand Row(CentreCommand command, string requester, DateTimeOffset now, DateTimeOffset? deliverAfter) => new()
    {
        CommandId = command.CommandId,
        Centre = command.Centre,
        ContactId = ContactOf(command),
        MessageType = command.GetType().Name,
        Body = JsonSerializer.Serialize(command, command.GetType(), JsonSerializerOptions.Web),
        Requester = AccessLog.Clip(requester),
        AcceptedAt = now,
        DeliverAfter = deliverAfter,
    };

    private static string? ContactOf(CentreCommand command) => command switch
    {
        QueueContact c => c.ContactId,
        AbandonContact c => c.ContactId,
        CompleteContact c => c.ContactId,
        AcceptOffer c => c.ContactId,
        RejectOffer c => c.ContactId,
        TransferContact c => c.ContactId,
        RaisePriority c => c.ContactId,
        _ => null,
    };

    /// <summary>The command as it was accepted, to send again.</summary>
    public static CentreCommand Read(AcceptedCommand row) =>
        (CentreCommand)JsonSerializer.Deserialize(row.Body, MessageTypes.ByName[row.MessageType], JsonSerializerOptions.Web)!;

    /// <summary>Marks the command answered, in the centre's own transaction: from then on nobody delivers it again.</summary>
    public static Task MarkAnswered(RouterDbContext db, Guid commandId, DateTimeOffset at, CancellationToken ct) =>
        db.AcceptedCommands.Where(c => c.CommandId == commandId && c.AnsweredAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.AnsweredAt, at), ct);

    /// <summary>Marks a batch's commands answered in one statement, in the centre's own transaction.</summary>
    public static Task MarkAnswered(RouterDbContext db, IReadOnlyCollection<Guid> commandIds, DateTimeOffset at, CancellationToken ct) =>
        commandIds.Count == 1 ? MarkAnswered(db, commandIds.First(), at, ct)
            : db.AcceptedCommands.Where(c => commandIds.Contains(c.CommandId) && c.AnsweredAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.AnsweredAt, at), ct);
}

/// <summary>The contracts by name, to read a stored message back.</summary>
public static class MessageTypes
{
    public static readonly IReadOnlyDictionary<string, Type> ByName = typeof(ContactQueued).Assembly.GetTypes()
        .Where(t => t.Namespace == typeof(ContactQueued).Namespace && !t.IsAbstract && t.IsClass)
        .ToDictionary(t => t.Name);
}

/// <summary>Wakes the relay at once when a command is left to it, instead of at its next round.</summary>
public sealed class CommandRelaySignal
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Nudge()
    {
        try
        {
            _signal.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already nudged; one round serves every command left since.
        }
    }

    public Task<bool> Wait(TimeSpan timeout, CancellationToken ct) => _signal.WaitAsync(timeout, ct);
}

/// <summary>
/// Delivers accepted commands nobody has delivered: those whose sending failed or had to wait (in the order they were
/// accepted, per contact and per centre), those of a process that died before sending, and — at start on the
/// in-memory bus, before the host serves anyone — every command the previous run had not seen answered. What is due
/// follows <see cref="TimeProvider"/>; the rounds themselves come every couple of seconds of real time, or at once
/// when nudged.
/// </summary>
public sealed class CommandRelay(
    IServiceScopeFactory scopes, IOptions<BusOptions> bus, IOptions<HostingOptions> hosting, CommandRelaySignal signal, TimeProvider time, ILogger<CommandRelay> log)
    : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);
    private const int Batch = 500;

    /// <summary>Runs before the host serves: on the in-memory bus the previous run's unanswered commands go first.</summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        if (bus.Value.Transport == BusTransport.InMemory)
        {
            var count = await Deliver(everything: true, cancellationToken);
            if (count > 0) log.LogWarning("Delivered {Count} accepted commands again that the previous run had not seen answered", count);
        }
        await base.StartAsync(cancellationToken);
    }

    /// <summary>How long an answered command stays, so its sender can still ask how it went (GET /api/commands/{id}).</summary>
    public static readonly TimeSpan Kept = TimeSpan.FromDays(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var pruned = DateTimeOffset.MinValue;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var count = await Deliver(everything: false, stoppingToken);
                if (count > 0) log.LogInformation("Relay delivered {Count} accepted commands", count);
                if (time.GetUtcNow() - pruned > TimeSpan.FromHours(1))
                {
                    await using var scope = scopes.CreateAsyncScope();
                    var before = time.GetUtcNow() - Kept;
                    await scope.ServiceProvider.GetRequiredService<RouterDbContext>().AcceptedCommands
                        .Where(c => c.AnsweredAt < before).ExecuteDeleteAsync(stoppingToken);
                    pruned = time.GetUtcNow();
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                log.LogWarning(ex, "Command relay round failed; trying again in {Interval}", Interval);
            }
            await signal.Wait(Interval, stoppingToken);
        }
    }

    /// <summary>One round. Returns how many commands were sent.</summary>
    /// <param name="everything">After a restart on the in-memory bus: every unanswered command, due or not.</param>
    public async Task<int> Deliver(bool everything, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RouterDbContext>();
        var sender = scope.ServiceProvider.GetRequiredService<ISendEndpointProvider>();
        var now = time.GetUtcNow();
        var sent = 0;
        long after = 0;
        while (true)
        {
            var rows = await db.AcceptedCommands.AsNoTracking()
                .Where(c => c.AnsweredAt == null && c.Sequence > after && (everything || c.HandedOverAt == null))
                .OrderBy(c => c.Sequence).Take(Batch).ToListAsync(ct);
            if (rows.Count == 0) return sent;
            after = rows[^1].Sequence;

            // Order: a command never overtakes an earlier one of its contact or (once sending to it failed) of its centre.
            var waitingContacts = new HashSet<string>();
            var failedCentres = new HashSet<string>();
            foreach (var row in rows)
            {
                var due = everything || row.DeliverAfter is { } at && at <= now;
                if (!due || failedCentres.Contains(row.Centre) || row.ContactId is { } id && waitingContacts.Contains(id))
                {
                    if (row.ContactId is { } waiting) waitingContacts.Add(waiting);
                    continue;
                }
                try
                {
                    var command = CommandLedger.Read(row);
                    var endpoint = await sender.GetSendEndpoint(CentreAddresses.For(command));
                    // A confirm that never comes (a broker node died under the channel) must not stall every later command.
                    using var confirm = CancellationTokenSource.CreateLinkedTokenSource(ct);
                    confirm.CancelAfter(hosting.Value.CommandTimeout);
                    await endpoint.Send(command, command.GetType(), confirm.Token).WaitAsync(confirm.Token);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
                {
                    log.LogWarning("Relay could not deliver command {CommandId} to {Centre} ({Error}); trying again", row.CommandId, row.Centre, ex.GetType().Name);
                    failedCentres.Add(row.Centre);
                    if (row.ContactId is { } waiting) waitingContacts.Add(waiting);
                    continue;
                }
                sent++;
                // Delivered: on RabbitMQ the broker keeps it now; on the in-memory bus only a restart delivers it again.
                var delivered = db.AcceptedCommands.Where(c => c.Sequence == row.Sequence);
                if (bus.Value.Transport == BusTransport.RabbitMq)
                    await delivered.ExecuteUpdateAsync(s => s.SetProperty(c => c.HandedOverAt, now), ct);
                else
                    await delivered.ExecuteUpdateAsync(s => s.SetProperty(c => c.DeliverAfter, (DateTimeOffset?)null), ct);
            }
            if (rows.Count < Batch) return sent;
        }
    }
}
