namespace ContactRouter.Contracts;

/// <summary>A waiting contact moved to a neighbouring centre (overflow); it keeps its arrival time and priority.</summary>
public sealed record ContactTransferred
{
    public required string ContactId { get; init; }
    public required string HomeCentre { get; init; }
    public required string FromCentre { get; init; }
    public required string ToCentre { get; init; }
    public required int Hops { get; init; }
    public required DateTimeOffset At { get; init; }
}
