namespace ContactRouter.Routing;

/// <summary>
/// The M/M/c queue (Erlang C): the analytic bound the simulator's "separate" policy must reproduce.
/// With offered load a = λ·h Erlang on c agents: P(wait) = C(c, a), SL(t) = 1 − C·e^(−(c−a)·t/h), ASA = C·h/(c−a).
/// </summary>
public static class ErlangC
{
    /// <summary>Probability that a caller has to wait. Computed from Erlang B's stable recursion.</summary>
    public static double ProbabilityOfWait(int agents, double load)
    {
        if (load >= agents) return 1.0;
        var b = 1.0;
        for (var k = 1; k <= agents; k++) b = load * b / (k + load * b);
        return agents * b / (agents - load * (1 - b));
    }

    /// <summary>Share of callers answered within <paramref name="target"/>.</summary>
    public static double ServiceLevel(int agents, double load, TimeSpan handleTime, TimeSpan target) =>
        load >= agents ? 0 : 1 - ProbabilityOfWait(agents, load) * Math.Exp(-(agents - load) * target.TotalSeconds / handleTime.TotalSeconds);

    /// <summary>Average speed of answer (mean wait over all callers).</summary>
    public static TimeSpan AverageSpeedOfAnswer(int agents, double load, TimeSpan handleTime) =>
        load >= agents ? TimeSpan.MaxValue : TimeSpan.FromSeconds(ProbabilityOfWait(agents, load) * handleTime.TotalSeconds / (agents - load));
}
