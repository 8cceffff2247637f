namespace ContactRouter.Contracts;

/// <summary>The overflow router asks a centre to move one of its queued contacts to a neighbour.</summary>
public sealed record TransferContact : CentreCommand
{
    public required string ContactId { get; init; }
    public required string ToCentre { get; init; }
}
