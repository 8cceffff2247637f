using System.Text.Json;
using ContactRouter.Simulator;

namespace ContactRouter.Simulator.Tests;

public sealed class DeterminismTests
{
    private static Scenario Short(int seed) => Runs.Balanced with { Hours = 50, Seed = seed };

    [Theory]
    [InlineData(Policy.Separate)]
    [InlineData(Policy.Overflow)]
    [InlineData(Policy.Pooled)]
    public void The_same_seed_gives_identical_JSON(Policy policy)
    {
        var first = Output.ToJson(Simulation.Run(Short(1), policy));
        var second = Output.ToJson(Simulation.Run(Short(1), policy));

        second.Should().Be(first);
    }

    [Fact]
    public void Another_seed_gives_other_numbers()
    {
        var one = Simulation.Run(Short(1), Policy.Overflow);
        var two = Simulation.Run(Short(2), Policy.Overflow);

        Output.ToJson(two).Should().NotBe(Output.ToJson(one));
        two.Total.Offered.Should().NotBe(one.Total.Offered);
        two.Total.AsaSeconds.Should().NotBe(one.Total.AsaSeconds);
    }

    [Fact]
    public void Every_policy_sees_the_very_same_callers()
    {
        // Arrivals and handle times come from per-centre streams, so policies differ only in routing.
        var offered = new[] { Policy.Separate, Policy.Overflow, Policy.Pooled }
            .Select(p => Simulation.Run(Short(3), p).Centres.Select(c => c.Offered).ToArray())
            .ToList();

        offered[1].Should().Equal(offered[0]);
        offered[2].Should().Equal(offered[0]);
    }
}

public sealed class OutputTests
{
    private static readonly SimulationResult Result = Simulation.Run(Runs.Balanced with { Hours = 20 }, Policy.Overflow);

    [Fact]
    public void The_JSON_is_one_object_with_total_centres_and_Erlang_C_in_camel_case()
    {
        using var json = JsonDocument.Parse(Output.ToJson(Result));
        var root = json.RootElement;

        var total = root.GetProperty("total");
        foreach (var name in new[] { "offered", "answered", "abandoned", "serviceLevel", "asaSeconds", "p95WaitSeconds", "servedByOtherCentre" })
            total.TryGetProperty(name, out _).Should().BeTrue(name);
        root.GetProperty("centres").GetArrayLength().Should().Be(4);
        root.GetProperty("centres")[0].GetProperty("centre").GetString().Should().Be("burgerzaken");
        root.GetProperty("erlangC").GetProperty("separate").GetArrayLength().Should().Be(4);
        root.GetProperty("erlangC").GetProperty("pooled").GetProperty("serviceLevel").GetDouble().Should().BeApproximately(0.8425, 1e-4);
        root.TryGetProperty("throughput", out _).Should().BeFalse("wall-clock figures would make the JSON differ run to run");
    }

    [Fact]
    public void The_table_shows_every_centre_the_total_and_the_pooled_bound()
    {
        var table = Output.ToTable(Result, "balanced.json");

        table.Should().Contain("policy overflow").And.Contain("overflow after 10 s");
        foreach (var centre in new[] { "burgerzaken", "fysiek", "sociaal", "bedrijfsvoering", "total" })
            table.Should().Contain(centre);
        table.Should().Contain("Erlang C with all 40 agents pooled").And.Contain("SL 84.3 %");
    }

    [Fact]
    public void The_throughput_is_counted_and_reported()
    {
        Result.Throughput.Contacts.Should().BeGreaterThan(Result.Total.Offered, "warm-up callers are simulated too");
        Result.Throughput.ContactsPerSecond.Should().BePositive();
        Output.ThroughputLine(Result.Throughput).Should().MatchRegex(@"simulated [\d,]+ contacts in [\d.]+ s wall time: [\d,]+ contacts/s");
    }
}
