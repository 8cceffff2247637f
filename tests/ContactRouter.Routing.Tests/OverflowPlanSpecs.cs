namespace ContactRouter.Routing.Tests;

/// <summary>Timed escalation: own centre first, and only after the threshold also the neighbours.</summary>
public sealed class When_the_policy_weighs_how_long_a_contact_waited : OverflowPlanSpec
{
    /// <summary>A Burgerzaken caller queued at T0, and a free Fysiek agent who knows Burgerzaken.</summary>
    private static IReadOnlyCollection<CentrePicture> OneCallerAndOneHelper(params WaitingContact[] callers) => Ring(
        Picture(Burgerzaken, callers),
        Picture(Fysiek, free: [FreeAgent(Fysiek, (Burgerzaken, 3)), FreeAgent(Fysiek, (Burgerzaken, 3))]));

    [Theory]
    [InlineData(0)]
    [InlineData(10)]
    [InlineData(19.999)]
    public void A_contact_that_waited_less_than_the_threshold_is_not_moved(double now)
    {
        Policy().Plan(OneCallerAndOneHelper(Caller("b1", Burgerzaken)), At(now)).Should().BeEmpty();
    }

    [Theory]
    [InlineData(20)]
    [InlineData(20.001)]
    [InlineData(600)]
    public void A_contact_that_waited_the_threshold_or_longer_is_moved_to_the_neighbour(double now)
    {
        Policy().Plan(OneCallerAndOneHelper(Caller("b1", Burgerzaken)), At(now))
            .Should().Equal(new Transfer("b1", Burgerzaken, Fysiek));
    }

    [Fact]
    public void A_priority_with_its_own_shorter_threshold_overflows_sooner()
    {
        var policy = Policy(RingWith(Burgerzaken, RingSettings(Burgerzaken, byPriority: new() { [9] = TimeSpan.FromSeconds(5) })));
        var pictures = OneCallerAndOneHelper(Caller("urgent", Burgerzaken, priority: 9), Caller("gewoon", Burgerzaken, priority: 0));

        policy.Plan(pictures, At(4.999)).Should().BeEmpty();
        policy.Plan(pictures, At(5)).Should().Equal(new Transfer("urgent", Burgerzaken, Fysiek));
        policy.Plan(pictures, At(20)).Should().Equal(new Transfer("urgent", Burgerzaken, Fysiek), new Transfer("gewoon", Burgerzaken, Fysiek));
    }

    [Fact]
    public void A_priority_with_its_own_longer_threshold_waits_longer_while_other_priorities_keep_the_default()
    {
        var policy = Policy(RingWith(Burgerzaken, RingSettings(Burgerzaken, byPriority: new() { [0] = TimeSpan.FromSeconds(25) })));
        var pictures = OneCallerAndOneHelper(Caller("laag", Burgerzaken, priority: 0), Caller("een", Burgerzaken, priority: 1));

        policy.Plan(pictures, At(20)).Should().Equal(new Transfer("een", Burgerzaken, Fysiek));
        policy.Plan(pictures, At(25)).Select(t => t.ContactId).Should().BeEquivalentTo("een", "laag");
    }

    [Fact]
    public void The_threshold_is_the_one_of_the_contacts_home_centre()
    {
        var policy = Policy(RingWith(Burgerzaken, RingSettings(Burgerzaken, after: TimeSpan.FromSeconds(10))));
        var pictures = Ring(
            Picture(Burgerzaken, [Caller("b1", Burgerzaken)]),
            Picture(Sociaal, [Caller("s1", Sociaal)]),
            Picture(Fysiek, free: [FreeAgent(Fysiek, (Burgerzaken, 3), (Sociaal, 3)), FreeAgent(Fysiek, (Burgerzaken, 3), (Sociaal, 3))]));

        policy.Plan(pictures, At(10)).Should().Equal(new Transfer("b1", Burgerzaken, Fysiek));
        policy.Plan(pictures, At(20)).Should().HaveCount(2);
    }
}

/// <summary>The router wakes up when the next waiting contact reaches its threshold, not by polling.</summary>
public sealed class When_the_policy_is_asked_when_to_look_again : OverflowPlanSpec
{
    private static readonly OverflowOptions UrgentSooner =
        RingWith(Burgerzaken, RingSettings(Burgerzaken, byPriority: new() { [9] = TimeSpan.FromSeconds(5) }));

