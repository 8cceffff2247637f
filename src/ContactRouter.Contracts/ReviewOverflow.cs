namespace ContactRouter.Contracts;

/// <summary>Wakes the overflow router when a waiting contact reaches its threshold without any new load event.</summary>
public sealed record ReviewOverflow
{
    public DateTimeOffset At { get; init; }
}
