namespace ContactRouter.Routing.Tests;

public sealed class When_an_offer_times_out : CentreSpec
{
    public When_an_offer_times_out()
    {
        Queue("eerste");
        After(5);
        Queue("later");
        Available("anna");      // offered "eerste" now; "later" waits behind it
        OfferOf("anna").Should().Be("eerste");
    }

    [Fact]
    public void The_offer_stands_until_the_default_15_seconds_have_passed()
    {
        After(14);

        OfferOf("anna").Should().Be("eerste");
        ContactOf("eerste").Status.Should().Be(ContactStatus.Offered);

        After(1);

        OfferOf("anna").Should().BeNull();
        ContactOf("eerste").Status.Should().Be(ContactStatus.Queued);
    }

    [Fact]
    public void The_agent_becomes_not_responding()
    {
        After(15);

        StatusOf("anna").Should().Be(AgentStatus.NotResponding);
    }

    [Fact]
    public void The_contact_returns_to_its_old_place_ahead_of_contacts_that_arrived_after_it()
    {
        After(15);

        Waiting().Should().Equal("eerste", "later");
        ContactOf("eerste").AgentId.Should().BeNull();

        Available("bram");
        OfferOf("bram").Should().Be("eerste");
    }

    [Fact]
    public void The_agent_gets_nothing_until_they_set_themselves_available_again()
    {
        After(15);
        After(TimeSpan.FromMinutes(5));

        OfferOf("anna").Should().BeNull();
        StatusOf("anna").Should().Be(AgentStatus.NotResponding);

        SetPresence("anna", AgentPresence.Available);

        OfferOf("anna").Should().Be("eerste");
        ContactOf("eerste").OfferCount.Should().Be(2);
    }

    [Fact]
    public void A_late_accept_is_refused_as_a_conflict()
    {
        Time.Advance(TimeSpan.FromSeconds(16));

        var refusal = Centre.Accept("anna", "eerste");

        refusal.Should().NotBeNull();
        refusal!.Kind.Should().Be(RefusalKind.Conflict);
        refusal.Field.Should().Be("contactId");
        StatusOf("anna").Should().Be(AgentStatus.NotResponding);
    }

    private static readonly Dictionary<string, Func<Centre, Refusal?>> NextCommands = new()
    {
        ["tick"] = c => { c.Tick(); return null; },
        ["new caller"] = c => c.Queue(NewContact("nieuw", Monday9.AddSeconds(21))),
        ["late accept (refused)"] = c => c.Accept("anna", "eerste"),
        ["duplicate queue (absorbed)"] = c => c.Queue(NewContact("eerste", Monday9)),
        ["unknown agent status (refused)"] = c => c.SetPresence("onbekend", AgentPresence.Available),
        ["bad skill registration (refused)"] = c => c.RegisterAgent("cees", "Cees", Skills(9)),
        ["unknown hang-up (refused)"] = c => c.Abandon("onbekend"),
        ["complete not connected (refused)"] = c => c.Complete("eerste", "resolved", null),
    };

    public static TheoryData<string> NextCommandNames() => new(NextCommands.Keys);

    [Theory]
    [MemberData(nameof(NextCommandNames))]
    public void Whatever_command_comes_next_applies_the_timeout_and_offers_the_contact_to_a_free_agent(string nextCommand)
    {
        Available("bram");      // gets "later", the only contact not on offer
        Abandon("later");       // and is free again with nothing to offer
        StatusOf("bram").Should().Be(AgentStatus.Available);

        // Anna's offer expires before the deadline alarm fires: the next command has to apply it.
        Time.Advance(TimeSpan.FromSeconds(16));
        NextCommands[nextCommand](Centre);

        StatusOf("anna").Should().Be(AgentStatus.NotResponding);
        // The contact is back in the queue and bram is free: the centre must not leave them both waiting,
        // all the more because then no deadline is left to wake it.
        OfferOf("bram").Should().Be("eerste", "every command ends by matching waiting contacts to free agents");
    }
}

public sealed class When_an_offer_timeout_is_configured : CentreSpec
{
    [Fact]
    public void The_offer_stands_for_the_configured_time()
    {
        Use(new RoutingOptions { OfferTimeout = TimeSpan.FromSeconds(25) });
        Available("anna");
        Queue("c1");

        ContactOf("c1").Status.Should().Be(ContactStatus.Offered);
        AgentOf("anna").OfferExpiresAt.Should().Be(Now.AddSeconds(25));

        After(24);
        OfferOf("anna").Should().Be("c1");

        After(1);
        OfferOf("anna").Should().BeNull();
        StatusOf("anna").Should().Be(AgentStatus.NotResponding);
        ContactOf("c1").Status.Should().Be(ContactStatus.Queued);
    }
}
