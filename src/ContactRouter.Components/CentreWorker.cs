using System.Collections.Concurrent;
using ContactRouter.Contracts;
using ContactRouter.Routing;
using ContactRouter.Store;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ContactRouter.Components;

/// <summary>
/// Holds each hosted centre's routing state in memory between messages. The queue's single active consumer
/// makes the worker the only writer; the store's version tells it when a standby has written in between.
/// </summary>
public sealed class CentreStates
{
    private readonly ConcurrentDictionary<string, (Centre Centre, long Version)> _loaded = new();
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _gates = new();

    /// <summary>Belt and braces: concurrency 1 on the endpoint already serialises; the deadline timer does not go around it.</summary>
    public SemaphoreSlim GateFor(string centre) => _gates.GetOrAdd(centre, _ => new SemaphoreSlim(1, 1));

    public Centre? Current(string centre, long storedVersion) =>
        _loaded.TryGetValue(centre, out var entry) && entry.Version == storedVersion ? entry.Centre : null;

    public void Keep(string centre, Centre state, long version) => _loaded[centre] = (state, version);

    /// <summary>After a failed save the in-memory state is ahead of the store: drop it and reload on the next message.</summary>
    public void Forget(string centre) => _loaded.TryRemove(centre, out _);
}

/// <summary>
/// Applies one command to a centre: load (or reuse) its state, skip duplicates, apply, then save the changes,
/// the command's answer and the resulting events in one transaction, and publish the events after commit.
/// </summary>
public sealed class CentreWorker(
    RouterDbContext db,
    CentreStates states,
    OutboxPublisher outbox,
    DeadlineAlarm alarm,
    IOptions<RoutingOptions> routing,
    TimeProvider time,
    ILogger<CentreWorker> log)
{
    /// <summary>The contact as the store last saved it, whichever centre holds it; null when the store never saw it.</summary>
    public Task<Contact?> StoredContact(string contactId, CancellationToken ct) =>
        db.Contacts.AsNoTracking().FirstOrDefaultAsync(c => c.Id == contactId, ct);

    public async Task<CommandResult> Handle(CentreCommand command, Func<Centre, Refusal?> apply, ConsumeContext context, CancellationToken ct)
    {
        var gate = states.GateFor(command.Centre);
        await gate.WaitAsync(ct);
        try
        {
            return await HandleLocked(command, apply, context, ct);
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task<CommandResult> HandleLocked(CentreCommand command, Func<Centre, Refusal?> apply, ConsumeContext context, CancellationToken ct)
    {
        var record = await db.Centres.FindAsync([command.Centre], ct);
        if (record is null)
        {
            record = new CentreRecord { Id = command.Centre };
            db.Centres.Add(record);
        }
        var centre = states.Current(command.Centre, record.Version);
        if (centre is null)
        {
            centre = await Load(record, ct);
            states.Keep(command.Centre, centre, record.Version);
        }

        if (command is ReportLoad)
        {
            // Informational, not a change: published directly, nothing saved.
            await context.Publish(EventMapping.LoadOf(centre, time.GetUtcNow(), record.Version), ct);
            return ToResult(command.CommandId, null);
        }

        // A redelivered or duplicated command is answered as before and changes nothing.
        var bookkeeping = command is not CheckDeadlines;
        if (bookkeeping && await db.ProcessedCommands.AsNoTracking().FirstOrDefaultAsync(p => p.CommandId == command.CommandId, ct) is { } done)
        {
            log.LogInformation("Command {CommandId} ({Type}) at {Centre} was already applied; absorbed", command.CommandId, command.GetType().Name, command.Centre);
            return ToResult(done);
        }

        Refusal? refusal;
        try
        {
            refusal = apply(centre);
        }
        catch
        {
            states.Forget(command.Centre);
            throw;
        }

        var changes = centre.TakeChanges();
        if (refusal is not null)
            // The detail quotes what the caller sent (an id): cut and escaped, so it can neither fill the log nor forge a line.
            log.LogInformation("{Type} at {Centre} refused: {Field}: {Detail}", command.GetType().Name, command.Centre,
                AccessLog.Clip(refusal.Field), AccessLog.Clip(refusal.Detail));

        if (!bookkeeping && changes.IsEmpty)
        {
            alarm.Arm(command.Centre, centre.NextDeadline());
            return ToResult(command.CommandId, refusal);
        }

        var now = time.GetUtcNow();
        await Stage(changes, ct);
        if (changes.Events.Count > 0)
            outbox.Stage(db, command.Centre, EventMapping.ToMessages(centre, changes, now, record.Version + 1));
        foreach (var move in EventMapping.Moves(changes))
            outbox.StageSend(db, move);
        if (bookkeeping)
            db.ProcessedCommands.Add(new ProcessedCommand
            {
                CommandId = command.CommandId, Centre = command.Centre, ProcessedAt = now,
                Accepted = refusal is null, RefusalKind = refusal?.Kind.ToString().ToLowerInvariant(), Field = refusal?.Field, Detail = refusal?.Detail,
            });
        record.Version++;
        record.NextSequence = centre.NextSequence;

        try
        {
            // One transaction: the change, its answer, its events, and the accepted command marked answered.
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            if (bookkeeping) await CommandLedger.MarkAnswered(db, command.CommandId, now, ct);
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
        }
        catch
        {
            states.Forget(command.Centre);
            throw;
        }
        states.Keep(command.Centre, centre, record.Version);

        await outbox.PublishStaged(db, context, context, ct);
        alarm.Arm(command.Centre, centre.NextDeadline());
        return ToResult(command.CommandId, refusal);
    }

    private async Task<Centre> Load(CentreRecord record, CancellationToken ct)
    {
        var centre = new Centre(record.Id, routing.Value, time);
        var agents = await db.Agents.AsNoTracking().Where(a => a.HomeCentre == record.Id).ToListAsync(ct);
        var live = new[] { ContactStatus.Queued, ContactStatus.Offered, ContactStatus.Connected };
        var contacts = await db.Contacts.AsNoTracking().Where(c => c.Centre == record.Id && live.Contains(c.Status)).ToListAsync(ct);
        var today = await db.Statistics.AsNoTracking().Where(s => s.Centre == record.Id && s.Day == centre.Today.Day).FirstOrDefaultAsync(ct);
        centre.Restore(agents, contacts, today, record.NextSequence);
        log.LogInformation("Centre {Centre} loaded from the store: {Agents} agents, {Contacts} live contacts, version {Version}",
            record.Id, agents.Count, contacts.Count, record.Version);
        return centre;
    }

    /// <summary>Adds or updates exactly the entities the command touched.</summary>
    private async Task Stage(CentreChanges changes, CancellationToken ct)
    {
        var contactIds = changes.Contacts.Select(c => c.Id).ToList();
        var knownContacts = await db.Contacts.AsNoTracking().Where(c => contactIds.Contains(c.Id)).Select(c => c.Id).ToListAsync(ct);
        foreach (var contact in changes.Contacts)
            if (knownContacts.Contains(contact.Id)) db.Contacts.Update(contact); else db.Contacts.Add(contact);

        var agentIds = changes.Agents.Select(a => a.Id).ToList();
        var knownAgents = await db.Agents.AsNoTracking().Where(a => agentIds.Contains(a.Id)).Select(a => a.Id).ToListAsync(ct);
        foreach (var agent in changes.Agents)
            if (knownAgents.Contains(agent.Id)) db.Agents.Update(agent); else db.Agents.Add(agent);

        if (changes.Statistics is { } stats)
        {
            var exists = await db.Statistics.AsNoTracking().AnyAsync(s => s.Centre == stats.Centre && s.Day == stats.Day, ct);
            if (exists) db.Statistics.Update(stats); else db.Statistics.Add(stats);
        }
    }

    private static CommandResult ToResult(Guid commandId, Refusal? refusal) => new()
    {
        CommandId = commandId,
        Accepted = refusal is null,
        RefusalKind = refusal?.Kind.ToString().ToLowerInvariant(),
        Field = refusal?.Field,
        Detail = refusal?.Detail,
    };

    private static CommandResult ToResult(ProcessedCommand done) => new()
    {
        CommandId = done.CommandId, Accepted = done.Accepted, RefusalKind = done.RefusalKind, Field = done.Field, Detail = done.Detail,
    };
}
