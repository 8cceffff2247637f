namespace ContactRouter.Contracts;

public sealed record RejectOffer : CentreCommand
{
    public required string AgentId { get; init; }
    public required string ContactId { get; init; }
}
