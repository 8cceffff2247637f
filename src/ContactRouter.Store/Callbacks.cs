namespace ContactRouter.Store;

/// <summary>Where a callback appointment stands.</summary>
public static class CallbackStatus
{
    public const string Booked = "booked";       // waiting for its slot (or its next attempt)
    public const string Due = "due";             // an outbound contact is queued at the centre
    public const string Calling = "calling";     // an agent has the customer on the line
    public const string Done = "done";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";

    public static readonly string[] Open = [Booked, Due, Calling];
}

/// <summary>
/// A callback appointment ("terugbelafspraak"), an internal task (interne taak) in Klantinteracties terms.
/// It lives in the store, not on the broker: it must survive any restart, and Debian's RabbitMQ has no
/// delayed-message plugin. <see cref="Version"/> keeps two schedulers from both calling the customer.
/// </summary>
public sealed class CallbackAppointment
{
    public required string Id { get; init; }
    /// <summary>The centre the customer's question belongs to.</summary>
    public required string HomeCentre { get; init; }
    /// <summary>The centre that calls: the home centre, or a neighbour when home had no room.</summary>
    public required string Centre { get; set; }
    public required string Caller { get; init; }
    public string? Name { get; init; }
    public required string Question { get; init; }
    public required DateTimeOffset NotBefore { get; set; }
    public required DateTimeOffset NotAfter { get; set; }
    public required DateTimeOffset SlotStart { get; set; }
    public required DateTimeOffset BookedAt { get; init; }
    public required string PlacedReason { get; set; }
    /// <summary>The reception's Idempotency-Key: the same request twice books once, so nobody is called twice.</summary>
    public string? IdempotencyKey { get; init; }

    public string Status { get; set; } = CallbackStatus.Booked;
    public int Attempts { get; set; }
    public DateTimeOffset NextAttemptAt { get; set; }
    public DateTimeOffset? LastAttemptAt { get; set; }
    public string? CurrentContactId { get; set; }
    public string? Outcome { get; set; }
    public DateTimeOffset? AtRiskSince { get; set; }
    public long Version { get; set; }
}
