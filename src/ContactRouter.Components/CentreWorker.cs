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
/// Holds each hosted centre's routing state in memory between messages, with what the worker knows of the store's
/// copy (<see cref="LoadedCentre"/>). The queue's single active consumer makes the worker the only writer; the
/// store's version, checked by the very UPDATE that raises it, tells it when a standby has written in between.
/// </summary>
public sealed class CentreStates
{
    private readonly ConcurrentDictionary<string, LoadedCentre> _loaded = new();
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _gates = new();

    /// <summary>Belt and braces: concurrency 1 on the endpoint already serialises; the deadline timer does not go around it.</summary>
    public SemaphoreSlim GateFor(string centre) => _gates.GetOrAdd(centre, _ => new SemaphoreSlim(1, 1));

    public LoadedCentre? Current(string centre) => _loaded.GetValueOrDefault(centre);

    public void Keep(LoadedCentre loaded) => _loaded[loaded.Centre.Id] = loaded;

    /// <summary>After a failed save the in-memory state is ahead of the store: drop it and reload on the next message.</summary>
    public void Forget(string centre) => _loaded.TryRemove(centre, out _);
}

/// <summary>
/// A centre in memory and what its worker knows the store holds of it, so that a command costs no reads: which
/// contact and agent rows exist (a new one is an insert, a known one an update), the version the store is at, and the
/// answers to the last commands (a duplicate is answered from here).
/// </summary>
public sealed class LoadedCentre(Centre centre, long version, IEnumerable<string> agents, IEnumerable<string> contacts, DateOnly? statisticsDay)
{
    /// <summary>How many answers a centre remembers: far more than can be in flight (prefetch, a relay's copies).</summary>
    public const int RememberedAnswers = 10_000;

    /// <summary>
    /// After a load the first commands are also looked up in the store: they may be redeliveries of what the previous
    /// owner applied just before it stopped. Later duplicates are answered from memory; an older one still fails the
    /// ProcessedCommands key, and the retry reloads and so finds it.
    /// </summary>
    public const int CheckedInStoreAfterLoad = 64;

    private readonly Dictionary<Guid, CommandResult> _answers = [];
    private readonly Queue<Guid> _answerOrder = new();

    public Centre Centre { get; } = centre;
    public long Version { get; set; } = version;
    public HashSet<string> SavedAgents { get; } = [.. agents];
    public HashSet<string> SavedContacts { get; } = [.. contacts];
    public DateOnly? SavedStatisticsDay { get; set; } = statisticsDay;
    public int StoreChecksLeft { get; set; } = CheckedInStoreAfterLoad;

    public bool TryAnswer(Guid commandId, out CommandResult answer) => _answers.TryGetValue(commandId, out answer!);

    public void Remember(CommandResult answer)
    {
        if (!_answers.TryAdd(answer.CommandId, answer)) return;
        _answerOrder.Enqueue(answer.CommandId);
        if (_answerOrder.Count > RememberedAnswers) _answers.Remove(_answerOrder.Dequeue());
    }

    /// <summary>What a committed transaction saved: from now on these rows exist.</summary>
    public void Saved(CentreChanges changes)
    {
        foreach (var contact in changes.Contacts)
            // A finished contact leaves the centre; should it ever come back (a second QueueContact), the consumer asks the store.
            if (contact.IsLive) SavedContacts.Add(contact.Id); else SavedContacts.Remove(contact.Id);
        foreach (var agent in changes.Agents) SavedAgents.Add(agent.Id);
        if (changes.Statistics is { } stats) SavedStatisticsDay = stats.Day;
    }
}

