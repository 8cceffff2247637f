using ContactRouter.Simulator;

namespace ContactRouter.Simulator.Tests;

/// <summary>
/// The shipped scenario files, and the long runs several specs look at, each run once per test process
/// (the runs take seconds; the specs only read their results). Seeds are fixed, so every figure is
/// reproducible; run lengths are chosen so the stated tolerances hold for other seeds too, not just this one.
/// </summary>
public static class Runs
{
    public static Scenario Load(string name) =>
        Scenario.Load(Path.Combine(AppContext.BaseDirectory, "scenarios", name + ".json"));

    public static Scenario Balanced => Load("balanced");
    public static Scenario Imbalanced => Load("imbalanced");

    private static readonly Dictionary<string, Lazy<SimulationResult>> Cache = new();
    private static readonly Lock Gate = new();

    /// <summary>Runs <paramref name="scenario"/> for <paramref name="hours"/> under <paramref name="policy"/>, once.</summary>
    public static SimulationResult Of(string scenario, Policy policy, double hours, int seed = 1)
    {
        Lazy<SimulationResult> run;
        lock (Gate)
        {
            var key = $"{scenario}/{policy}/{hours}/{seed}";
            if (!Cache.TryGetValue(key, out run!))
                Cache[key] = run = new Lazy<SimulationResult>(() => Simulation.Run(Load(scenario) with { Hours = hours, Seed = seed }, policy));
        }
        return run.Value;
    }
}