    private static readonly IReadOnlyCollection<CentrePicture> ThreeCallers = Ring(
        Picture(Burgerzaken, [Caller("b-urgent", Burgerzaken, queuedAt: 4, priority: 9), Caller("b1", Burgerzaken, queuedAt: 0)]),
        Picture(Sociaal, [Caller("s1", Sociaal, queuedAt: 2)]));

    [Fact]
    public void It_returns_the_earliest_threshold_still_to_come()
    {
        // b1 reaches 20 s at 20, b-urgent (5 s for priority 9) at 9, s1 at 22.
        Policy(UrgentSooner).NextThreshold(ThreeCallers, At(6)).Should().Be(At(9));
    }

    [Fact]
    public void A_threshold_reached_now_or_before_is_not_the_next_one()
    {
        var policy = Policy(UrgentSooner);
        policy.NextThreshold(ThreeCallers, At(9)).Should().Be(At(20), "b-urgent is due now: Plan, not a timer, handles it");
        policy.NextThreshold(ThreeCallers, At(20)).Should().Be(At(22));
        policy.NextThreshold(ThreeCallers, At(22)).Should().BeNull();
    }

    [Fact]
    public void After_a_long_pause_with_every_contact_overdue_there_is_nothing_to_wait_for()
    {
        // The router back after downtime must plan at once; NextThreshold only names future crossings.
        Policy().NextThreshold(ThreeCallers, At(3600)).Should().BeNull();
        Policy().Plan(Ring(Picture(Burgerzaken, [Caller("b1", Burgerzaken)]), Picture(Fysiek, free: [FreeAgent(Fysiek, (Burgerzaken, 1))])), At(3600))
            .Should().Equal(new Transfer("b1", Burgerzaken, Fysiek));
    }

    [Fact]
    public void Nobody_waiting_means_no_next_threshold()
    {
        Policy().NextThreshold(Ring(), T0).Should().BeNull();
    }

    [Fact]
    public void A_contact_that_may_not_move_again_is_no_reason_to_look_again()
    {
        var pictures = Ring(Picture(Fysiek, [Caller("b1", Burgerzaken, hops: 1)]));

        Policy().NextThreshold(pictures, T0).Should().BeNull();
        Policy(new OverflowOptions { MaxHops = 0 }).NextThreshold(Ring(Picture(Burgerzaken, [Caller("b2", Burgerzaken)])), T0).Should().BeNull();
    }

    [Fact]
    public void A_centre_without_overflow_settings_never_overflows_and_does_not_disturb_the_others()
    {
        // Only Burgerzaken may overflow; Fysiek has no settings, so its callers stay home for good.
        var overflow = new OverflowOptions { Centres = new() { [Burgerzaken] = new() { Neighbours = [Fysiek] } } };
        var pictures = Ring(
            Picture(Burgerzaken, [Caller("b1", Burgerzaken, queuedAt: 0)]),
            Picture(Fysiek, [Caller("f1", Fysiek, queuedAt: 0)], free: [FreeAgent(Fysiek, (Burgerzaken, 3))]),
            Picture(Sociaal, free: [FreeAgent(Sociaal, (Fysiek, 5))]));

        overflow.ThresholdFor(Fysiek, 0).Should().Be(TimeSpan.MaxValue);
        Policy(overflow).Plan(pictures, At(60)).Should().Equal(new Transfer("b1", Burgerzaken, Fysiek));
        // BUG (src/ContactRouter.Routing/Overflow.cs, NextThreshold): QueuedAt + TimeSpan.MaxValue overflows DateTimeOffset
        // and throws ArgumentOutOfRangeException as soon as a centre without settings has a caller waiting.
        Policy(overflow).NextThreshold(pictures, At(1)).Should().Be(At(20));
    }
}

/// <summary>A contact only goes to a neighbour of the centre that holds it, never further.</summary>
public sealed class When_the_policy_looks_for_a_neighbour : OverflowPlanSpec
{
    private static WaitingContact Overdue(string id = "b1") => Caller(id, Burgerzaken);
    private static readonly DateTimeOffset Later = At(30);

    [Fact]
    public void A_non_neighbour_with_free_skilled_agents_is_never_chosen()
    {
        // In the ring Sociaal is across from Burgerzaken.
        var pictures = Ring(
            Picture(Burgerzaken, [Overdue()]),
            Picture(Sociaal, free: [FreeAgent(Sociaal, (Burgerzaken, 5)), FreeAgent(Sociaal, (Burgerzaken, 5))]));

        Policy().Plan(pictures, Later).Should().BeEmpty();
    }

