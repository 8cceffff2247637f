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
    public string? Code { get; init; }
}

/// <summary>
/// A command the router has accepted — answered 2xx for, or made itself in a committed change (a contact moved by
/// overflow, a callback falling due) — kept in the store from before the answer until its centre has answered it.
/// The bus may lose it (the embedded in-memory bus on a restart, a broker that was down when it was sent); the store
/// does not, so <see cref="CommandId"/> is delivered again until the centre has answered, and the centre's record of
/// processed commands absorbs every copy after the first.
/// </summary>
public sealed class AcceptedCommand
{
    /// <summary>The order of acceptance: commands are delivered again in this order, so an abandon never overtakes its queueing.</summary>
    public long Sequence { get; init; }
    public required Guid CommandId { get; init; }
    public required string Centre { get; init; }
    /// <summary>The contact the command is about, so a command that follows a 202 closely finds the centre its contact went to.</summary>
    public string? ContactId { get; init; }
    public required string MessageType { get; init; }
    public required string Body { get; init; }
    /// <summary>Who asked (<c>ClaimsPrincipal.Who()</c>, or "router" for the router's own commands): only they may ask how it went.</summary>
    public required string Requester { get; init; }
    public required DateTimeOffset AcceptedAt { get; init; }
    /// <summary>
    /// When the relay is to (re)deliver it if nobody has handed it over by then; null while the in-memory bus holds it
    /// (only a restart, which empties that bus, delivers it again).
    /// </summary>
    public DateTimeOffset? DeliverAfter { get; set; }
    /// <summary>When a durable broker confirmed it; the relay leaves it alone from then (the broker keeps it).</summary>
    public DateTimeOffset? HandedOverAt { get; set; }
    /// <summary>When the centre applied or refused it (in the same transaction as its change); its answer is the <see cref="ProcessedCommand"/>.</summary>
    public DateTimeOffset? AnsweredAt { get; set; }
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
    public required string Body { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    /// <summary>
    /// On the in-memory bus a published event is kept a while after publishing (a restart loses what the bus held and
    /// publishes it again); on RabbitMQ the broker holds it and the row is deleted at once.
    /// </summary>
    public DateTimeOffset? PublishedAt { get; set; }
}
