using ContactRouter.Simulator;

namespace ContactRouter.Bench;

/// <summary>
/// (f) The routing core alone: the simulator drives the real <see cref="ContactRouter.Routing.Centre"/> objects on a
/// virtual clock, one thread, no I/O. The balanced scenario (four centres of 10 agents at 85 %) under each policy; a first
/// short run warms the JIT up so the figure is the core's, not the compiler's.
/// </summary>
public static class Core
{
    public const double Target = 1_000_000;

    public static void Run(Report report, bool shortRun)
    {
        Report.Say("(f) routing core alone (simulator, one thread)");
        var scenario = Scenario.Load(Path.Combine(AppContext.BaseDirectory, "scenarios", "balanced.json"));
        var hours = shortRun ? 400 : 2000;
        foreach (var policy in new[] { Policy.Separate, Policy.Overflow, Policy.Pooled })
        {
            Simulation.Run(scenario with { Hours = 20 }, policy);
            // How long the GC paused the run (the run itself counts what it allocated).
            var pausedBefore = GC.GetTotalPauseDuration();
            var result = Simulation.Run(scenario with { Hours = hours }, policy);
            var allocated = result.Throughput.BytesPerContact;
            var paused = (GC.GetTotalPauseDuration() - pausedBefore) / result.Throughput.Wall;
            var rate = result.Throughput.ContactsPerSecond;
            report.Add("f", $"simulator, balanced, {policy.ToString().ToLowerInvariant()}, {hours} h",
                "simulated contacts/s (one core)",
                $"{rate:N0} ({result.Throughput.Contacts:N0} in {Report.N(result.Throughput.Wall.TotalSeconds, "0.00")} s; {allocated:N0} B allocated per contact, GC pauses {Report.N(paused * 100, "0")} %)",
                "≥ 1,000,000/s", rate >= Target);
        }
    }
}
