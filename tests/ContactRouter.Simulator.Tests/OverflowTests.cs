using ContactRouter.Simulator;

namespace ContactRouter.Simulator.Tests;

/// <summary>
/// Four centres of 10 agents, each at 85 % load, handle 300 s, target 20 s. Erlang C: separate ≈ 52 %,
/// pooled ≈ 84 %. The router's overflow (ring of neighbours, threshold from balanced.json) must come
/// within 5 % of pooled while moving far fewer callers than pooling does. 2000 hours, ~800,000 callers.
/// </summary>
public sealed class BalancedOverflowTests
{
    private const double Hours = 2000;
    private static SimulationResult Separate => Runs.Of("balanced", Policy.Separate, Hours);
    private static SimulationResult Pooled => Runs.Of("balanced", Policy.Pooled, Hours);
    private static SimulationResult Overflow => Runs.Of("balanced", Policy.Overflow, Hours);

    [Fact]
    public void Separate_centres_answer_about_52_percent_within_20_seconds()
    {
        Separate.Total.ServiceLevel.Should().BeApproximately(0.52, 0.02);
    }

    [Fact]
    public void Pooling_all_agents_answers_about_84_percent_within_20_seconds()
    {
        Pooled.Total.ServiceLevel.Should().BeApproximately(0.843, 0.02);
        Pooled.Total.AsaSeconds.Should().BeApproximately(11.75, 0.10 * 11.75);
        // Whoever is longest idle takes the call: three times in four an agent of another centre.
        Pooled.Total.ServedByOtherCentre.Should().BeApproximately(0.75, 0.02);
    }

    [Fact]
    public void Overflow_gets_within_5_percent_of_pooled_service_level()
    {
        Overflow.Total.ServiceLevel.Should().BeGreaterThanOrEqualTo(0.95 * Pooled.Total.ServiceLevel);
        foreach (var centre in Overflow.Centres)
            centre.ServiceLevel.Should().BeGreaterThanOrEqualTo(0.95 * Pooled.Centre(centre.Centre).ServiceLevel, centre.Centre);
    }

    [Fact]
    public void Overflow_moves_at_most_60_percent_of_what_pooling_moves()
    {
        Overflow.Total.ServedByOtherCentre.Should().BeGreaterThan(0);
        Overflow.Total.ServedByOtherCentre.Should().BeLessThanOrEqualTo(0.6 * Pooled.Total.ServedByOtherCentre);
        // A caller answered elsewhere was moved there by the router (one hop), never answered by a stranger at home.
        // (ServedByOtherCentre is rounded to 4 decimals, hence the tolerance.)
        var answeredElsewhere = Overflow.Total.ServedByOtherCentre * Overflow.Total.Answered;
        Overflow.Total.Moved.Should().BeCloseTo((int)Math.Round(answeredElsewhere), (uint)(0.0001 * Overflow.Total.Answered) + 1);
    }

    [Fact]
    public void Without_cross_skilled_agents_overflow_is_exactly_separate()
    {
        // Same seed, same callers (each centre has its own random streams): with nobody to take a
        // neighbour's call, the router must change nothing at all.
        var scenario = Runs.Balanced with
        {
            Hours = 100,
            Centres = Runs.Balanced.Centres.Select(c => c with { CrossSkilledAgents = 0 }).ToList(),
        };

        var overflow = Simulation.Run(scenario, Policy.Overflow);
        var separate = Simulation.Run(scenario, Policy.Separate);

        overflow.Total.Should().Be(separate.Total);
        overflow.Centres.Should().Equal(separate.Centres);
    }
}

/// <summary>
/// Loads 105 %, 80 %, 70 %, 65 %: Burgerzaken alone cannot keep up. Overflow must keep every centre stable
/// (waits do not grow with the run) and reach 95 % of pooled service level; separate is reported unstable.
/// </summary>
public sealed class ImbalancedOverflowTests
{
    [Fact]
    public void Overflow_keeps_the_overloaded_centre_stable_waits_do_not_grow_with_the_run()
    {
        // The 2000-hour run sees the same callers as the 500-hour one, and 1500 hours more.
        var shorter = Runs.Of("imbalanced", Policy.Overflow, 500);
        var longer = Runs.Of("imbalanced", Policy.Overflow, 2000);

        foreach (var centre in longer.Centres)
        {
            var before = shorter.Centre(centre.Centre);
            centre.AsaSeconds.Should().BeLessThan(30, centre.Centre);
            // An unstable queue's ASA grows in proportion to the run: 4× here. A stable one stays put.
            centre.AsaSeconds.Should().BeInRange(0.75 * before.AsaSeconds, 1.25 * before.AsaSeconds, centre.Centre);
            centre.Answered.Should().Be(centre.Offered);
        }
        longer.Warnings.Should().ContainSingle(w => w.StartsWith("burgerzaken", StringComparison.Ordinal) && w.Contains("stable only because"));
    }

    [Fact]
    public void Overflow_reaches_95_percent_of_pooled_service_level()
    {
        var overflow = Runs.Of("imbalanced", Policy.Overflow, 2000);
        var pooled = Runs.Of("imbalanced", Policy.Pooled, 2000);

        overflow.Total.ServiceLevel.Should().BeGreaterThanOrEqualTo(0.95 * pooled.Total.ServiceLevel);
        overflow.Centre("burgerzaken").ServiceLevel.Should().BeGreaterThanOrEqualTo(0.95 * pooled.Centre("burgerzaken").ServiceLevel);
        overflow.Total.ServedByOtherCentre.Should().BeLessThanOrEqualTo(0.6 * pooled.Total.ServedByOtherCentre);
    }

    [Fact]
    public void Separate_is_reported_unstable_and_its_waits_grow_with_the_run()
    {
        var shorter = Runs.Of("imbalanced", Policy.Separate, 100);
        var longer = Runs.Of("imbalanced", Policy.Separate, 300);

        longer.Warnings.Should().ContainSingle(w => w.StartsWith("burgerzaken", StringComparison.Ordinal) && w.Contains("UNSTABLE"));
        longer.ErlangC.SeparateFor("burgerzaken").Stable.Should().BeFalse();
        longer.ErlangC.SeparateFor("burgerzaken").AsaSeconds.Should().BeNull();
        // It still finishes: everyone who arrived is served in the end, after ever longer waits.
        longer.Centre("burgerzaken").Answered.Should().Be(longer.Centre("burgerzaken").Offered);
        longer.Centre("burgerzaken").AsaSeconds.Should().BeGreaterThan(2 * shorter.Centre("burgerzaken").AsaSeconds);
        Output.ToTable(longer).Should().Contain("UNSTABLE").And.Contain("∞");
    }
}
