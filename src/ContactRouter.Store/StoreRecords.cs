namespace ContactRouter.Store;

/// <summary>
/// One row per centre. <see cref="Version"/> rises with every saved change: a worker compares it with the
/// version it holds in memory and reloads when another instance (a standby that took over) wrote since.
/// </summary>
public sealed class CentreRecord
{
    public required string Id { get; init; }
    public long Version { get; set; }
    public long NextSequence { get; set; } = 1;
}

/// <summary>A command the centre worker has applied, with its answer, so a duplicate is absorbed and answered the same.</summary>
public sealed class ProcessedCommand
{
    public required Guid CommandId { get; init; }
    public required string Centre { get; init; }
    public required DateTimeOffset ProcessedAt { get; init; }
    public bool Accepted { get; init; }
    public string? RefusalKind { get; init; }
    public string? Field { get; init; }
    public string? Detail { get; init; }
}

/// <summary>
/// An event written in the same transaction as the state change that caused it, then published and
/// deleted (eShop's IntegrationEventLog pattern: MassTransit's EF outbox package is not available here).
/// </summary>
public sealed class OutboxMessage
{
    public long Id { get; init; }
    public required string Centre { get; init; }
    public required string MessageType { get; init; }
    /// <summary>A centre to send a command to; null for an event to publish.</summary>
    public string? SendToCentre { get; init; }
    public required string Body { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
}