    [Fact]
    public void Both_ring_neighbours_count_including_the_one_across_the_end_of_the_list()
    {
        var pictures = Ring(
            Picture(Burgerzaken, [Overdue()]),
            Picture(Bedrijfsvoering, free: [FreeAgent(Bedrijfsvoering, (Burgerzaken, 2))]));

        Policy().Plan(pictures, Later).Should().Equal(new Transfer("b1", Burgerzaken, Bedrijfsvoering));
    }

    [Fact]
    public void The_neighbour_with_the_most_eligible_free_agents_is_chosen()
    {
        var pictures = Ring(
            Picture(Burgerzaken, [Overdue()]),
            Picture(Bedrijfsvoering, free: [FreeAgent(Bedrijfsvoering, (Burgerzaken, 5)), FreeAgent(Bedrijfsvoering)]),
            Picture(Fysiek, free: [FreeAgent(Fysiek, (Burgerzaken, 2)), FreeAgent(Fysiek, (Burgerzaken, 2))]));

        Policy().Plan(pictures, Later).Should().Equal(new Transfer("b1", Burgerzaken, Fysiek));
    }

    [Fact]
    public void Configured_neighbours_replace_the_ring()
    {
        var overflow = RingWith(Burgerzaken, new CentreOverflowSettings { Neighbours = [Sociaal] });
        var ringNeighbourOnly = Ring(
            Picture(Burgerzaken, [Overdue()]),
            Picture(Fysiek, free: [FreeAgent(Fysiek, (Burgerzaken, 5))]),
            Picture(Bedrijfsvoering, free: [FreeAgent(Bedrijfsvoering, (Burgerzaken, 5))]));
        var configuredNeighbour = Ring(
            Picture(Burgerzaken, [Overdue()]),
            Picture(Fysiek, free: [FreeAgent(Fysiek, (Burgerzaken, 5))]),
            Picture(Sociaal, free: [FreeAgent(Sociaal, (Burgerzaken, 1))]));

        Policy(overflow).Plan(ringNeighbourOnly, Later).Should().BeEmpty();
        Policy(overflow).Plan(configuredNeighbour, Later).Should().Equal(new Transfer("b1", Burgerzaken, Sociaal));
    }

    [Fact]
    public void A_configured_neighbour_helps_one_way_only()
    {
        // Burgerzaken may use Sociaal's agents; Sociaal's own neighbours are still Fysiek and Bedrijfsvoering.
        var overflow = RingWith(Burgerzaken, new CentreOverflowSettings { Neighbours = [Sociaal] });
        var pictures = Ring(
            Picture(Sociaal, [Caller("s1", Sociaal)]),
            Picture(Burgerzaken, free: [FreeAgent(Burgerzaken, (Sociaal, 5))]));

        Policy(overflow).Plan(pictures, Later).Should().BeEmpty();
    }

    [Fact]
    public void A_centre_with_no_neighbours_keeps_its_callers()
    {
        var overflow = RingWith(Burgerzaken, new CentreOverflowSettings { Neighbours = [] });
        var pictures = Ring(
            Picture(Burgerzaken, [Overdue()]),
            Picture(Fysiek, free: [FreeAgent(Fysiek, (Burgerzaken, 5))]));

        Policy(overflow).Plan(pictures, Later).Should().BeEmpty();
    }

    [Fact]
    public void A_neighbour_that_has_not_reported_yet_is_skipped()
    {
        var pictures = new[]
        {
            Picture(Burgerzaken, [Overdue()]),
            Picture(Bedrijfsvoering, free: [FreeAgent(Bedrijfsvoering, (Burgerzaken, 3))]),
        };

        Policy().Plan(pictures, Later).Should().Equal(new Transfer("b1", Burgerzaken, Bedrijfsvoering));
    }
}

/// <summary>Agents are only partly trained for other centres: an overflowed contact needs someone with a skill for it.</summary>
public sealed class When_the_neighbour_agent_needs_a_skill_for_the_contact : OverflowPlanSpec
{
    private static readonly DateTimeOffset Later = At(30);

    private static IReadOnlyCollection<CentrePicture> BurgerzakenCallersAndFysiekAgents(IEnumerable<WaitingContact> callers, params IReadOnlyDictionary<string, int>[] fysiekAgents) =>
        Ring(Picture(Burgerzaken, callers), Picture(Fysiek, free: fysiekAgents));

    [Fact]
    public void A_free_agent_without_a_skill_for_the_contacts_home_centre_does_not_count()
    {
        // Skilled for Sociaal (Fysiek's other neighbour), not for Burgerzaken.
        var pictures = BurgerzakenCallersAndFysiekAgents([Caller("b1", Burgerzaken)], FreeAgent(Fysiek, (Sociaal, 5)), FreeAgent(Fysiek));

        Policy().Plan(pictures, Later).Should().BeEmpty();
    }

