namespace ContactRouter.Routing.Tests;

/// <summary>The policy on pictures of four real centres: a caller waits at home, then also the neighbour may answer.</summary>
public sealed class When_a_caller_waits_at_home_with_nobody_free_there : OverflowSpec
{
    [Fact]
    public void It_stays_home_until_its_threshold_then_moves_to_the_neighbour_agent_who_knows_its_domain()
    {
        AvailableAt(Fysiek, "femke", (Burgerzaken, 3));
        QueueAt(Burgerzaken, "b1");

        Elapse(19);
        At(Burgerzaken).Picture().Waiting.Select(w => w.ContactId).Should().Equal("b1");
        At(Fysiek).Picture().FreeAgentSkills.Should().ContainSingle();
        Plan().Should().BeEmpty();
        Policy().NextThreshold(Pictures(), Now).Should().Be(Start.AddSeconds(20));

        Elapse(1);
        var plan = Plan();
        plan.Should().Equal(new Transfer("b1", Burgerzaken, Fysiek));

        Move(plan[0]);
        OfferAt(Fysiek, "femke").Should().Be("b1");
        ShouldHoldAcrossCentres();
    }

    [Fact]
    public void An_urgent_caller_with_a_shorter_threshold_moves_sooner()
    {
        var settings = OverflowOptions.DefaultRing();
        settings[Burgerzaken] = settings[Burgerzaken] with { OverflowAfterByPriority = new() { [9] = TimeSpan.FromSeconds(5) } };
        var overflow = new OverflowOptions { Centres = settings };
        AvailableAt(Fysiek, "femke", (Burgerzaken, 3));
        QueueAt(Burgerzaken, "gewoon");
        Elapse(1);
        QueueAt(Burgerzaken, "urgent", priority: 9);

        Elapse(4);
        Plan(overflow).Should().BeEmpty();
        Elapse(1);
        Plan(overflow).Should().Equal(new Transfer("urgent", Burgerzaken, Fysiek));
    }

    [Fact]
    public void A_non_neighbour_with_a_free_skilled_agent_leaves_the_caller_waiting()
    {
        AvailableAt(Sociaal, "sanne", (Burgerzaken, 5));
        QueueAt(Burgerzaken, "b1");

        Elapse(300);

        Plan().Should().BeEmpty();
        StatusAt(Sociaal, "sanne").Should().Be(AgentStatus.Available);
        WaitingAt(Burgerzaken).Should().Equal("b1");
    }

    [Fact]
    public void A_free_neighbour_agent_without_enough_skill_for_the_callers_domain_does_not_count()
    {
        UseEverywhere(new RoutingOptions { OverflowMinimumSkillLevel = 3 });
        AvailableAt(Fysiek, "fons");
        AvailableAt(Bedrijfsvoering, "bas", (Burgerzaken, 2));
        QueueAt(Burgerzaken, "b1");

        Elapse(60);

        Plan().Should().BeEmpty();
    }

    [Fact]
    public void A_moved_contact_is_not_offered_at_the_neighbour_to_an_agent_below_the_overflow_minimum()
    {
        // The centre applies the same rule as the policy, so even a wrong or stale move cannot bypass it.
        UseEverywhere(new RoutingOptions { OverflowMinimumSkillLevel = 3 });
        AvailableAt(Fysiek, "femke", (Burgerzaken, 2));
        AvailableAt(Fysiek, "fons");
        QueueAt(Burgerzaken, "b1");
        Elapse(20);

        Move("b1", Burgerzaken, Fysiek);

        At(Fysiek).FindContact("b1")!.Status.Should().Be(ContactStatus.Queued);
        StatusAt(Fysiek, "femke").Should().Be(AgentStatus.Available);
        StatusAt(Fysiek, "fons").Should().Be(AgentStatus.Available);
    }
}

