namespace ContactRouter.Contracts;

/// <summary>An offer came back (rejected, timed out, agent left); the contact is at its old place again.</summary>
public sealed record ContactRequeued
{
    public required string ContactId { get; init; }
    public required string Centre { get; init; }
    public required string AgentId { get; init; }
    public required string Reason { get; init; }
    public required DateTimeOffset At { get; init; }
}
