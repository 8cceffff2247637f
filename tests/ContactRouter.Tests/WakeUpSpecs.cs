using ContactRouter.Components;
using Microsoft.Extensions.Time.Testing;

namespace ContactRouter.Tests;

/// <summary>The one pending wake-up that the deadline alarm and the overflow router's review share.</summary>
public sealed class When_a_wake_up_is_asked_for
{
    private readonly FakeTimeProvider _time = RouterFactory.NewClock();
    private int _wakes;

    private WakeUp NewWakeUp(TimeProvider clock) => new(clock, () => { Interlocked.Increment(ref _wakes); return Task.CompletedTask; });

    [Fact]
    public void Should_wake_once_at_the_earliest_moment_asked_for()
    {
        using var wakeUp = NewWakeUp(_time);
        var now = _time.GetUtcNow();
        wakeUp.At(now.AddSeconds(5));
        wakeUp.At(now.AddSeconds(2));
        wakeUp.At(now.AddSeconds(9));
        _time.Advance(TimeSpan.FromSeconds(2));
        _wakes.Should().Be(1);
        _time.Advance(TimeSpan.FromSeconds(10));
        _wakes.Should().Be(1, "the later moments were covered by the earlier wake-up");
    }

    [Fact]
    public void Should_wake_again_when_asked_for_the_same_moment_after_firing_while_the_clock_reads_a_hair_before_it()
    {
        // The overflow router's review: the timer fires, the router looks, but the wall clock says the caller's
        // threshold is still a millisecond ahead, so it asks for that same moment again. That must still come.
        var lagging = new LaggingClock(_time);
        using var wakeUp = NewWakeUp(lagging);
        var threshold = lagging.GetUtcNow().AddSeconds(1);
        wakeUp.At(threshold);
        lagging.Lag = TimeSpan.FromMilliseconds(1);
        _time.Advance(TimeSpan.FromSeconds(1));
        _wakes.Should().Be(1);
        lagging.GetUtcNow().Should().BeBefore(threshold);

        wakeUp.At(threshold);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        _wakes.Should().Be(2);
    }

    /// <summary>Timers of the fake clock; a wall clock that reads <see cref="Lag"/> behind it.</summary>
    private sealed class LaggingClock(FakeTimeProvider inner) : TimeProvider
    {
        public TimeSpan Lag { get; set; }
        public override DateTimeOffset GetUtcNow() => inner.GetUtcNow() - Lag;
        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
            inner.CreateTimer(callback, state, dueTime, period);
    }
}
