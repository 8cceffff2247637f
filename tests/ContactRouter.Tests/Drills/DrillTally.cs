using System.Collections.Concurrent;
using System.Net;

namespace ContactRouter.Tests.Drills;

/// <summary>One POST /api/contacts: when it was sent and answered, and what came back (0: no answer at all).</summary>
public sealed record CallerAttempt(int Number, string Caller, TimeSpan SentAt, TimeSpan AnsweredAt, int Status, string? ContactId, string? Error)
{
    public bool Accepted => Status is >= 200 and < 300;
    /// <summary>The client gave up before any answer came: the caller cannot know whether they were queued.</summary>
    public bool Unanswered => Status == 0 && Error == "timeout";
}

/// <summary>One command an agent sent (accept or complete), as the agent saw it answered.</summary>
public sealed record AgentAction(string AgentId, string Kind, string ContactId, TimeSpan SentAt, TimeSpan AnsweredAt, int Status, string? Confirmed);

/// <summary>
/// What the callers and agents of one drill saw, so the drill can count from the outside: accepted callers, offers
/// accepted and completed per contact and by whom, and every answer that said "nothing changed" (503) or "pending" (202).
/// </summary>
public sealed class DrillTally
{
    public ConcurrentQueue<CallerAttempt> Calls { get; } = new();
    public ConcurrentQueue<AgentAction> Actions { get; } = new();
    /// <summary>Contacts an agent saw themselves connected to (their own view), per contact the agents.</summary>
    public ConcurrentDictionary<string, ConcurrentDictionary<string, byte>> ConnectedTo { get; } = new();

    public void Record(CallerAttempt attempt) => Calls.Enqueue(attempt);

    public void Record(AgentAction action) => Actions.Enqueue(action);

    public void SawConnected(string contactId, string agentId) => ConnectedTo.GetOrAdd(contactId, _ => new())[agentId] = 0;

    public IReadOnlyList<CallerAttempt> Accepted => Calls.Where(c => c.Accepted).ToList();

    /// <summary>An action the router applied: a 2xx, or a 202 whose command later said applied.</summary>
    public static bool Applied(AgentAction a) => a.Status is 200 or 204 || (a.Status == 202 && a.Confirmed == "applied");

    /// <summary>The first agent action of <paramref name="kind"/> sent at or after <paramref name="since"/> answered 200 at once: request/response working.</summary>
    public TimeSpan? FirstAnsweredAtOnce(string kind, TimeSpan since) =>
        Actions.Where(a => a.Kind == kind && a.SentAt >= since && a.Status == 200).Select(a => (TimeSpan?)a.AnsweredAt).Min();

    /// <summary>The first caller sent at or after <paramref name="since"/> that was accepted: its answer's time.</summary>
    public TimeSpan? FirstAcceptedCaller(TimeSpan since) =>
        Calls.Where(c => c.SentAt >= since && c.Accepted).Select(c => (TimeSpan?)c.AnsweredAt).Min();

    /// <summary>
    /// Contacts that two different agents were connected to (each got an applied accept, or saw it as their own connected
    /// contact), and contacts whose completion was applied twice.
    /// </summary>
    public (int ConnectedTwice, int CompletedTwice) Doubles()
    {
        var applied = Actions.Where(Applied).ToList();
        var agentsPerContact = applied.Where(a => a.Kind == "accept").Select(a => (a.ContactId, a.AgentId))
            .Concat(ConnectedTo.SelectMany(c => c.Value.Keys.Select(agent => (c.Key, agent))))
            .GroupBy(x => x.Item1);
        var connectedTwice = agentsPerContact.Count(g => g.Select(x => x.Item2).Distinct().Count() > 1);
        var completedTwice = applied.Where(a => a.Kind == "complete").GroupBy(a => a.ContactId).Count(g => g.Count() > 1);
        return (connectedTwice, completedTwice);
    }

    public int Count(string kind, HttpStatusCode status) => Actions.Count(a => a.Kind == kind && a.Status == (int)status);
}