/// <summary>Home agents keep first claim: a contact a home agent can take is offered at home and never planned.</summary>
public sealed class When_the_home_centre_has_a_free_agent : OverflowSpec
{
    private static readonly OverflowOptions QuickOverflow = new()
    {
        Centres = CentreCatalog.All.ToDictionary(c => c, c => OverflowOptions.DefaultRing()[c] with { OverflowAfter = TimeSpan.FromSeconds(5) }),
    };

    [Fact]
    public void The_contact_is_offered_at_home_at_once_and_is_not_in_the_picture()
    {
        AvailableAt(Burgerzaken, "bart");
        AvailableAt(Fysiek, "femke", (Burgerzaken, 5));
        QueueAt(Burgerzaken, "b1");

        OfferAt(Burgerzaken, "bart").Should().Be("b1");
        Elapse(10); // past the 5 s threshold, still ringing (the offer runs 15 s)

        At(Burgerzaken).Picture().Waiting.Should().BeEmpty();
        Plan(QuickOverflow).Should().BeEmpty();
    }

    [Fact]
    public void An_answered_contact_is_never_planned_however_long_ago_it_arrived()
    {
        AvailableAt(Burgerzaken, "bart");
        AvailableAt(Fysiek, "femke", (Burgerzaken, 5));
        QueueAt(Burgerzaken, "b1");
        AcceptAt(Burgerzaken, "bart", "b1");

        Elapse(600);

        Plan().Should().BeEmpty();
        Policy().NextThreshold(Pictures(), Now).Should().BeNull();
    }

    [Fact]
    public void A_home_agent_who_becomes_free_before_the_router_looks_gets_the_overdue_contact()
    {
        AvailableAt(Burgerzaken, "bart");
        AvailableAt(Fysiek, "femke", (Burgerzaken, 5));
        QueueAt(Burgerzaken, "b0");
        AcceptAt(Burgerzaken, "bart", "b0");
        QueueAt(Burgerzaken, "b1");
        Elapse(25);

        FinishAndReadyAt(Burgerzaken, "bart", "b0");

        OfferAt(Burgerzaken, "bart").Should().Be("b1");
        Plan().Should().BeEmpty();
        StatusAt(Fysiek, "femke").Should().Be(AgentStatus.Available);
    }

    [Fact]
    public void A_home_agent_below_the_minimum_is_no_home_agent_for_it_and_the_neighbour_helps()
    {
        UseEverywhere(new RoutingOptions { MinimumSkillLevel = 3 });
        AvailableAt(Burgerzaken, "bea", homeLevel: 2);
        AvailableAt(Fysiek, "femke", (Burgerzaken, 4));
        QueueAt(Burgerzaken, "b1");
        Elapse(20);

        var plan = Plan();
        plan.Should().Equal(new Transfer("b1", Burgerzaken, Fysiek));
        Move(plan[0]);

        OfferAt(Fysiek, "femke").Should().Be("b1");
        StatusAt(Burgerzaken, "bea").Should().Be(AgentStatus.Available);
    }
}

/// <summary>One free neighbour agent, two overdue callers: one moves, the most deserving one.</summary>
public sealed class When_two_overdue_callers_want_one_neighbour_agent : OverflowSpec
{
    [Fact]
    public void The_first_to_arrive_moves_and_the_other_stays_queued_at_home()
    {
        AvailableAt(Fysiek, "femke", (Burgerzaken, 3));
        QueueAt(Burgerzaken, "b1");
        Elapse(1);
        QueueAt(Burgerzaken, "b2");
        Elapse(24);

        var plan = Plan();
        plan.Should().Equal(new Transfer("b1", Burgerzaken, Fysiek));
        Move(plan[0]);

        OfferAt(Fysiek, "femke").Should().Be("b1");
        WaitingAt(Burgerzaken).Should().Equal("b2");
        Plan().Should().BeEmpty("the only helper is ringing now");
        ShouldHoldAcrossCentres();
    }

    [Fact]
    public void A_higher_priority_that_arrived_later_moves_first()
    {
        AvailableAt(Fysiek, "femke", (Burgerzaken, 3));
        QueueAt(Burgerzaken, "b1");
        Elapse(1);
        QueueAt(Burgerzaken, "b2", priority: 2);
        Elapse(24);

        Plan().Should().Equal(new Transfer("b2", Burgerzaken, Fysiek));
    }
}

