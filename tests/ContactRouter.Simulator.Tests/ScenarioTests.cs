using ContactRouter.Simulator;

namespace ContactRouter.Simulator.Tests;

public sealed class ScenarioTests
{
    [Fact]
    public void The_shipped_scenarios_say_what_the_README_says()
    {
        var balanced = Runs.Balanced;
        balanced.Centres.Should().HaveCount(4).And.OnlyContain(c => c.Agents == 10 && c.CallsPerHour == 102 && c.HandleSeconds == 300);
        balanced.Centres.Should().OnlyContain(c => Math.Abs(c.Load - 8.5) < 1e-9);
        balanced.ServiceLevelSeconds.Should().Be(20);
        balanced.OverflowAfterSeconds.Should().BeInRange(0, balanced.ServiceLevelSeconds);

        Runs.Imbalanced.Centres.Select(c => c.Load / c.Agents).Should().Equal([1.05, 0.80, 0.70, 0.65], (a, e) => Math.Abs(a - e) < 1e-9);
        Runs.Load("erlang-80").Centres.Single().Load.Should().BeApproximately(8.0, 1e-9);
        Runs.Load("erlang-85").Centres.Single().Load.Should().BeApproximately(8.5, 1e-9);
    }

    [Fact]
    public void Defaults_fill_in_what_a_file_leaves_out()
    {
        var scenario = Scenario.Parse("""{ "centres": [ { "id": "sociaal", "callsPerHour": 10, "agents": 2, "handleSeconds": 300 } ] }""");

        scenario.Hours.Should().Be(200);
        scenario.WarmupHours.Should().Be(1);
        scenario.ParsedPolicy.Should().Be(Policy.Separate);
        scenario.CrossSkill.Should().Be(3);
        scenario.OverflowAfter.Should().Be(TimeSpan.FromSeconds(20), "the router's default: the service-level target");
        scenario.Centres[0].PatienceSeconds.Should().BeNull();
    }

    [Theory]
    [InlineData("""{ "centres": [ { "id": "sociaal", "callsPerHour": 10, "agents": 2, "handleSeconds": 300, "agentz": 3 } ] }""", "agentz")]
    [InlineData("""{ "serviceLevelSeconds": 20, "overflowAfterSeconds": 30, "centres": [ { "id": "sociaal", "callsPerHour": 10, "agents": 2, "handleSeconds": 300 } ] }""", "overflowAfterSeconds")]
    [InlineData("""{ "centres": [ { "id": "kcc", "callsPerHour": 10, "agents": 2, "handleSeconds": 300 } ] }""", "kcc")]
    [InlineData("""{ "policy": "random", "centres": [ { "id": "sociaal", "callsPerHour": 10, "agents": 2, "handleSeconds": 300 } ] }""", "random")]
    [InlineData("""{ "centres": [ { "id": "sociaal", "callsPerHour": 10, "agents": 0, "handleSeconds": 300 } ] }""", "agents")]
    [InlineData("""{ "centres": [] }""", "at least one centre")]
    public void A_wrong_file_is_refused_with_the_reason(string json, string reason)
    {
        var parse = () => Scenario.Parse(json);

        parse.Should().Throw<ScenarioException>().Which.Message.Should().Contain(reason);
    }

    [Fact]
    public void Agents_help_the_centres_that_name_their_centre_as_neighbour()
    {
        // Default ring: burgerzaken ↔ fysiek ↔ sociaal ↔ bedrijfsvoering ↔ burgerzaken.
        Runs.Balanced.CentresHelpedBy("fysiek").Should().BeEquivalentTo(["burgerzaken", "sociaal"]);

        var chain = Runs.Balanced with
        {
            Centres = Runs.Balanced.Centres.Select(c => c.Id == "sociaal" ? c with { Neighbours = ["bedrijfsvoering"] } : c).ToList(),
        };
        chain.CentresHelpedBy("fysiek").Should().BeEquivalentTo(["burgerzaken"], "sociaal no longer sends callers to fysiek");
        chain.CentresHelpedBy("bedrijfsvoering").Should().BeEquivalentTo(["burgerzaken", "sociaal"]);
    }

    [Fact]
    public void The_command_line_overrides_the_file_and_is_checked_like_it()
    {
        var line = CommandLine.Parse(["scenarios/balanced.json", "--policy", "pooled", "--hours", "10", "--seed", "7", "--json"])!;
        var scenario = line.Apply(Runs.Balanced);

        scenario.ParsedPolicy.Should().Be(Policy.Pooled);
        scenario.Hours.Should().Be(10);
        scenario.Seed.Should().Be(7);
        line.Json.Should().BeTrue();

        var tooLate = () => CommandLine.Parse(["x.json", "--overflow-after", "25"])!.Apply(Runs.Balanced);
        tooLate.Should().Throw<ScenarioException>().Which.Message.Should().Contain("overflowAfterSeconds");
        var unknown = () => CommandLine.Parse(["x.json", "--polcy", "pooled"]);
        unknown.Should().Throw<ScenarioException>().Which.Message.Should().Contain("--polcy");
    }

    [Fact]
    public void Callers_with_patience_hang_up_and_count_against_the_service_level()
    {
        var scenario = Scenario.Parse("""
            { "hours": 100, "serviceLevelSeconds": 20,
              "centres": [ { "id": "sociaal", "callsPerHour": 120, "agents": 10, "handleSeconds": 300, "patienceSeconds": 60 } ] }
            """);

        var result = Simulation.Run(scenario);
        var centre = result.Centres.Single();

        centre.Abandoned.Should().BePositive();
        (centre.Answered + centre.Abandoned).Should().Be(centre.Offered);
        // 100 % load is stable with impatient callers: they leave instead of queueing for ever.
        centre.AsaSeconds.Should().BeLessThan(60);
    }

    [Fact]
    public void Ringing_and_wrap_up_time_are_simulated_when_a_file_asks_for_them()
    {
        var plain = Scenario.Parse("""{ "hours": 50, "centres": [ { "id": "sociaal", "callsPerHour": 90, "agents": 10, "handleSeconds": 300 } ] }""");
        var slower = plain with { AnswerSeconds = 5, WrapUpSeconds = 30 };

        var a = Simulation.Run(plain).Total;
        var b = Simulation.Run(slower).Total;

        b.Offered.Should().Be(a.Offered);
        b.AsaSeconds.Should().BeGreaterThan(a.AsaSeconds + 5, "each caller rings 5 s, and agents are busy 10 % longer");
    }
}
