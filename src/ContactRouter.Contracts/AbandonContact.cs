namespace ContactRouter.Contracts;

/// <summary>The caller hung up while waiting.</summary>
public sealed record AbandonContact : CentreCommand
{
    public required string ContactId { get; init; }
}
