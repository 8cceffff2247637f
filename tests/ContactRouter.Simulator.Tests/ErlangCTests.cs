using ContactRouter.Routing;
using ContactRouter.Simulator;

namespace ContactRouter.Simulator.Tests;

/// <summary>
/// Erlang C against figures computed independently: the textbook closed form
/// C(c,a) = (aᶜ/c! · c/(c−a)) / (Σ_{k&lt;c} aᵏ/k! + aᶜ/c! · c/(c−a)), evaluated with plain factorials in Python,
/// where ErlangC uses Erlang B's recursion. Small cases are checked by hand.
/// </summary>
public sealed class ErlangCTests
{
    private static readonly TimeSpan Handle = TimeSpan.FromSeconds(300);
    private static readonly TimeSpan Twenty = TimeSpan.FromSeconds(20);

    [Theory]
    // c, a, P(wait), SL(20 s), ASA (s) with h = 300 s
    [InlineData(10, 8.5, 0.529861305, 0.520561665, 105.972261)]
    [InlineData(10, 8.0, 0.409180151, 0.641896449, 61.377023)]
    [InlineData(40, 34.0, 0.234930565, 0.842521333, 11.746528)]
    [InlineData(10, 7.0, 0.221731216, 0.818461835, 22.173122)]
    public void It_matches_the_closed_form(int agents, double load, double wait, double serviceLevel, double asa)
    {
        ErlangC.ProbabilityOfWait(agents, load).Should().BeApproximately(wait, 1e-8);
        ErlangC.ServiceLevel(agents, load, Handle, Twenty).Should().BeApproximately(serviceLevel, 1e-8);
        ErlangC.AverageSpeedOfAnswer(agents, load, Handle).TotalSeconds.Should().BeApproximately(asa, 1e-5);
    }

    [Fact]
    public void One_agent_is_the_M_M_1_queue()
    {
        // M/M/1: P(wait) = ρ, ASA = ρ/(1−ρ)·h, SL(t) = 1 − ρ·e^(−(1−ρ)t/h).
        ErlangC.ProbabilityOfWait(1, 0.5).Should().BeApproximately(0.5, 1e-12);
        ErlangC.AverageSpeedOfAnswer(1, 0.5, Handle).TotalSeconds.Should().BeApproximately(300, 1e-9);
        ErlangC.ServiceLevel(1, 0.5, Handle, Twenty).Should().BeApproximately(1 - 0.5 * Math.Exp(-0.5 * 20 / 300), 1e-12);
    }

    [Fact]
    public void Two_agents_at_one_Erlang_wait_one_time_in_three()
    {
        // C(2,1) = (1/2 · 2/1) / (1 + 1 + 1) = 1/3.
        ErlangC.ProbabilityOfWait(2, 1.0).Should().BeApproximately(1.0 / 3, 1e-12);
    }

    [Fact]
    public void An_overloaded_centre_has_no_steady_state()
    {
        ErlangC.ProbabilityOfWait(10, 10.5).Should().Be(1);
        ErlangC.ServiceLevel(10, 10.5, Handle, Twenty).Should().Be(0);
        ErlangC.AverageSpeedOfAnswer(10, 10.5, Handle).Should().Be(TimeSpan.MaxValue);

        var figures = ErlangCFigures.Compute("burgerzaken", 10, 10.5, 300, Twenty);
        figures.Stable.Should().BeFalse();
        figures.AsaSeconds.Should().BeNull("an unbounded wait is not a number in the JSON");
    }

    [Fact]
    public void The_report_gives_each_centre_alone_and_all_agents_pooled()
    {
        var report = ErlangCReport.For(Runs.Balanced);

        report.Separate.Should().HaveCount(4).And.OnlyContain(s => s.Agents == 10 && Math.Abs(s.Load - 8.5) < 1e-9);
        report.Separate[0].ServiceLevel.Should().BeApproximately(0.5206, 1e-4);
        report.Pooled.Agents.Should().Be(40);
        report.Pooled.Load.Should().BeApproximately(34, 1e-9);
        report.Pooled.HandleSeconds.Should().BeApproximately(300, 1e-9);
        report.Pooled.ServiceLevel.Should().BeApproximately(0.8425, 1e-4);
    }

    [Fact]
    public void The_pooled_handle_time_is_the_load_weighted_mean()
    {
        var scenario = Scenario.Parse("""
            { "centres": [ { "id": "fysiek", "callsPerHour": 60, "agents": 5, "handleSeconds": 200 },
                           { "id": "sociaal", "callsPerHour": 30, "agents": 5, "handleSeconds": 500 } ] }
            """);

        var pooled = ErlangCReport.For(scenario).Pooled;

        // λ = 90/h, a = 60·200/3600 + 30·500/3600 = 7.5 Erlang, so h = 7.5 · 3600 / 90 = 300 s.
        pooled.Load.Should().BeApproximately(7.5, 1e-9);
        pooled.HandleSeconds.Should().BeApproximately(300, 1e-9);
    }
}
