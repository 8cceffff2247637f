namespace ContactRouter.Contracts;

/// <summary>
/// Whether anyone is at the agent's desk: the web host sends <see cref="Reachable"/> false when the agent's console
/// stream has been gone for the grace (Router:ConsoleGrace), and true when it opens again. Apart from the presence the
/// agent asked for (<see cref="SetAgentStatus"/>), which coming back restores.
/// </summary>
public sealed record SetAgentReachable : CentreCommand
{
    public required string AgentId { get; init; }
    public required bool Reachable { get; init; }
}
