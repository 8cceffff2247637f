namespace ContactRouter.Contracts;

/// <summary>A team lead raises a waiting caller's priority at the centre that holds them.</summary>
public sealed record RaisePriority : CentreCommand
{
    public required string ContactId { get; init; }
    public required int Priority { get; init; }
}
