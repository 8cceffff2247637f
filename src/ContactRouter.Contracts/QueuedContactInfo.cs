namespace ContactRouter.Contracts;

/// <summary>A queued contact as the overflow router needs to see it. No caller details: the router does not need them.</summary>
public sealed record QueuedContactInfo
{
    public required string ContactId { get; init; }
    public required string HomeCentre { get; init; }
    public int Priority { get; init; }
    public required DateTimeOffset QueuedAt { get; init; }
    public int Hops { get; init; }
}
