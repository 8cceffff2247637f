namespace ContactRouter.Contracts;

/// <summary>A team lead raised a waiting caller's priority; the caller keeps their place in time, only the order changes.</summary>
public sealed record ContactPriorityRaised
{
    public required string ContactId { get; init; }
    public required string Centre { get; init; }
    public required int Priority { get; init; }
    public required DateTimeOffset At { get; init; }
}
