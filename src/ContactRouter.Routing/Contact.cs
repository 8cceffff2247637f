namespace ContactRouter.Routing;

public enum ContactStatus { Queued, Offered, Connected, Completed, Abandoned }

/// <summary>
/// A caller (or, later, a callback) waiting for or talking to an agent. The centre that holds it is
/// its single writer; setters are internal so only the routing core changes a contact.
/// </summary>
public sealed class Contact
{
    public required string Id { get; init; }
    /// <summary>The centre whose domain the question belongs to; skills are matched against this.</summary>
    public required string HomeCentre { get; init; }
    /// <summary>The centre whose queue holds the contact now (differs from <see cref="HomeCentre"/> after overflow).</summary>
    public required string Centre { get; set; }
    public required string Channel { get; init; }
    public required string Caller { get; init; }
    /// <summary>Set when queued; a team lead may raise it while the caller waits (<see cref="Centre.RaisePriority"/>).</summary>
    public int Priority { get; set; }
    public string? Topic { get; init; }

    /// <summary>Arrival time: kept across re-queues and moves, so a returned contact keeps its old place.</summary>
    public DateTimeOffset QueuedAt { get; init; }
    /// <summary>Arrival order at the centre; breaks ties between contacts that arrived in the same instant.</summary>
    public long Sequence { get; set; }

    public ContactStatus Status { get; internal set; }
    public string? AgentId { get; internal set; }
    public DateTimeOffset? OfferedAt { get; internal set; }
    public DateTimeOffset? AnsweredAt { get; internal set; }
    public DateTimeOffset? CompletedAt { get; internal set; }
    public DateTimeOffset? AbandonedAt { get; internal set; }
    public string? Outcome { get; internal set; }
    public string? Summary { get; internal set; }
    public int Hops { get; set; }
    public bool Overflowed => Hops > 0;
    public int OfferCount { get; internal set; }

    /// <summary>Agents who rejected this contact, and until when they are not offered it again.</summary>
    public Dictionary<string, DateTimeOffset> DeclinedUntil { get; init; } = new();

    public bool IsWaiting => Status is ContactStatus.Queued or ContactStatus.Offered;
    public bool IsLive => Status is ContactStatus.Queued or ContactStatus.Offered or ContactStatus.Connected;

    public TimeSpan WaitedAt(DateTimeOffset now) => (AnsweredAt ?? AbandonedAt ?? now) - QueuedAt;

    /// <summary>Priority plus an aging bonus that grows with time waited, so nothing starves.</summary>
    public double EffectivePriority(DateTimeOffset now, double agingPointsPerMinute) =>
        Priority + agingPointsPerMinute * Math.Max(0, (now - QueuedAt).TotalMinutes);
}