/// <summary>A moved contact keeps its arrival, priority and history, and its place among the neighbour's callers.</summary>
public sealed class When_a_contact_has_moved_to_a_neighbour : OverflowSpec
{
    [Fact]
    public void It_keeps_who_called_when_and_why_and_counts_one_hop()
    {
        AvailableAt(Fysiek, "femke", (Burgerzaken, 3));
        var arrival = Now;
        QueueAt(Burgerzaken, "b1", priority: 4, caller: "+31687654321");
        Elapse(20);

        var moved = Move(Plan().Single());

        moved.Should().BeSameAs(At(Fysiek).FindContact("b1"));
        moved.QueuedAt.Should().Be(arrival);
        moved.Priority.Should().Be(4);
        moved.Caller.Should().Be("+31687654321");
        moved.HomeCentre.Should().Be(Burgerzaken);
        moved.Centre.Should().Be(Fysiek);
        moved.Hops.Should().Be(1);
        moved.Overflowed.Should().BeTrue();
        moved.Status.Should().Be(ContactStatus.Offered);
        moved.AgentId.Should().Be("femke");
        At(Burgerzaken).FindContact("b1").Should().BeNull();
        At(Burgerzaken).Picture().Waiting.Should().BeEmpty();
    }

    [Fact]
    public void The_source_counts_overflow_out_and_the_target_overflow_in_not_a_new_arrival()
    {
        AvailableAt(Fysiek, "femke", (Burgerzaken, 3));
        QueueAt(Burgerzaken, "b1");
        Elapse(20);
        At(Burgerzaken).TakeChanges();
        At(Fysiek).TakeChanges();

        Move("b1", Burgerzaken, Fysiek);

        At(Burgerzaken).Today.Arrived.Should().Be(1);
        At(Burgerzaken).Today.Offered.Should().Be(1);
        At(Burgerzaken).Today.OverflowOut.Should().Be(1);
        At(Burgerzaken).Today.OverflowIn.Should().Be(0);
        At(Fysiek).Today.Arrived.Should().Be(0);
        // The neighbour's queue was offered the caller all the same: what it answers, it was offered.
        At(Fysiek).Today.Offered.Should().Be(1);
        At(Fysiek).Today.OverflowIn.Should().Be(1);
        At(Fysiek).Today.OverflowOut.Should().Be(0);

        At(Burgerzaken).TakeChanges().Events.OfType<ContactWasTransferred>()
            .Should().Equal(new ContactWasTransferred("b1", Burgerzaken, Fysiek, 1, Now));
        var there = At(Fysiek).TakeChanges();
        there.Events.Select(e => e.GetType()).Should().ContainInOrder(typeof(ContactWasQueued), typeof(ContactWasOffered));
        there.Statistics!.OverflowIn.Should().Be(1);
        ShouldHoldAcrossCentres();
    }

    [Fact]
    public void Its_wait_at_the_neighbour_counts_from_its_first_arrival()
    {
        AvailableAt(Fysiek, "femke", (Burgerzaken, 3));
        QueueAt(Burgerzaken, "b1");
        Elapse(20);
        Move("b1", Burgerzaken, Fysiek);
        Elapse(14);

        AcceptAt(Fysiek, "femke", "b1");

        At(Fysiek).Today.Answered.Should().Be(1);
        At(Fysiek).Today.TotalSecondsToAnswer.Should().Be(34);
        At(Fysiek).Today.AnsweredWithinTarget.Should().Be(0, "34 s is past the 30 s target, however short the wait at Fysiek");
        ShouldHoldAcrossCentres();
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(0.0)]
    public void The_neighbours_own_callers_who_arrived_later_do_not_overtake_it_at_equal_priority(double aging)
    {
        UseEverywhere(new RoutingOptions { AgingPointsPerMinute = aging });
        AvailableAt(Fysiek, "femke", (Burgerzaken, 3));
        QueueAt(Fysiek, "f0");
        AcceptAt(Fysiek, "femke", "f0");
        QueueAt(Burgerzaken, "b1");
        Elapse(5);
        QueueAt(Fysiek, "f1");
        Elapse(15);

        // Femke is busy, so the policy would not send it; a move on an older picture can still bring it.
        Plan().Should().BeEmpty();
        Move("b1", Burgerzaken, Fysiek);
        Elapse(5);
        QueueAt(Fysiek, "f2");

        WaitingAt(Fysiek).Should().Equal("b1", "f1", "f2");
        FinishAndReadyAt(Fysiek, "femke", "f0");
        OfferAt(Fysiek, "femke").Should().Be("b1");
        ShouldHoldAcrossCentres();
    }

