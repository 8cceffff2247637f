namespace ContactRouter.Contracts;

public sealed record CompleteContact : CentreCommand
{
    public required string ContactId { get; init; }
    public required string Outcome { get; init; }
    public string? Summary { get; init; }
}
