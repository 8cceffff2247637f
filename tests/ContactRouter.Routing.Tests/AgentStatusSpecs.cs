namespace ContactRouter.Routing.Tests;

/// <summary>An agent's status is derived from facts, never stored, so it cannot stick.</summary>
public sealed class When_an_agent_status_is_derived_from_facts
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);

    public static TheoryData<string, Agent, AgentStatus> Facts() => new()
    {
        { "not logged in, whatever else", new Agent { Id = "a", HomeCentre = "sociaal", LoggedIn = false, OnBreak = true, WrapUpUntil = Now.AddSeconds(10) }, AgentStatus.Offline },
        { "logged in, nothing going on", new Agent { Id = "a", HomeCentre = "sociaal", LoggedIn = true }, AgentStatus.Available },
        { "an offer in flight", new Agent { Id = "a", HomeCentre = "sociaal", LoggedIn = true, OfferedContactId = "c1" }, AgentStatus.Offered },
        { "a connected contact", new Agent { Id = "a", HomeCentre = "sociaal", LoggedIn = true, ConnectedContactId = "c1" }, AgentStatus.Busy },
        { "a break asked for while connected", new Agent { Id = "a", HomeCentre = "sociaal", LoggedIn = true, OnBreak = true, ConnectedContactId = "c1" }, AgentStatus.Busy },
        { "wrap-up still running", new Agent { Id = "a", HomeCentre = "sociaal", LoggedIn = true, WrapUpUntil = Now.AddSeconds(1) }, AgentStatus.WrapUp },
        { "a break asked for during wrap-up", new Agent { Id = "a", HomeCentre = "sociaal", LoggedIn = true, OnBreak = true, WrapUpUntil = Now.AddSeconds(1) }, AgentStatus.WrapUp },
        { "wrap-up ending right now", new Agent { Id = "a", HomeCentre = "sociaal", LoggedIn = true, WrapUpUntil = Now }, AgentStatus.Available },
        { "wrap-up over, then a break", new Agent { Id = "a", HomeCentre = "sociaal", LoggedIn = true, OnBreak = true, WrapUpUntil = Now.AddSeconds(-1) }, AgentStatus.Break },
        { "an offer left unanswered", new Agent { Id = "a", HomeCentre = "sociaal", LoggedIn = true, NotResponding = true }, AgentStatus.NotResponding },
    };

    [Theory]
    [MemberData(nameof(Facts))]
    public void The_status_follows_from_the_facts(string situation, Agent agent, AgentStatus expected)
    {
        agent.StatusAt(Now).Should().Be(expected, situation);
    }
}

public sealed class When_an_agent_changes_status : CentreSpec
{
    public When_an_agent_changes_status()
    {
        Available("anna");
        After(10);
        Available("bram");
    }

    [Fact]
    public void A_break_asked_for_while_busy_takes_effect_after_the_contact_and_its_wrap_up()
    {
        Queue("c1");
        Accept("anna", "c1");

        SetPresence("anna", AgentPresence.Break);
        StatusOf("anna").Should().Be(AgentStatus.Busy);

        After(TimeSpan.FromMinutes(3));
        Complete("c1");
        StatusOf("anna").Should().Be(AgentStatus.WrapUp);

        After(30);
        StatusOf("anna").Should().Be(AgentStatus.Break);
        Queue("c2");
        OfferOf("anna").Should().BeNull();
        OfferOf("bram").Should().Be("c2");
    }

    [Fact]
    public void Going_offline_while_connected_is_a_conflict_on_status_and_changes_nothing()
    {
        Queue("c1");
        Accept("anna", "c1");

        RefusedWithoutChange(c => c.SetPresence("anna", AgentPresence.Offline), RefusalKind.Conflict, "status");
        StatusOf("anna").Should().Be(AgentStatus.Busy);
    }

    [Theory]
    [InlineData(AgentPresence.Break, AgentStatus.Break)]
    [InlineData(AgentPresence.Offline, AgentStatus.Offline)]
    public void Leaving_while_offered_returns_the_contact_to_its_old_place(AgentPresence presence, AgentStatus expected)
    {
        SetPresence("bram", AgentPresence.Break);
        Queue("eerste");        // offered to anna
        After(5);
        Queue("later");

        SetPresence("anna", presence);

        StatusOf("anna").Should().Be(expected);
        OfferOf("anna").Should().BeNull();
        ContactOf("eerste").Status.Should().Be(ContactStatus.Queued);
        Waiting().Should().Equal("eerste", "later");

        SetPresence("bram", AgentPresence.Available);
        OfferOf("bram").Should().Be("eerste");
    }

    [Fact]
    public void The_status_never_sticks_at_busy_after_complete()
    {
        Use(new RoutingOptions { WrapUp = TimeSpan.Zero });
        Available("anna");
        Queue("c1");
        Accept("anna", "c1");

        Complete("c1");

        StatusOf("anna").Should().Be(AgentStatus.Available);
        Centre.AgentsByStatus()[AgentStatus.Busy].Should().Be(0);
    }

    [Fact]
    public void Going_offline_during_wrap_up_ends_it()
    {
        Queue("c1");
        Accept("anna", "c1");
        Complete("c1");

        SetPresence("anna", AgentPresence.Offline);

        StatusOf("anna").Should().Be(AgentStatus.Offline);
        AgentOf("anna").WrapUpUntil.Should().BeNull();
    }

    [Fact]
    public void Coming_back_from_a_break_makes_the_agent_available_again()
    {
        SetPresence("anna", AgentPresence.Break);
        SetPresence("bram", AgentPresence.Break);
        Queue("c1");
        ContactOf("c1").Status.Should().Be(ContactStatus.Queued);

        SetPresence("anna", AgentPresence.Available);

        OfferOf("anna").Should().Be("c1");
    }

    [Fact]
    public void Agents_are_counted_by_derived_status()
    {
        Queue("c1");            // anna is offered it
        Available("cees");
        SetPresence("cees", AgentPresence.Break);

        var counts = Centre.AgentsByStatus();

        counts[AgentStatus.Offered].Should().Be(1);
        counts[AgentStatus.Available].Should().Be(1);
        counts[AgentStatus.Break].Should().Be(1);
        counts.Values.Sum().Should().Be(3);
    }

    [Fact]
    public void An_unknown_agent_is_not_found()
    {
        RefusedWithoutChange(c => c.SetPresence("onbekend", AgentPresence.Available), RefusalKind.NotFound, "agentId");
    }
}
