namespace ContactRouter.Contracts;

public sealed record ContactAnswered
{
    public required string ContactId { get; init; }
    public required string Centre { get; init; }
    public required string AgentId { get; init; }
    public required DateTimeOffset AnsweredAt { get; init; }
    public required double WaitedSeconds { get; init; }
}
