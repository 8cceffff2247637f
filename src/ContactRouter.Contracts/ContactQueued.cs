namespace ContactRouter.Contracts;

public sealed record ContactQueued
{
    public required string ContactId { get; init; }
    public required string Centre { get; init; }
    public required string HomeCentre { get; init; }
    public required string Channel { get; init; }
    public required string Caller { get; init; }
    public int Priority { get; init; }
    public string? Topic { get; init; }
    public required DateTimeOffset QueuedAt { get; init; }
    /// <summary>How often the contact was moved by overflow before landing here.</summary>
    public int Hops { get; init; }
}
