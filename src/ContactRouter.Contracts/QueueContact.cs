namespace ContactRouter.Contracts;

/// <summary>A caller arrived: queue them at the centre. No BSN here, ever: the caller is a phone number.</summary>
public sealed record QueueContact : CentreCommand
{
    public required string ContactId { get; init; }
    public required string HomeCentre { get; init; }
    public required string Channel { get; init; }
    public required string Caller { get; init; }
    public int Priority { get; init; }
    public string? Topic { get; init; }
    /// <summary>Arrival at the home centre; a contact moved by overflow keeps it, and so its place.</summary>
    public required DateTimeOffset QueuedAt { get; init; }
    /// <summary>How often the overflow router moved this contact; 0 for a first contact.</summary>
    public int Hops { get; init; }
}