    [Theory]
    [InlineData(2, false)]
    [InlineData(3, true)]
    [InlineData(5, true)]
    public void The_agent_needs_at_least_the_overflow_minimum(int level, bool moves)
    {
        var routing = new RoutingOptions { OverflowMinimumSkillLevel = 3 };
        var pictures = BurgerzakenCallersAndFysiekAgents([Caller("b1", Burgerzaken)], FreeAgent(Fysiek, (Burgerzaken, level)));

        Policy(routing: routing).Plan(pictures, Later).Should().HaveCount(moves ? 1 : 0);
    }

    [Theory]
    [InlineData(3, false)]
    [InlineData(4, true)]
    public void The_agent_needs_at_least_the_general_minimum_when_that_is_higher(int level, bool moves)
    {
        var routing = new RoutingOptions { MinimumSkillLevel = 4, OverflowMinimumSkillLevel = 2 };
        var pictures = BurgerzakenCallersAndFysiekAgents([Caller("b1", Burgerzaken)], FreeAgent(Fysiek, (Burgerzaken, level)));

        Policy(routing: routing).Plan(pictures, Later).Should().HaveCount(moves ? 1 : 0);
    }

    [Fact]
    public void An_unskilled_free_agent_is_not_reserved_in_place_of_the_skilled_one()
    {
        // Two overdue callers, two free agents of whom only the second knows Burgerzaken: one move, not two.
        var pictures = BurgerzakenCallersAndFysiekAgents(
            [Caller("b1", Burgerzaken, queuedAt: 0), Caller("b2", Burgerzaken, queuedAt: 1)],
            FreeAgent(Fysiek), FreeAgent(Fysiek, (Burgerzaken, 3)));

        Policy().Plan(pictures, Later).Should().Equal(new Transfer("b1", Burgerzaken, Fysiek));
    }
}

/// <summary>The plan never promises one free agent to two contacts; the most deserving contact goes.</summary>
public sealed class When_two_overdue_contacts_want_one_free_agent : OverflowPlanSpec
{
    private static IReadOnlyCollection<CentrePicture> OneHelperFor(params WaitingContact[] callers) => Ring(
        Picture(Burgerzaken, callers),
        Picture(Fysiek, free: [FreeAgent(Fysiek, (Burgerzaken, 3))]));

    [Fact]
    public void Only_one_moves_and_at_equal_priority_the_first_to_arrive()
    {
        Policy().Plan(OneHelperFor(Caller("b2", Burgerzaken, queuedAt: 1), Caller("b1", Burgerzaken, queuedAt: 0)), At(30))
            .Should().Equal(new Transfer("b1", Burgerzaken, Fysiek));
    }

    [Fact]
    public void Without_aging_equal_priorities_still_go_by_arrival()
    {
        var routing = new RoutingOptions { AgingPointsPerMinute = 0 };

        Policy(routing: routing).Plan(OneHelperFor(Caller("b2", Burgerzaken, queuedAt: 1), Caller("b1", Burgerzaken, queuedAt: 0)), At(30))
            .Should().Equal(new Transfer("b1", Burgerzaken, Fysiek));
    }

    [Fact]
    public void A_higher_priority_goes_before_an_earlier_arrival()
    {
        Policy().Plan(OneHelperFor(Caller("eerder", Burgerzaken, queuedAt: 0), Caller("urgent", Burgerzaken, queuedAt: 5, priority: 2)), At(30))
            .Should().Equal(new Transfer("urgent", Burgerzaken, Fysiek));
    }

    [Fact]
    public void Priority_ages_with_the_wait_so_a_long_wait_beats_a_fresh_higher_priority()
    {
        // At 1 point per minute: 4 minutes waited at priority 0 is worth 4, half a minute at priority 3 is 3.5.
        Policy().Plan(OneHelperFor(Caller("lang", Burgerzaken, queuedAt: 0), Caller("urgent", Burgerzaken, queuedAt: 210, priority: 3)), At(240))
            .Should().Equal(new Transfer("lang", Burgerzaken, Fysiek));
    }

