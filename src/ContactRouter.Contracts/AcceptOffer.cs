namespace ContactRouter.Contracts;

public sealed record AcceptOffer : CentreCommand
{
    public required string AgentId { get; init; }
    public required string ContactId { get; init; }
}
