namespace ContactRouter.Contracts;

/// <summary>A callback's time has come: an outbound contact was queued at its centre.</summary>
public sealed record CallbackDue
{
    public required string CallbackId { get; init; }
    public required string Centre { get; init; }
    public required string ContactId { get; init; }
    public required int Attempt { get; init; }
    public required DateTimeOffset At { get; init; }
}
