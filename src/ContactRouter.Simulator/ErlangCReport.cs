using ContactRouter.Routing;

namespace ContactRouter.Simulator;

/// <summary>
/// The analytic figures a run is judged against: each centre on its own (what <c>separate</c> must reproduce)
/// and all agents in one pool (the bound <c>overflow</c> tries to approach).
/// </summary>
public sealed record ErlangCReport(IReadOnlyList<ErlangCFigures> Separate, ErlangCFigures Pooled)
{
    public static ErlangCReport For(Scenario scenario)
    {
        var target = scenario.ServiceLevelTarget;
        var separate = scenario.Centres
            .Select(c => ErlangCFigures.Compute(c.Id, c.Agents, c.Load, c.HandleSeconds, target))
            .ToList();
        var calls = scenario.Centres.Sum(c => c.CallsPerHour);
        var load = scenario.Centres.Sum(c => c.Load);
        // The pool's handle time is the load-weighted mean; exact M/M/c only when all centres share one.
        var handle = calls == 0 ? scenario.Centres[0].HandleSeconds : load * 3600 / calls;
        var pooled = ErlangCFigures.Compute("pooled", scenario.Centres.Sum(c => c.Agents), load, handle, target);
        return new ErlangCReport(separate, pooled);
    }

    public ErlangCFigures SeparateFor(string centre) => Separate.Single(s => s.Centre == centre);
}

/// <param name="Stable">Load below the number of agents; otherwise the queue grows without bound and
/// Erlang C has no steady state (service level 0, ASA unbounded: null).</param>
public sealed record ErlangCFigures(
    string Centre,
    int Agents,
    double Load,
    double HandleSeconds,
    bool Stable,
    double ProbabilityOfWait,
    double ServiceLevel,
    double? AsaSeconds)
{
    public static ErlangCFigures Compute(string centre, int agents, double load, double handleSeconds, TimeSpan target)
    {
        var handle = TimeSpan.FromSeconds(handleSeconds);
        var stable = load < agents;
        return new ErlangCFigures(
            centre, agents, Math.Round(load, 4), Math.Round(handleSeconds, 2), stable,
            Math.Round(ErlangC.ProbabilityOfWait(agents, load), 4),
            Math.Round(ErlangC.ServiceLevel(agents, load, handle, target), 4),
            stable ? Math.Round(ErlangC.AverageSpeedOfAnswer(agents, load, handle).TotalSeconds, 2) : null);
    }
}
