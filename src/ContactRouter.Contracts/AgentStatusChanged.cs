namespace ContactRouter.Contracts;

public sealed record AgentStatusChanged
{
    public required string AgentId { get; init; }
    public required string Centre { get; init; }
    public required string Status { get; init; }
    public required DateTimeOffset At { get; init; }
}
