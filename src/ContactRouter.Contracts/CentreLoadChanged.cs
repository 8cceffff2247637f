namespace ContactRouter.Contracts;

/// <summary>A centre's load after a change: what the overflow router and the team-lead dashboard watch.</summary>
public sealed record CentreLoadChanged
{
    public required string Centre { get; init; }
    public required DateTimeOffset At { get; init; }
    /// <summary>The centre's state version: a reader keeps the newest and ignores older, redelivered ones.</summary>
    public long Version { get; init; }
    public int Waiting { get; init; }
    /// <summary>Arrival time of the longest-waiting contact, so readers can compute the wait at any later moment.</summary>
    public DateTimeOffset? OldestWaitingSince { get; init; }
    public required IReadOnlyDictionary<string, int> Agents { get; init; }
    public int Offered { get; init; }
    public int Answered { get; init; }
    public int Abandoned { get; init; }
    public double? ServiceLevel { get; init; }
    /// <summary>Queued (not ringing) contacts in routing order: the head of the line, not all of it (see <c>Waiting</c>).</summary>
    public IReadOnlyList<QueuedContactInfo> Queue { get; init; } = [];
    /// <summary>Skills of the agents free right now, one entry per agent.</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, int>> FreeAgents { get; init; } = [];
}
