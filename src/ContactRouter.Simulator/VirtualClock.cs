namespace ContactRouter.Simulator;

/// <summary>
/// Simulation time for the routing core. A centre only ever asks <see cref="GetUtcNow"/> (it sets no
/// timers), so a clock the event loop moves is all it takes to run the real code years in seconds.
/// </summary>
public sealed class VirtualClock(DateTimeOffset start) : TimeProvider
{
    public DateTimeOffset Start { get; } = start;
    public DateTimeOffset Now { get; private set; } = start;
    /// <summary>Time since the start, in ticks: the event queue's time axis.</summary>
    public long Ticks { get; private set; }

    public override DateTimeOffset GetUtcNow() => Now;

    public void MoveTo(long ticks)
    {
        // Events are taken in time order; going back would mean a bug in the event loop.
        if (ticks < Ticks) throw new InvalidOperationException($"The clock cannot go back from {Ticks} to {ticks}.");
        Ticks = ticks;
        Now = Start.AddTicks(ticks);
    }
}
