namespace ContactRouter.Contracts;

/// <summary>
/// The worker's answer to a command sent as a request. A refusal names the offending field so the
/// API can answer problem+json; <see cref="RefusalKind"/> is notfound, conflict or invalid.
/// </summary>
public sealed record CommandResult
{
    public required Guid CommandId { get; init; }
    public bool Accepted { get; init; }
    public string? RefusalKind { get; init; }
    public string? Field { get; init; }
    public string? Detail { get; init; }
    /// <summary>A stable name for the reason of a refusal, which the consoles say in Dutch.</summary>
    public string? Code { get; init; }
}
