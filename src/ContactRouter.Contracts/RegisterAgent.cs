namespace ContactRouter.Contracts;

public sealed record RegisterAgent : CentreCommand
{
    public required string AgentId { get; init; }
    public required string Name { get; init; }
    public required IReadOnlyDictionary<string, int> Skills { get; init; }
}
