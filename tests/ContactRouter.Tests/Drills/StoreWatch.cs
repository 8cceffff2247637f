using System.Collections.Concurrent;
using ContactRouter.Routing;
using ContactRouter.Store;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace ContactRouter.Tests.Drills;

/// <summary>The store's own account of a drill's contacts after it settled.</summary>
public sealed record StoreCounts(int Contacts, int Answered, int Completed, int Abandoned, int Waiting, int CountedOffered, int CountedAnswered, int CountedAbandoned)
{
    /// <summary>
    /// Arrivals, answers and hang-ups the centre counted more often than there are contacts that arrived, were answered or
    /// hung up: a command applied twice (a contact queued twice, an offer connected twice).
    /// </summary>
    public int CountedTwice => Math.Max(0, CountedOffered - Contacts) + Math.Max(0, CountedAnswered - Answered) + Math.Max(0, CountedAbandoned - Abandoned);

    /// <summary>Counted against what the contacts show, for the reader of a drill that found a difference.</summary>
    public string Detail => $"arrivals counted {CountedOffered} for {Contacts} contacts, answers {CountedAnswered} for {Answered}, hang-ups {CountedAbandoned} for {Abandoned}";
}

/// <summary>
/// Reads the drill's store directly, as a second process would: a sampler that looks, a few times a second, for one
/// contact ringing at (or connected to) two agents in the same snapshot, and the final counts.
/// </summary>
public sealed class StoreWatch(StoreProvider provider, string connectionString)
{
    private readonly ConcurrentDictionary<string, byte> _ringingTwice = new();
    private readonly ConcurrentDictionary<string, byte> _connectedTwice = new();

    public int Samples { get; private set; }
    public int RingingTwice => _ringingTwice.Count;
    public int ConnectedTwice => _connectedTwice.Count;

    public RouterDbContext Open() => RouterStore.Open(provider, connectionString);

    /// <summary>Samples until <paramref name="stop"/>; a store that is not there yet (a cold start) is simply sampled again.</summary>
    public async Task Run(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(200));
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                try
                {
                    await using var db = Open();
                    // One statement: one snapshot of every agent's offer and connected contact.
                    var agents = await db.Agents.AsNoTracking()
                        .Where(a => a.OfferedContactId != null || a.ConnectedContactId != null)
                        .Select(a => new { a.Id, a.OfferedContactId, a.ConnectedContactId })
                        .ToListAsync(stop);
                    foreach (var twice in agents.Where(a => a.OfferedContactId != null).GroupBy(a => a.OfferedContactId!).Where(g => g.Count() > 1))
                        _ringingTwice[twice.Key] = 0;
                    foreach (var twice in agents.Where(a => a.ConnectedContactId != null).GroupBy(a => a.ConnectedContactId!).Where(g => g.Count() > 1))
                        _connectedTwice[twice.Key] = 0;
                    Samples++;
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // Not migrated yet, or the file is being replaced: the next tick looks again.
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The drill is over.
        }
    }

    public async Task<StoreCounts> Count()
    {
        await using var db = Open();
        // One snapshot for both reads: agents may still be at work, and an answer between them is no double count.
        await using var snapshot = await db.Database.BeginTransactionAsync(
            provider == StoreProvider.Postgres ? System.Data.IsolationLevel.RepeatableRead : System.Data.IsolationLevel.Serializable);
        var contacts = await db.Contacts.AsNoTracking().Select(c => new { c.Status, c.AnsweredAt }).ToListAsync();
        var days = await db.Statistics.AsNoTracking().ToListAsync();
        return new StoreCounts(
            contacts.Count,
            contacts.Count(c => c.AnsweredAt != null),
            contacts.Count(c => c.Status == ContactStatus.Completed),
            contacts.Count(c => c.Status == ContactStatus.Abandoned),
            contacts.Count(c => c.Status is ContactStatus.Queued or ContactStatus.Offered),
            days.Sum(d => d.Arrived), days.Sum(d => d.Answered), days.Sum(d => d.Abandoned));
    }

    /// <summary>The stored contacts of these callers' phone numbers (the drill gives every caller a number of its own).</summary>
    public async Task<Dictionary<string, Contact>> ContactsOf(IReadOnlyCollection<string> callers)
    {
        await using var db = Open();
        var found = await db.Contacts.AsNoTracking().Where(c => callers.Contains(c.Caller)).ToListAsync();
        return found.GroupBy(c => c.Caller).ToDictionary(g => g.Key, g => g.First());
    }

    /// <summary>
    /// When the router answered (an agent was connected to) its first caller after <paramref name="since"/>, by the
    /// contacts' own answer times: the store's account of "serving again", whichever command got through first.
    /// </summary>
    public async Task<DateTimeOffset?> FirstAnsweredAfter(DateTimeOffset since)
    {
        await using var db = Open();
        var answered = await db.Contacts.AsNoTracking().Where(c => c.AnsweredAt != null).Select(c => c.AnsweredAt).ToListAsync();
        // Compared here, not in SQL: SQLite stores the times as text.
        return answered.Where(a => a > since).Min();
    }

    /// <summary>
    /// The longest stretch from <paramref name="from"/> on without the router answering a caller (from that moment to
    /// the first answer, or between two answers): how long service paused around a fault.
    /// </summary>
    public async Task<TimeSpan> LongestPause(DateTimeOffset from)
    {
        await using var db = Open();
        var answered = (await db.Contacts.AsNoTracking().Where(c => c.AnsweredAt != null).Select(c => c.AnsweredAt!.Value).ToListAsync())
            .Where(a => a > from).Order().Prepend(from).ToList();
        return answered.Zip(answered.Skip(1), (a, b) => b - a).DefaultIfEmpty(TimeSpan.Zero).Max();
    }

    /// <summary>How many contacts the store holds per caller: more than one for a drill's caller is a caller queued twice.</summary>
    public async Task<Dictionary<string, int>> ContactsPerCaller(IReadOnlyCollection<string> callers)
    {
        await using var db = Open();
        return await db.Contacts.AsNoTracking().Where(c => callers.Contains(c.Caller)).GroupBy(c => c.Caller)
            .Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count);
    }

    public async Task<Dictionary<string, Contact>> ContactsById(IReadOnlyCollection<string> ids)
    {
        await using var db = Open();
        return await db.Contacts.AsNoTracking().Where(c => ids.Contains(c.Id)).ToDictionaryAsync(c => c.Id);
    }

    /// <summary>Lets go of the SQLite file (pooled connections keep it open otherwise).</summary>
    public void Release()
    {
        if (provider == StoreProvider.Sqlite) SqliteConnection.ClearAllPools();
    }
}
