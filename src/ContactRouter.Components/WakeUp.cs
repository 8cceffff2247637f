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

    public void At(DateTimeOffset? at)
    {
        if (at is null) return;
        lock (_lock)
        {
            var now = time.GetUtcNow();
            if (_timer is not null && _at <= at && _at > now) return;
            _timer?.Dispose();
            _at = at.Value;
            var due = at.Value - now;
            _timer = time.CreateTimer(_ => _ = wake(), null, due < TimeSpan.Zero ? TimeSpan.Zero : due, Timeout.InfiniteTimeSpan);
        }
    }

    public void Dispose()
    {
        lock (_lock) _timer?.Dispose();
    }
}
