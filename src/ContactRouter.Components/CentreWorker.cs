using System.Collections.Concurrent;
using System.Diagnostics;
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
    public const int CheckedInStoreAfterLoad = 128; // twice the default prefetch: all a previous owner can have held

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
/// Applies a centre's commands: take its state (loaded once), skip duplicates, apply each in arrival order, then save
/// the rows they changed, their answers and the resulting events in one transaction, and publish the events after
/// commit. A consumer hands its command over with <see cref="Handle"/>; the <see cref="CentreBatcher"/> gathers what
/// waits and calls <see cref="Apply"/>.
/// </summary>
public sealed class CentreWorker(
    RouterDbContext db,
    CentreStates states,
    CentreBatcher batcher,
    DeliveryOrder order,
    OutboxPublisher outbox,
    OutboxCleanup cleanup,
    DeadlineAlarm alarm,
    IOptions<RoutingOptions> routing,
    TimeProvider time,
    ILogger<CentreWorker> log) : IDisposable
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

    /// <summary>
    /// Hands the command to its centre's next batch, in its queue's order, and waits for the answer: given only once
    /// the batch has committed.
    /// </summary>
    public async Task<CommandResult> Handle(CentreCommand command, Func<Centre, Refusal?> apply, ConsumeContext context, CancellationToken ct)
    {
        Task<CommandResult> answer;
        using (var turn = Arrive(context))
        {
            await turn.Wait(ct);
            answer = batcher.Submit(new PendingCommand(command, apply, context, context, [.. _storedContacts]));
        }
        return await answer.WaitAsync(ct);
    }

    private DeliveryOrder.Turn? _turn;

    /// <summary>
    /// Takes the delivery's place in its queue's line; a consumer that reads before handing its command on calls this
    /// first, so the line waits for it rather than passing over it.
    /// </summary>
    public DeliveryOrder.Turn Arrive(ConsumeContext context) => _turn ??= order.Arrive(context);

    /// <summary>A consumer that failed before handing its command on still lets the next delivery go.</summary>
    public void Dispose() => _turn?.Dispose();

    /// <summary>A batch slower than this is logged with where its time went: an operator's first clue, no listener needed.</summary>
    private static readonly TimeSpan SlowBatch = TimeSpan.FromSeconds(1);

    /// <summary>What <see cref="Apply"/> leaves to <see cref="Finish"/>: the batch, its answers, and a load report to publish.</summary>
    private (IReadOnlyList<PendingCommand> Batch, CommandResult[] Answers, bool[] Duplicates, object? Load, long Started)? _saved;

    /// <summary>
    /// Applies the batch in order and saves it in one transaction: one version step, so a standby that wrote in between
    /// still fails the <c>UPDATE … WHERE Version = @v</c>. A refused command is answered as refused and leaves the others
    /// be; a duplicate (also one inside the batch) is answered as before. Should the save fail the centre is forgotten
    /// (the next attempt reloads it) and nothing is answered. The events go out and the commands are answered in
    /// <see cref="Finish"/>, which no longer needs the centre: the next batch is applied and saved meanwhile.
    /// </summary>
    public async Task Apply(string centreId, IReadOnlyList<PendingCommand> batch, CancellationToken ct)
    {
        var started = CentreWorkerMetrics.Start();
        var phase = started;
        var answers = new CommandResult[batch.Count];
        var answered = new Dictionary<Guid, CommandResult>();
        var duplicates = new bool[batch.Count];
        var now = time.GetUtcNow();
        (List<(long, long)>, List<(long, long)>)? marked = null;
        LoadedCentre loaded;
        CentreChanges changes;
        var reportLoad = false;
        long appliedAt = started, stagedAt = started;
        try
        {
            loaded = states.Current(centreId) ?? await Load(centreId, ct);
            phase = CentreWorkerMetrics.Record(CentreWorkerMetrics.Load, phase);
            var centre = loaded.Centre;
            for (var i = 0; i < batch.Count; i++)
            {
                var command = batch[i].Command;
                if (command is ReportLoad)
                {
                    // Informational, not a change: nothing saved, the load published below.
                    reportLoad = true;
                    answers[i] = ToResult(command.CommandId, null);
                    continue;
                }

                // A redelivered or duplicated command (also twice in this batch) is answered as before and changes nothing.
                var bookkeeping = command is not CheckDeadlines;
                if (bookkeeping && (answered.GetValueOrDefault(command.CommandId) ?? await Answered(loaded, command.CommandId, ct)) is { } done)
                {
                    log.LogInformation("Command {CommandId} ({Type}) at {Centre} was already applied; absorbed", command.CommandId, command.GetType().Name, centreId);
                    duplicates[i] = true;
                    answers[i] = done;
                    continue;
                }
                phase = CentreWorkerMetrics.Record(CentreWorkerMetrics.DuplicateCheck, phase);

                Refusal? refusal;
                try
                {
                    refusal = batch[i].Apply(centre);
                }
                catch (Exception ex)
                {
                    throw new CommandFailedException(batch[i], ex);
                }
                phase = CentreWorkerMetrics.Record(CentreWorkerMetrics.Apply, phase);
                if (refusal is not null)
                    // The detail quotes what the caller sent (an id): cut and escaped, so it can neither fill the log nor forge a line.
                    log.LogInformation("{Type} at {Centre} refused: {Field}: {Detail}", command.GetType().Name, centreId,
                        AccessLog.Clip(refusal.Field), AccessLog.Clip(refusal.Detail));
                answers[i] = ToResult(command.CommandId, refusal);
                if (!bookkeeping) continue;
                _storedContacts.UnionWith(batch[i].StoredContacts);
                answered[command.CommandId] = answers[i];
                db.ProcessedCommands.Add(new ProcessedCommand
                {
                    CommandId = command.CommandId, Centre = centreId, ProcessedAt = now,
                    Accepted = refusal is null, RefusalKind = refusal?.Kind.ToString().ToLowerInvariant(), Field = refusal?.Field, Detail = refusal?.Detail, Code = refusal?.Code,
                });
            }
            // What the whole batch changed: the core gathers it across commands, each changed row once.
            changes = centre.TakeChanges();
            appliedAt = Stopwatch.GetTimestamp();

            if (answered.Count == 0 && changes.IsEmpty)
            {
                alarm.Arm(centreId, centre.NextDeadline());
                _saved = (batch, answers, duplicates, reportLoad ? EventMapping.LoadOf(centre, now, loaded.Version) : null, started);
                return;
            }

            var version = loaded.Version + 1;
            await Stage(loaded, changes, ct);
            // A registered agent (or a new name or skills) is no routing event, but the team leads' people list and the
            // tiles' agent counts show it: the load event that goes with every change tells the consoles to read again.
            if (changes.Events.Count > 0 || changes.Agents.Count > 0 || reportLoad)
                outbox.Stage(db, centreId, EventMapping.ToMessages(centre, changes, now, version));
            foreach (var move in EventMapping.Moves(changes))
                outbox.StageSend(db, move);
            phase = CentreWorkerMetrics.Record(CentreWorkerMetrics.Stage, phase);
            stagedAt = phase;

            // One transaction: the changes, their answers, their events, the accepted commands marked answered, and the
            // rows of events published earlier marked. The version check rides on the UPDATE that raises it: no read.
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            var raised = await db.Centres.Where(c => c.Id == centreId && c.Version == loaded.Version)
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.Version, version).SetProperty(c => c.NextSequence, centre.NextSequence), ct);
            if (raised == 0)
                throw new DbUpdateConcurrencyException(
                    $"Centre {centreId} is no longer at version {loaded.Version} in the store: another instance wrote since; reloading.");
            if (answered.Count > 0) await CommandLedger.MarkAnswered(db, answered.Keys, now, ct);
            marked = await cleanup.MarkIn(db, ct);
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
            loaded.Version = version;
        }
        catch
        {
            if (marked is { } unmarked) cleanup.Return(unmarked);
            outbox.DiscardStaged();
            states.Forget(centreId);
            throw;
        }
        loaded.Saved(changes);
        foreach (var answer in answered.Values) loaded.Remember(answer);
        alarm.Arm(centreId, loaded.Centre.NextDeadline());
        var committedAt = CentreWorkerMetrics.Record(CentreWorkerMetrics.Commit, phase);
        CentreWorkerMetrics.BatchSize.Record(batch.Count);
        if (Stopwatch.GetElapsedTime(started, committedAt) > SlowBatch)
            log.LogWarning("A batch of {Commands} commands at {Centre} took {Total:0} ms (apply {Apply:0}, stage {Stage:0}, commit {Commit:0}); it changed {Contacts} contacts and {Agents} agents",
                batch.Count, centreId, Stopwatch.GetElapsedTime(started, committedAt).TotalMilliseconds, Stopwatch.GetElapsedTime(started, appliedAt).TotalMilliseconds,
                Stopwatch.GetElapsedTime(appliedAt, stagedAt).TotalMilliseconds, Stopwatch.GetElapsedTime(stagedAt, committedAt).TotalMilliseconds,
                changes.Contacts.Count, changes.Agents.Count);
        _saved = (batch, answers, duplicates, null, started);
    }

    /// <summary>
    /// Publishes what the saved batch staged and then answers its commands. The <see cref="CentreBatcher"/> calls it for
    /// one batch after another, so a centre's events still go out in the order they happened; it overlaps with the
    /// next batch's apply and commit, which costs the next batch nothing but an fsync. Should publishing fail, the
    /// events stay in the outbox (the relay publishes them) and the commands' retries are answered as duplicates.
    /// </summary>
    public async Task Finish(CancellationToken ct)
    {
        if (_saved is not { } saved) return;
        var (batch, answers, duplicates, load, started) = saved;
        if (load is not null) await batch[0].Publisher.Publish(load, load.GetType(), ct);
        await outbox.PublishStaged(db, batch[0].Publisher, batch[0].Sender, ct);
        for (var i = 0; i < batch.Count; i++)
        {
            if (duplicates[i]) CentreWorkerMetrics.Answered("duplicate");
            else if (batch[i].Command is not (ReportLoad or CheckDeadlines))
                CentreWorkerMetrics.Answered(answers[i].Accepted ? "applied" : "refused");
            batch[i].Answer.TrySetResult(answers[i]);
        }
        CentreWorkerMetrics.Record(CentreWorkerMetrics.Total, started);
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
