namespace ContactRouter.Simulator;

public enum EventKind
{
    Arrival,
    /// <summary>A ringing agent picks up (only when the scenario sets answerSeconds).</summary>
    Answer,
    Completion,
    /// <summary>The caller's patience runs out; they hang up if still waiting.</summary>
    Patience,
    /// <summary>A wrap-up ends: the centre must be told so it can offer the agent the next contact.</summary>
    Tick,
    /// <summary>A waiting contact reaches its overflow threshold.</summary>
    OverflowReview,
}

/// <param name="Centre">Index of the centre (home centre for arrivals, the holding centre for ticks).</param>
public readonly record struct SimEvent(EventKind Kind, int Centre, SimContact? Contact = null, string? AgentId = null);

/// <summary>
/// Future events in time order. Ties are broken by scheduling order (a sequence number), so the run does
/// not depend on the heap's internal order: the same seed gives the same result.
/// </summary>
public sealed class EventQueue
{
    private readonly PriorityQueue<SimEvent, (long Ticks, long Sequence)> _heap = new();
    private long _sequence;

    public int Count => _heap.Count;

    public void Schedule(long ticks, SimEvent e) => _heap.Enqueue(e, (ticks, _sequence++));

    public bool TryNext(out SimEvent e, out long ticks)
    {
        if (_heap.TryDequeue(out e, out var key))
        {
            ticks = key.Ticks;
            return true;
        }
        ticks = 0;
        return false;
    }
}
