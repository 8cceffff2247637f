namespace ContactRouter.Contracts;

public sealed record ContactOffered
{
    public required string ContactId { get; init; }
    public required string Centre { get; init; }
    public required string AgentId { get; init; }
    public required DateTimeOffset OfferedAt { get; init; }
    public required DateTimeOffset ExpiresAt { get; init; }
}
