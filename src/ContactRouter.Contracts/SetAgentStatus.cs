namespace ContactRouter.Contracts;

/// <summary><see cref="Status"/> is what the agent asks for: available, break or offline.</summary>
public sealed record SetAgentStatus : CentreCommand
{
    public required string AgentId { get; init; }
    public required string Status { get; init; }
}