    [Fact]
    public void A_higher_priority_caller_of_the_neighbour_still_goes_first()
    {
        AvailableAt(Fysiek, "femke", (Burgerzaken, 3));
        QueueAt(Fysiek, "f0");
        AcceptAt(Fysiek, "femke", "f0");
        QueueAt(Burgerzaken, "b1");
        Elapse(5);
        QueueAt(Fysiek, "f-urgent", priority: 5);
        Elapse(15);

        Move("b1", Burgerzaken, Fysiek);

        WaitingAt(Fysiek).Should().Equal("f-urgent", "b1");
    }

    [Fact]
    public void A_neighbour_agent_without_the_cross_skill_is_not_offered_it()
    {
        AvailableAt(Fysiek, "fons");
        AvailableAt(Fysiek, "femke", (Burgerzaken, 3));
        QueueAt(Burgerzaken, "b1");
        Elapse(20);

        Move(Plan().Single());

        OfferAt(Fysiek, "femke").Should().Be("b1");
        StatusAt(Fysiek, "fons").Should().Be(AgentStatus.Available);
    }
}

/// <summary>The hop limit on real centres: a moved contact stays where it went.</summary>
public sealed class When_a_moved_contact_could_move_again : OverflowSpec
{
    [Fact]
    public void It_is_not_planned_again_even_with_free_skilled_agents_next_door_and_at_home()
    {
        // Moved on an older picture: femke was taken by her own caller before b1 arrived.
        AvailableAt(Fysiek, "femke", (Burgerzaken, 3));
        QueueAt(Burgerzaken, "b1");
        Elapse(20);
        var plan = Plan();
        QueueAt(Fysiek, "f1");
        AcceptAt(Fysiek, "femke", "f1");
        Move(plan.Single());
        At(Fysiek).FindContact("b1")!.Status.Should().Be(ContactStatus.Queued);

        AvailableAt(Sociaal, "sanne", (Burgerzaken, 5), (Fysiek, 5));
        AvailableAt(Burgerzaken, "bart");
        Elapse(60);

        At(Fysiek).Picture().Waiting.Should().ContainSingle(w => w.ContactId == "b1" && w.Hops == 1);
        Plan().Should().BeEmpty();
        Policy().NextThreshold(Pictures(), Now).Should().BeNull();

        FinishAndReadyAt(Fysiek, "femke", "f1");
        OfferAt(Fysiek, "femke").Should().Be("b1");
        ShouldHoldAcrossCentres();
    }

    [Fact]
    public void No_limit_left_or_overflow_switched_off_keeps_every_caller_home()
    {
        AvailableAt(Fysiek, "femke", (Burgerzaken, 3));
        QueueAt(Burgerzaken, "b1");
        Elapse(120);

        Plan(new OverflowOptions { MaxHops = 0 }).Should().BeEmpty();
        Plan(new OverflowOptions { Enabled = false }).Should().BeEmpty();
        Plan().Should().ContainSingle("the same centres do overflow with the defaults");
    }
}

