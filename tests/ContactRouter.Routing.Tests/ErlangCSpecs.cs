namespace ContactRouter.Routing.Tests;

/// <summary>
/// Erlang C (M/M/c), checked against the textbook formula computed independently here:
/// C(c, a) = (a^c / c! · c / (c − a)) / (Σ_{k=0}^{c−1} a^k / k! + a^c / c! · c / (c − a)),
/// SL(t) = 1 − C · e^(−(c − a)·t / h), ASA = C · h / (c − a) (shared/domain.md).
/// </summary>
public sealed class When_Erlang_C_is_computed
{
    private static readonly TimeSpan HandleTime = TimeSpan.FromSeconds(300);
    private static readonly TimeSpan Target = TimeSpan.FromSeconds(20);

    /// <summary>The textbook sum, term by term (a^k/k! built up by multiplying, so nothing overflows).</summary>
    private static double Textbook(int c, double a)
    {
        var sum = 0.0;
        var term = 1.0; // a^0 / 0!
        for (var k = 0; k < c; k++)
        {
            sum += term;
            term *= a / (k + 1);
        }
        // term is now a^c / c!
        var top = term * c / (c - a);
        return top / (sum + top);
    }

    [Theory]
    [InlineData(10, 8.5)]
    [InlineData(40, 34.0)]
    [InlineData(1, 0.5)]
    [InlineData(2, 1.0)]
    [InlineData(5, 0.1)]
    [InlineData(20, 19.9)]
    [InlineData(100, 95.0)]
    public void The_probability_of_waiting_matches_the_textbook_formula(int agents, double load)
    {
        ErlangC.ProbabilityOfWait(agents, load).Should().BeApproximately(Textbook(agents, load), 1e-9);
    }

    [Theory]
    [InlineData(10, 8.5)]
    [InlineData(40, 34.0)]
    [InlineData(3, 2.0)]
    public void The_service_level_and_average_speed_of_answer_follow_from_it(int agents, double load)
    {
        var wait = Textbook(agents, load);
        var serviceLevel = 1 - wait * Math.Exp(-(agents - load) * Target.TotalSeconds / HandleTime.TotalSeconds);
        var asa = wait * HandleTime.TotalSeconds / (agents - load);

        ErlangC.ServiceLevel(agents, load, HandleTime, Target).Should().BeApproximately(serviceLevel, 1e-9);
        ErlangC.AverageSpeedOfAnswer(agents, load, HandleTime).TotalSeconds.Should().BeApproximately(asa, 1e-3);
    }

    [Fact]
    public void A_single_agent_waits_with_probability_equal_to_the_load()
    {
        // M/M/1: P(wait) = ρ.
        ErlangC.ProbabilityOfWait(1, 0.7).Should().BeApproximately(0.7, 1e-12);
        ErlangC.ProbabilityOfWait(2, 1.0).Should().BeApproximately(1.0 / 3, 1e-12);
    }

    [Fact]
    public void The_domain_example_separate_centres_against_one_pool()
    {
        // 4 centres × 10 agents, h = 300 s, 85 % load: separate SL20 ≈ 52 %, fully pooled ≈ 84 % (shared/domain.md).
        ErlangC.ProbabilityOfWait(10, 8.5).Should().BeApproximately(0.52986, 1e-5);
        ErlangC.ServiceLevel(10, 8.5, HandleTime, Target).Should().BeApproximately(0.52, 0.01);
        ErlangC.ServiceLevel(40, 34, HandleTime, Target).Should().BeApproximately(0.84, 0.01);
        ErlangC.AverageSpeedOfAnswer(10, 8.5, HandleTime).TotalSeconds.Should().BeApproximately(105.97, 0.01);
    }

    [Theory]
    [InlineData(10, 10.0)]
    [InlineData(10, 12.5)]
    [InlineData(1, 1.0)]
    [InlineData(0, 0.0)]
    public void At_or_over_full_load_everyone_waits_and_nobody_is_answered_within_the_target(int agents, double load)
    {
        ErlangC.ProbabilityOfWait(agents, load).Should().Be(1.0);
        ErlangC.ServiceLevel(agents, load, HandleTime, Target).Should().Be(0);
        ErlangC.AverageSpeedOfAnswer(agents, load, HandleTime).Should().Be(TimeSpan.MaxValue);
    }

    [Fact]
    public void With_no_load_nobody_waits()
    {
        ErlangC.ProbabilityOfWait(10, 0).Should().Be(0);
        ErlangC.ServiceLevel(10, 0, HandleTime, Target).Should().Be(1);
        ErlangC.AverageSpeedOfAnswer(10, 0, HandleTime).Should().Be(TimeSpan.Zero);
    }

    [Fact]
    public void More_agents_for_the_same_load_means_less_waiting()
    {
        var waits = Enumerable.Range(9, 8).Select(c => ErlangC.ProbabilityOfWait(c, 8.5)).ToList();

        waits.Should().BeInDescendingOrder();
        waits.Should().OnlyContain(p => p > 0 && p < 1);
    }

    [Fact]
    public void A_longer_target_gives_a_higher_service_level()
    {
        var levels = new[] { 0, 10, 20, 30, 60 }.Select(s => ErlangC.ServiceLevel(10, 8.5, HandleTime, TimeSpan.FromSeconds(s))).ToList();

        levels.Should().BeInAscendingOrder();
        levels[0].Should().BeApproximately(1 - ErlangC.ProbabilityOfWait(10, 8.5), 1e-12, "at t = 0 the service level is the share that does not wait");
    }
}
