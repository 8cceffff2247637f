namespace ContactRouter.Routing.Tests;

/// <summary>The overflow settings: a sound default ring, and the problems a wrong configuration is reported with.</summary>
public sealed class When_overflow_settings_are_checked
{
    private static readonly TimeSpan Target = new RoutingOptions().ServiceLevelTarget;

    private static OverflowOptions RingWith(string centre, Func<CentreOverflowSettings, CentreOverflowSettings> change)
    {
        var centres = OverflowOptions.DefaultRing();
        centres[centre] = change(centres[centre]);
        return new OverflowOptions { Centres = centres };
    }

    [Fact]
    public void The_default_ring_has_no_problems()
    {
        new OverflowOptions().Problems(Target).Should().BeEmpty();
        new OverflowOptions().Problems(TimeSpan.FromSeconds(20)).Should().BeEmpty("the default threshold equals the tightest common target");
    }

    [Fact]
    public void In_the_default_ring_every_centre_has_exactly_two_neighbours_that_name_it_back()
    {
        var overflow = new OverflowOptions();

        overflow.Centres.Keys.Should().BeEquivalentTo(CentreCatalog.All);
        foreach (var centre in CentreCatalog.All)
        {
            var neighbours = overflow.NeighboursOf(centre);
            neighbours.Should().HaveCount(2).And.OnlyHaveUniqueItems().And.NotContain(centre);
            neighbours.Should().OnlyContain(n => CentreCatalog.IsKnown(n));
            foreach (var neighbour in neighbours) overflow.NeighboursOf(neighbour).Should().Contain(centre);
        }
    }

    [Fact]
    public void The_default_ring_is_burgerzaken_fysiek_sociaal_bedrijfsvoering_and_back()
    {
        var overflow = new OverflowOptions();

        overflow.NeighboursOf(CentreCatalog.Burgerzaken).Should().BeEquivalentTo(CentreCatalog.Bedrijfsvoering, CentreCatalog.Fysiek);
        overflow.NeighboursOf(CentreCatalog.Fysiek).Should().BeEquivalentTo(CentreCatalog.Burgerzaken, CentreCatalog.Sociaal);
        overflow.NeighboursOf(CentreCatalog.Sociaal).Should().BeEquivalentTo(CentreCatalog.Fysiek, CentreCatalog.Bedrijfsvoering);
        overflow.NeighboursOf(CentreCatalog.Bedrijfsvoering).Should().BeEquivalentTo(CentreCatalog.Sociaal, CentreCatalog.Burgerzaken);
    }

    [Fact]
    public void The_defaults_overflow_within_the_service_level_target_and_allow_one_hop()
    {
        var overflow = new OverflowOptions();

        overflow.Enabled.Should().BeTrue();
        overflow.MaxHops.Should().Be(1);
        foreach (var centre in CentreCatalog.All)
        {
            overflow.ThresholdFor(centre, 0).Should().Be(TimeSpan.FromSeconds(20));
            overflow.ThresholdFor(centre, 0).Should().BeLessThanOrEqualTo(Target);
        }
    }

    [Fact]
    public void Each_options_object_has_its_own_ring()
    {
        var one = new OverflowOptions();
        one.Centres[CentreCatalog.Burgerzaken].Neighbours.Add(CentreCatalog.Sociaal);

        new OverflowOptions().NeighboursOf(CentreCatalog.Burgerzaken).Should().HaveCount(2);
    }

    [Fact]
    public void A_threshold_above_the_service_level_target_is_reported()
    {
        var overflow = RingWith(CentreCatalog.Fysiek, s => s with { OverflowAfter = Target + TimeSpan.FromSeconds(1) });

        overflow.Problems(Target).Should().ContainSingle().Which.Should().Contain(CentreCatalog.Fysiek).And.Contain("OverflowAfter");
    }

    [Fact]
    public void A_threshold_equal_to_the_service_level_target_is_allowed()
    {
        RingWith(CentreCatalog.Fysiek, s => s with { OverflowAfter = Target }).Problems(Target).Should().BeEmpty();
    }

    [Fact]
    public void A_negative_threshold_is_reported()
    {
        RingWith(CentreCatalog.Fysiek, s => s with { OverflowAfter = TimeSpan.FromSeconds(-1) }).Problems(Target).Should().ContainSingle();
    }

    [Fact]
    public void A_priority_threshold_above_the_service_level_target_is_reported()
    {
        var overflow = RingWith(CentreCatalog.Sociaal, s => s with { OverflowAfterByPriority = new() { [0] = TimeSpan.FromMinutes(2), [9] = TimeSpan.FromSeconds(5) } });

        overflow.Problems(Target).Should().ContainSingle().Which.Should().Contain(CentreCatalog.Sociaal).And.Contain("[0]");
    }

    [Fact]
    public void A_centre_that_is_its_own_neighbour_is_reported()
    {
        var overflow = RingWith(CentreCatalog.Sociaal, s => s with { Neighbours = [CentreCatalog.Fysiek, CentreCatalog.Sociaal] });

        overflow.Problems(Target).Should().ContainSingle().Which.Should().Contain("sociaal cannot be its own neighbour");
    }

    [Fact]
    public void A_negative_hop_limit_is_reported()
    {
        new OverflowOptions { MaxHops = -1 }.Problems(Target).Should().ContainSingle().Which.Should().Contain("MaxHops");
    }

    [Fact]
    public void Several_problems_are_all_reported()
    {
        var centres = OverflowOptions.DefaultRing();
        centres[CentreCatalog.Fysiek] = centres[CentreCatalog.Fysiek] with { OverflowAfter = TimeSpan.FromMinutes(1) };
        centres[CentreCatalog.Burgerzaken] = centres[CentreCatalog.Burgerzaken] with { Neighbours = [CentreCatalog.Burgerzaken] };

        new OverflowOptions { Centres = centres, MaxHops = -1 }.Problems(Target).Should().HaveCount(3);
    }

    [Fact]
    public void A_centre_without_settings_has_no_neighbours_and_never_reaches_its_threshold()
    {
        var overflow = new OverflowOptions { Centres = new() };

        overflow.NeighboursOf(CentreCatalog.Burgerzaken).Should().BeEmpty();
        overflow.ThresholdFor(CentreCatalog.Burgerzaken, 0).Should().Be(TimeSpan.MaxValue);
        overflow.Problems(Target).Should().BeEmpty();
    }
}