/// <summary>
/// The overflow router is a separate process. While it is down the centres keep serving their own callers;
/// when it comes back it plans from fresh pictures, and a move planned on a stale picture is refused by the
/// centre if the contact was offered or answered meanwhile: nothing is ever offered twice.
/// </summary>
public sealed class When_the_router_was_down_and_comes_back : OverflowSpec
{
    [Fact]
    public void The_centres_kept_serving_and_only_contacts_still_queued_move()
    {
        AvailableAt(Burgerzaken, "bart");
        AvailableAt(Fysiek, "femke", (Burgerzaken, 3));
        QueueAt(Burgerzaken, "b0");
        AcceptAt(Burgerzaken, "bart", "b0");
        QueueAt(Fysiek, "f0");
        AcceptAt(Fysiek, "femke", "f0");
        QueueAt(Burgerzaken, "b1");
        Elapse(10);
        QueueAt(Burgerzaken, "b2");

        // The router is down for five minutes; nobody asks the policy anything.
        Elapse(300);
        FinishAndReadyAt(Burgerzaken, "bart", "b0");
        OfferAt(Burgerzaken, "bart").Should().Be("b1", "home agents get offers as usual without the router");
        FinishAndReadyAt(Fysiek, "femke", "f0");
        StatusAt(Fysiek, "femke").Should().Be(AgentStatus.Available);

        // Back: it asks for fresh pictures and plans.
        var plan = Plan();
        plan.Should().Equal(new Transfer("b2", Burgerzaken, Fysiek));
        Move(plan[0]);

        OfferAt(Burgerzaken, "bart").Should().Be("b1");
        OfferAt(Fysiek, "femke").Should().Be("b2");
        ShouldHoldAcrossCentres();
    }

    [Fact]
    public void A_move_planned_on_a_stale_picture_is_refused_once_the_contact_was_offered_at_home()
    {
        // Home is Sociaal here, so the CentreSpec refusal check applies to it.
        Available("sanne");
        Queue("s0");
        Accept("sanne", "s0");
        AvailableAt(Fysiek, "femke", (Sociaal, 3));
        Queue("s1");
        Elapse(25);
        var stale = Pictures();

        // Before the router's command arrives, sanne is ready again and gets s1.
        Complete("s0");
        SetPresence("sanne", AgentPresence.Available);
        OfferOf("sanne").Should().Be("s1");

        Elapse(0); // the worker's alarm for the wrap-up that just ended

        var plan = Policy().Plan(stale, Now);
        plan.Should().Equal(new Transfer("s1", Sociaal, Fysiek));
        RefusedWithoutChange(c => c.TransferOut("s1", Fysiek, out _), RefusalKind.Conflict, "contactId");

        OfferOf("sanne").Should().Be("s1");
        Centre.Today.OverflowOut.Should().Be(0);
        At(Fysiek).FindContact("s1").Should().BeNull();
        StatusAt(Fysiek, "femke").Should().Be(AgentStatus.Available);
        Plan().Should().BeEmpty("fresh pictures show s1 ringing at home");
        ShouldHoldAcrossCentres();
    }

    [Fact]
    public void A_move_planned_on_a_stale_picture_is_refused_once_the_contact_was_answered_or_is_gone()
    {
        Available("sanne");
        Queue("s0");
        Accept("sanne", "s0");
        AvailableAt(Bedrijfsvoering, "bas", (Sociaal, 3));
        Queue("s1");
        Queue("s2");
        Elapse(25);
        var stale = Pictures();
        Complete("s0");
        SetPresence("sanne", AgentPresence.Available);
        Accept("sanne", "s1");
        Abandon("s2");
        Elapse(0);

        var plan = Policy().Plan(stale, Now);
        plan.Select(t => t.ContactId).Should().Equal("s1");
        RefusedWithoutChange(c => c.TransferOut("s1", Bedrijfsvoering, out _), RefusalKind.Conflict, "contactId");
        RefusedWithoutChange(c => c.TransferOut("s2", Bedrijfsvoering, out _), RefusalKind.NotFound, "contactId");

        StatusAt(Bedrijfsvoering, "bas").Should().Be(AgentStatus.Available);
        ShouldHoldAcrossCentres();
    }
}
