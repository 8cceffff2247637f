namespace ContactRouter.Contracts;

public sealed record ContactCompleted
{
    public required string ContactId { get; init; }
    public required string Centre { get; init; }
    public required string AgentId { get; init; }
    public required string Outcome { get; init; }
    public string? Summary { get; init; }
    public required DateTimeOffset CompletedAt { get; init; }
}
