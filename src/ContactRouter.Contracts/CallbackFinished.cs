namespace ContactRouter.Contracts;

/// <summary>A callback ended: done (reached), failed (attempts used up or out of time) or cancelled.</summary>
public sealed record CallbackFinished
{
    public required string CallbackId { get; init; }
    public required string Centre { get; init; }
    public required string Status { get; init; }
    public required DateTimeOffset At { get; init; }
}
