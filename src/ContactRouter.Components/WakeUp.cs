namespace ContactRouter.Components;

/// <summary>
/// One pending wake-up on <see cref="TimeProvider"/>, at the earliest moment asked for: a later request does not
/// postpone an earlier one still pending. The centres' deadline alarm and the overflow router's review share it.
/// </summary>
public sealed class WakeUp(TimeProvider time, Func<Task> wake) : IDisposable
{
    private readonly Lock _lock = new();
    private ITimer? _timer;
    private DateTimeOffset _at;
    /// <summary>Counts the timers made, so a timer that fires knows whether it is still the pending one.</summary>
    private long _generation;

    public void At(DateTimeOffset? at)
    {
        if (at is null) return;
        lock (_lock)
        {
            var now = time.GetUtcNow();
            // Only a timer that has not fired yet counts as pending. The wall clock can read a hair before the
            // moment a timer fired for, so "_at is still ahead" alone would take a fired timer for a pending one
            // and the wake-up asked for again at that same moment would never come.
            if (_timer is not null && _at <= at && _at > now) return;
            _timer?.Dispose();
            _at = at.Value;
            var due = at.Value - now;
            var generation = ++_generation;
            _timer = time.CreateTimer(_ => Fire(generation), null, due < TimeSpan.Zero ? TimeSpan.Zero : due, Timeout.InfiniteTimeSpan);
        }
    }

    private void Fire(long generation)
    {
        lock (_lock)
        {
            if (generation != _generation) return;
            _timer?.Dispose();
            _timer = null;
        }
        _ = wake();
    }

    public void Dispose()
    {
        lock (_lock) _timer?.Dispose();
    }
}
