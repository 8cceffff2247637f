namespace ContactRouter.Contracts;

/// <summary>Reception booked a callback. The question stays in the store: it may hold personal details.</summary>
public sealed record CallbackBooked
{
    public required string CallbackId { get; init; }
    public required string HomeCentre { get; init; }
    public required string Centre { get; init; }
    public required string Caller { get; init; }
    public required DateTimeOffset SlotStart { get; init; }
    public required DateTimeOffset NotAfter { get; init; }
    public required DateTimeOffset BookedAt { get; init; }
}
