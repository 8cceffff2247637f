namespace ContactRouter.Contracts;

/// <summary>
/// A command for one centre's worker, sent (never published) to its queue <c>centre.&lt;id&gt;</c>.
/// <see cref="CommandId"/> makes it idempotent: a redelivered or duplicated command changes nothing twice.
/// </summary>
public abstract record CentreCommand
{
    public Guid CommandId { get; init; } = Guid.NewGuid();
    public required string Centre { get; init; }
}