/// <summary>
/// Applies one command to a centre: take its state (loaded once), skip duplicates, apply, then save the rows the
/// command changed, its answer and the resulting events in one transaction, and publish the events after commit.
/// </summary>
public sealed class CentreWorker(
    RouterDbContext db,
    CentreStates states,
    OutboxPublisher outbox,
    OutboxCleanup cleanup,
    DeadlineAlarm alarm,
    IOptions<RoutingOptions> routing,
    TimeProvider time,
    ILogger<CentreWorker> log)
{
    /// <summary>Contacts this command looked up in the store (<see cref="StoredContact"/>): whether a row exists is known.</summary>
    private readonly HashSet<string> _storedContacts = [];

    /// <summary>The contact as the store last saved it, whichever centre holds it; null when the store never saw it.</summary>
    public async Task<Contact?> StoredContact(string contactId, CancellationToken ct)
    {
        var contact = await db.Contacts.AsNoTracking().FirstOrDefaultAsync(c => c.Id == contactId, ct);
        if (contact is not null) _storedContacts.Add(contactId);
        return contact;
    }

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
        var started = CentreWorkerMetrics.Start();
        var phase = started;
        var loaded = states.Current(command.Centre) ?? await Load(command.Centre, ct);
        var centre = loaded.Centre;
        phase = CentreWorkerMetrics.Record(CentreWorkerMetrics.Load, phase);

        if (command is ReportLoad)
        {
            // Informational, not a change: published directly, nothing saved.
            await context.Publish(EventMapping.LoadOf(centre, time.GetUtcNow(), loaded.Version), ct);
            return ToResult(command.CommandId, null);
        }

        // A redelivered or duplicated command is answered as before and changes nothing.
        var bookkeeping = command is not CheckDeadlines;
        if (bookkeeping && await Answered(loaded, command.CommandId, ct) is { } done)
        {
            log.LogInformation("Command {CommandId} ({Type}) at {Centre} was already applied; absorbed", command.CommandId, command.GetType().Name, command.Centre);
            CentreWorkerMetrics.Answered("duplicate");
            return done;
        }
        phase = CentreWorkerMetrics.Record(CentreWorkerMetrics.DuplicateCheck, phase);

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
        phase = CentreWorkerMetrics.Record(CentreWorkerMetrics.Apply, phase);
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
        var version = loaded.Version + 1;
        (List<(long, long)>, List<(long, long)>)? marked = null;
        try
        {
            await Stage(loaded, changes, ct);
            if (changes.Events.Count > 0)
                outbox.Stage(db, command.Centre, EventMapping.ToMessages(centre, changes, now, version));
            foreach (var move in EventMapping.Moves(changes))
                outbox.StageSend(db, move);
            if (bookkeeping)
                db.ProcessedCommands.Add(new ProcessedCommand
                {
                    CommandId = command.CommandId, Centre = command.Centre, ProcessedAt = now,
                    Accepted = refusal is null, RefusalKind = refusal?.Kind.ToString().ToLowerInvariant(), Field = refusal?.Field, Detail = refusal?.Detail, Code = refusal?.Code,
                });
            phase = CentreWorkerMetrics.Record(CentreWorkerMetrics.Stage, phase);

            // One transaction: the change, its answer, its events, the accepted command marked answered, and the rows of
            // events published earlier marked. The version check rides on the UPDATE that raises it: no read per command.
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            var raised = await db.Centres.Where(c => c.Id == command.Centre && c.Version == loaded.Version)
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.Version, version).SetProperty(c => c.NextSequence, centre.NextSequence), ct);
            if (raised == 0)
                throw new DbUpdateConcurrencyException(
                    $"Centre {command.Centre} is no longer at version {loaded.Version} in the store: another instance wrote since; reloading.");
            if (bookkeeping) await CommandLedger.MarkAnswered(db, command.CommandId, now, ct);
            marked = await cleanup.MarkIn(db, ct);
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
        }
        catch
        {
            if (marked is { } unmarked) cleanup.Return(unmarked);
            states.Forget(command.Centre);
            throw;
        }
        loaded.Version = version;
        loaded.Saved(changes);
        var result = ToResult(command.CommandId, refusal);
        if (bookkeeping) loaded.Remember(result);
        CentreWorkerMetrics.Record(CentreWorkerMetrics.Commit, phase);

        await outbox.PublishStaged(db, context, context, ct);
        alarm.Arm(command.Centre, centre.NextDeadline());
        CentreWorkerMetrics.Record(CentreWorkerMetrics.Total, started);
        CentreWorkerMetrics.Answered(refusal is null ? "applied" : "refused");
        return result;
    }

    /// <summary>The answer given before to this command id, if it was applied already.</summary>
    private async Task<CommandResult?> Answered(LoadedCentre loaded, Guid commandId, CancellationToken ct)
    {
        if (loaded.TryAnswer(commandId, out var remembered)) return remembered;
        if (loaded.StoreChecksLeft <= 0) return null;
        loaded.StoreChecksLeft--;
        if (await db.ProcessedCommands.AsNoTracking().FirstOrDefaultAsync(p => p.CommandId == commandId, ct) is not { } done) return null;
        var answer = ToResult(done);
        loaded.Remember(answer);
        return answer;
    }

    private async Task<LoadedCentre> Load(string id, CancellationToken ct)
    {
        var record = await db.Centres.AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, ct);
        if (record is null)
        {
            // A new centre: its row first, so that every later change is an UPDATE of the version. A standby doing the
            // same at the same moment fails the key; the retry loads the row it made.
            record = new CentreRecord { Id = id };
            db.Centres.Add(record);
            await db.SaveChangesAsync(ct);
            db.Entry(record).State = EntityState.Detached;
        }
        var centre = new Centre(id, routing.Value, time);
        var agents = await db.Agents.AsNoTracking().Where(a => a.HomeCentre == id).ToListAsync(ct);
        var live = new[] { ContactStatus.Queued, ContactStatus.Offered, ContactStatus.Connected };
        var contacts = await db.Contacts.AsNoTracking().Where(c => c.Centre == id && live.Contains(c.Status)).ToListAsync(ct);
        var today = await db.Statistics.AsNoTracking().Where(s => s.Centre == id && s.Day == centre.Today.Day).FirstOrDefaultAsync(ct);
        centre.Restore(agents, contacts, today, record.NextSequence);
        log.LogInformation("Centre {Centre} loaded from the store: {Agents} agents, {Contacts} live contacts, version {Version}",
            id, agents.Count, contacts.Count, record.Version);
        var loaded = new LoadedCentre(centre, record.Version, agents.Select(a => a.Id), contacts.Select(c => c.Id), today?.Day);
        states.Keep(loaded);
        return loaded;
    }

    /// <summary>
    /// Adds or updates exactly the entities the command touched. Whether a row exists is known without asking the
    /// store, except for an agent registered here for the first time (rare: it may be known at another centre).
    /// </summary>
    private async Task Stage(LoadedCentre loaded, CentreChanges changes, CancellationToken ct)
    {
        foreach (var contact in changes.Contacts)
            if (loaded.SavedContacts.Contains(contact.Id) || _storedContacts.Contains(contact.Id)) db.Contacts.Update(contact);
            else db.Contacts.Add(contact);

        var newAgents = changes.Agents.Where(a => !loaded.SavedAgents.Contains(a.Id)).Select(a => a.Id).ToList();
        var elsewhere = newAgents.Count == 0 ? []
            : await db.Agents.AsNoTracking().Where(a => newAgents.Contains(a.Id)).Select(a => a.Id).ToListAsync(ct);
        foreach (var agent in changes.Agents)
            if (loaded.SavedAgents.Contains(agent.Id) || elsewhere.Contains(agent.Id)) db.Agents.Update(agent); else db.Agents.Add(agent);

        if (changes.Statistics is { } stats)
            if (loaded.SavedStatisticsDay == stats.Day) db.Statistics.Update(stats); else db.Statistics.Add(stats);
    }

    private static CommandResult ToResult(Guid commandId, Refusal? refusal) => new()
    {
        CommandId = commandId,
        Accepted = refusal is null,
        RefusalKind = refusal?.Kind.ToString().ToLowerInvariant(),
        Field = refusal?.Field,
        Detail = refusal?.Detail,
        Code = refusal?.Code,
    };

    private static CommandResult ToResult(ProcessedCommand done) => new()
    {
        CommandId = done.CommandId, Accepted = done.Accepted, RefusalKind = done.RefusalKind, Field = done.Field, Detail = done.Detail, Code = done.Code,
    };
}