    [Fact]
    public void Two_free_agents_take_two_contacts()
    {
        var pictures = Ring(
            Picture(Burgerzaken, [Caller("b1", Burgerzaken, queuedAt: 0), Caller("b2", Burgerzaken, queuedAt: 1), Caller("b3", Burgerzaken, queuedAt: 2)]),
            Picture(Fysiek, free: [FreeAgent(Fysiek, (Burgerzaken, 3)), FreeAgent(Fysiek, (Burgerzaken, 3))]));

        Policy().Plan(pictures, At(30)).Should().Equal(new Transfer("b1", Burgerzaken, Fysiek), new Transfer("b2", Burgerzaken, Fysiek));
    }

    [Fact]
    public void When_one_neighbour_is_used_up_the_other_neighbour_takes_the_next()
    {
        var pictures = Ring(
            Picture(Burgerzaken, [Caller("b1", Burgerzaken, queuedAt: 0), Caller("b2", Burgerzaken, queuedAt: 1)]),
            Picture(Fysiek, free: [FreeAgent(Fysiek, (Burgerzaken, 3))]),
            Picture(Bedrijfsvoering, free: [FreeAgent(Bedrijfsvoering, (Burgerzaken, 3))]));

        var plan = Policy().Plan(pictures, At(30));
        plan.Select(t => t.ContactId).Should().Equal("b1", "b2");
        plan.Select(t => t.ToCentre).Should().BeEquivalentTo(Fysiek, Bedrijfsvoering);
    }

    [Fact]
    public void Contacts_of_two_centres_competing_for_one_shared_neighbour_agent_get_one_move_the_most_deserving()
    {
        // Fysiek lies between Burgerzaken and Sociaal; its one free agent knows both.
        var pictures = Ring(
            Picture(Burgerzaken, [Caller("b1", Burgerzaken, queuedAt: 0)]),
            Picture(Sociaal, [Caller("s1", Sociaal, queuedAt: 5, priority: 1)]),
            Picture(Fysiek, free: [FreeAgent(Fysiek, (Burgerzaken, 3), (Sociaal, 3))]));

        Policy().Plan(pictures, At(30)).Should().Equal(new Transfer("s1", Sociaal, Fysiek));
    }
}

/// <summary>A contact moves at most MaxHops times: no ping-pong between neighbours.</summary>
public sealed class When_a_contact_has_moved_as_often_as_allowed : OverflowPlanSpec
{
    /// <summary>A Burgerzaken caller now at Fysiek, with free skilled agents at home and at Fysiek's other neighbour.</summary>
    private static IReadOnlyCollection<CentrePicture> HelpEverywhere(int hops) => Ring(
        Picture(Fysiek, [Caller("b1", Burgerzaken, hops: hops)]),
        Picture(Burgerzaken, free: [FreeAgent(Burgerzaken)]),
        Picture(Sociaal, free: [FreeAgent(Sociaal, (Burgerzaken, 5))]));

    [Fact]
    public void It_is_never_planned_again()
    {
        Policy().Plan(HelpEverywhere(hops: 1), At(600)).Should().BeEmpty();
        Policy().Plan(HelpEverywhere(hops: 3), At(600)).Should().BeEmpty();
    }

    [Fact]
    public void With_a_higher_limit_it_may_move_once_more_and_then_no_more()
    {
        var twice = new OverflowOptions { MaxHops = 2 };
        var homeOnly = Ring(
            Picture(Fysiek, [Caller("b1", Burgerzaken, hops: 1)]),
            Picture(Burgerzaken, free: [FreeAgent(Burgerzaken)]));

        Policy(twice).Plan(homeOnly, At(600)).Should().Equal(new Transfer("b1", Fysiek, Burgerzaken));
        Policy(twice).Plan(HelpEverywhere(hops: 2), At(600)).Should().BeEmpty();
    }

    [Fact]
    public void MaxHops_zero_disables_moves()
    {
        var pictures = Ring(
            Picture(Burgerzaken, [Caller("b1", Burgerzaken)]),
            Picture(Fysiek, free: [FreeAgent(Fysiek, (Burgerzaken, 5))]));

        Policy().Plan(pictures, At(600)).Should().HaveCount(1, "the same pictures do move with the default limit");
        Policy(new OverflowOptions { MaxHops = 0 }).Plan(pictures, At(600)).Should().BeEmpty();
    }

    [Fact]
    public void Overflow_switched_off_moves_nothing()
    {
        var pictures = Ring(
            Picture(Burgerzaken, [Caller("b1", Burgerzaken)]),
            Picture(Fysiek, free: [FreeAgent(Fysiek, (Burgerzaken, 5))]));

        Policy(new OverflowOptions { Enabled = false }).Plan(pictures, At(600)).Should().BeEmpty();
    }
}
