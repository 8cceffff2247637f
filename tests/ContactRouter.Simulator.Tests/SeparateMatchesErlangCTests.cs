using ContactRouter.Simulator;

namespace ContactRouter.Simulator.Tests;

/// <summary>
/// Without overflow a centre is an M/M/c queue, so the real routing core on the virtual clock must give
/// Erlang C's figures. 5000 simulated hours (~500,000 callers): the spread of ASA over seeds 1–6 is then
/// about 2 % (at 2000 hours seed 1 was still 6–8 % off), inside the ±5 % asked; the service level's is
/// about half a point, inside ±2 points.
/// </summary>
public sealed class SeparateMatchesErlangCTests
{
    private const double Hours = 5000;

    [Theory]
    [InlineData("erlang-80", 0.6419, 61.38)]
    [InlineData("erlang-85", 0.5206, 105.97)]
    public void Ten_agents_at_80_and_85_percent_load_reproduce_Erlang_C(string scenario, double erlangSl, double erlangAsa)
    {
        var result = Runs.Of(scenario, Policy.Separate, Hours);
        var centre = result.Centres.Single();
        var erlang = result.ErlangC.Separate.Single();

        // The report's own Erlang C figures are the ones stated here (computed independently in ErlangCTests).
        erlang.ServiceLevel.Should().BeApproximately(erlangSl, 1e-4);
        erlang.AsaSeconds.Should().BeApproximately(erlangAsa, 0.01);

        centre.Abandoned.Should().Be(0);
        centre.Answered.Should().Be(centre.Offered, "every caller who arrived is served before the run ends");
        centre.ServiceLevel.Should().BeApproximately(erlangSl, 0.02);
        centre.AsaSeconds.Should().BeApproximately(erlangAsa, 0.05 * erlangAsa);
        centre.ServedByOtherCentre.Should().Be(0);
    }

    [Fact]
    public void Each_of_four_separate_centres_is_its_own_Erlang_C_queue()
    {
        var result = Runs.Of("balanced", Policy.Separate, 2000);

        // Per centre only ~200,000 callers: over seeds 1–10 a centre's ASA ranged −9 % … +11 % and its service
        // level ±2 points, so the per-centre bounds are wider; the total (~800,000) meets ±2 points and ±5 %.
        foreach (var centre in result.Centres)
        {
            centre.ServiceLevel.Should().BeApproximately(0.5206, 0.03, centre.Centre);
            centre.AsaSeconds.Should().BeApproximately(105.97, 0.15 * 105.97, centre.Centre);
        }
        result.Total.ServiceLevel.Should().BeApproximately(0.5206, 0.02);
        result.Total.AsaSeconds.Should().BeApproximately(105.97, 0.05 * 105.97);
        result.Total.ServedByOtherCentre.Should().Be(0);
        result.Total.Moved.Should().Be(0);
    }
}
