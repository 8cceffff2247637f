namespace ContactRouter.Routing.Tests;

public sealed class When_an_agent_is_chosen_for_a_contact : CentreSpec
{
    [Fact]
    public void The_longest_idle_available_agent_gets_the_offer()
    {
        Available("zara");   // idle longest, although last by name
        After(10);
        Available("anna");
        After(10);
        Available("bram");

        Queue("c1");

        OfferOf("zara").Should().Be("c1");
        OfferOf("anna").Should().BeNull();
        OfferOf("bram").Should().BeNull();
        ContactOf("c1").AgentId.Should().Be("zara");
    }

    [Fact]
    public void The_next_contact_goes_to_the_next_longest_idle_agent()
    {
        Available("zara");
        After(10);
        Available("anna");

        Queue("c1");
        Queue("c2");

        OfferOf("zara").Should().Be("c1");
        OfferOf("anna").Should().Be("c2");
    }

    [Fact]
    public void Pressing_available_again_does_not_cost_an_agent_their_place_in_the_idle_line()
    {
        Available("zara");
        After(10);
        Available("anna");
        After(10);

        SetPresence("zara", AgentPresence.Available);
        Queue("c1");

        OfferOf("zara").Should().Be("c1");
    }

    [Fact]
    public void An_agent_back_from_a_break_queues_up_behind_those_who_were_already_idle()
    {
        Available("zara");
        SetPresence("zara", AgentPresence.Break);
        After(10);
        Available("anna");
        After(10);
        SetPresence("zara", AgentPresence.Available);

        Queue("c1");

        OfferOf("anna").Should().Be("c1");
    }

    [Fact]
    public void Without_preference_for_skill_idle_time_wins_over_a_higher_skill()
    {
        Available("lang-idle", skill: 2);
        After(30);
        Available("expert", skill: 5);

        Queue("c1");

        OfferOf("lang-idle").Should().Be("c1");
    }

    [Fact]
    public void With_preference_for_skill_the_higher_skill_wins_over_idle_time()
    {
        Use(new RoutingOptions { PreferHigherSkill = true });
        Available("lang-idle", skill: 2);
        After(30);
        Available("expert", skill: 5);

        Queue("c1");

        OfferOf("expert").Should().Be("c1");
        OfferOf("lang-idle").Should().BeNull();
    }

    [Fact]
    public void With_preference_for_skill_idle_time_decides_between_equal_skills()
    {
        Use(new RoutingOptions { PreferHigherSkill = true });
        Available("zara", skill: 4);
        After(30);
        Available("anna", skill: 4);

        Queue("c1");

        OfferOf("zara").Should().Be("c1");
    }

    [Fact]
    public void An_agent_without_skill_for_the_contacts_home_centre_is_never_offered_it()
    {
        Available("alleen-sociaal", skill: 5);

        Queue("overloop", homeCentre: CentreCatalog.Burgerzaken, hops: 1);
        After(TimeSpan.FromMinutes(10));

        OfferOf("alleen-sociaal").Should().BeNull();
        ContactOf("overloop").Status.Should().Be(ContactStatus.Queued);

        Available("ook-burgerzaken", 3, (CentreCatalog.Burgerzaken, 1));
        OfferOf("ook-burgerzaken").Should().Be("overloop");
    }

    [Fact]
    public void An_agent_below_the_minimum_skill_level_is_never_offered_the_contact()
    {
        Use(new RoutingOptions { MinimumSkillLevel = 3 });
        Available("junior", skill: 2);

        Queue("c1");
        After(TimeSpan.FromMinutes(10));

        OfferOf("junior").Should().BeNull();
        StatusOf("junior").Should().Be(AgentStatus.Available);

        Available("medior", skill: 3);
        OfferOf("medior").Should().Be("c1");
    }

    [Fact]
    public void A_contact_nobody_free_can_take_does_not_hold_up_the_contacts_behind_it()
    {
        Queue("overloop", priority: 9, homeCentre: CentreCatalog.Fysiek, hops: 1);
        Queue("eigen");

        Available("anna");

        OfferOf("anna").Should().Be("eigen");
        Waiting().Should().Equal("overloop", "eigen");
    }

    [Fact]
    public void An_agent_who_is_not_available_gets_no_offer()
    {
        Available("pauze");
        SetPresence("pauze", AgentPresence.Break);
        Available("weg");
        SetPresence("weg", AgentPresence.Offline);
        Centre.RegisterAgent("nooit-ingelogd", "nooit-ingelogd", Skills(5)).Should().BeNull();

        Queue("c1");

        Centre.Agents.Should().OnlyContain(a => a.OfferedContactId == null);
        ContactOf("c1").Status.Should().Be(ContactStatus.Queued);
    }
}
