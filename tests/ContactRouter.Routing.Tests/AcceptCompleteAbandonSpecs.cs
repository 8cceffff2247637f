namespace ContactRouter.Routing.Tests;

public sealed class When_an_agent_accepts_an_offer : CentreSpec
{
    public When_an_agent_accepts_an_offer()
    {
        Available("anna");
        After(10);
        Available("bram");
        Queue("c1");            // offered to anna
    }

    [Fact]
    public void The_contact_is_connected_the_agent_busy_and_the_answer_time_recorded()
    {
        After(7);
        var answeredAt = Now;

        Accept("anna", "c1");

        ContactOf("c1").Status.Should().Be(ContactStatus.Connected);
        ContactOf("c1").AgentId.Should().Be("anna");
        ContactOf("c1").AnsweredAt.Should().Be(answeredAt);
        StatusOf("anna").Should().Be(AgentStatus.Busy);
        AgentOf("anna").ConnectedContactId.Should().Be("c1");
        AgentOf("anna").OfferedContactId.Should().BeNull();
        Waiting().Should().BeEmpty();
    }

    [Fact]
    public void A_connected_agent_is_offered_nothing_more()
    {
        Accept("anna", "c1");
        Queue("c2");
        Queue("c3");

        OfferOf("bram").Should().Be("c2");
        OfferOf("anna").Should().BeNull();
        ContactOf("c3").Status.Should().Be(ContactStatus.Queued);
    }

    [Fact]
    public void Accepting_a_contact_offered_to_someone_else_is_a_conflict_and_changes_nothing()
    {
        var refusal = RefusedWithoutChange(c => c.Accept("bram", "c1"), RefusalKind.Conflict, "contactId");

        refusal.Detail.Should().Contain("c1");
    }

    [Fact]
    public void Accepting_a_contact_that_does_not_exist_is_a_conflict_and_changes_nothing()
    {
        RefusedWithoutChange(c => c.Accept("anna", "bestaat-niet"), RefusalKind.Conflict, "contactId");
    }

    [Fact]
    public void Accepting_twice_is_a_conflict_and_changes_nothing()
    {
        Accept("anna", "c1");

        RefusedWithoutChange(c => c.Accept("anna", "c1"), RefusalKind.Conflict, "contactId");
    }

    [Fact]
    public void An_unknown_agent_is_not_found_and_changes_nothing()
    {
        RefusedWithoutChange(c => c.Accept("onbekend", "c1"), RefusalKind.NotFound, "agentId");
    }
}

public sealed class When_a_contact_is_completed : CentreSpec
{
    public When_a_contact_is_completed()
    {
        Available("anna");
        Queue("c1");
        Accept("anna", "c1");
        After(TimeSpan.FromMinutes(4));
    }

    [Fact]
    public void The_agent_wraps_up_for_30_seconds_and_is_then_available()
    {
        Complete("c1");
        StatusOf("anna").Should().Be(AgentStatus.WrapUp);
        AgentOf("anna").ConnectedContactId.Should().BeNull();

        After(29);
        StatusOf("anna").Should().Be(AgentStatus.WrapUp);

        After(1);
        StatusOf("anna").Should().Be(AgentStatus.Available);
        AgentOf("anna").WrapUpUntil.Should().BeNull();
    }

    [Fact]
    public void The_contact_is_finished_with_its_outcome()
    {
        var completedAt = Now;
        var contact = ContactOf("c1");

        Centre.Complete("c1", "callback", "Terugbellen over Wmo-aanvraag").Should().BeNull();

        contact.Status.Should().Be(ContactStatus.Completed);
        contact.CompletedAt.Should().Be(completedAt);
        contact.Outcome.Should().Be("callback");
        contact.Summary.Should().Be("Terugbellen over Wmo-aanvraag");
        Centre.FindContact("c1").Should().BeNull("finished contacts leave the live set");
    }

    [Fact]
    public void The_wrap_up_time_is_configurable()
    {
        Use(new RoutingOptions { WrapUp = TimeSpan.FromSeconds(90) });
        Available("bram");
        Queue("c2");
        Accept("bram", "c2");
        Complete("c2");

        After(89);
        StatusOf("bram").Should().Be(AgentStatus.WrapUp);
        After(1);
        StatusOf("bram").Should().Be(AgentStatus.Available);
    }

    [Fact]
    public void A_waiting_contact_is_offered_as_soon_as_wrap_up_ends()
    {
        Queue("c2");
        Complete("c1");
        ContactOf("c2").Status.Should().Be(ContactStatus.Queued);

        After(29);
        OfferOf("anna").Should().BeNull();

        After(1);
        OfferOf("anna").Should().Be("c2");
    }

    [Fact]
    public void Setting_available_during_wrap_up_ends_it_early()
    {
        Queue("c2");
        Complete("c1");
        After(5);

        SetPresence("anna", AgentPresence.Available);

        OfferOf("anna").Should().Be("c2");
        StatusOf("anna").Should().Be(AgentStatus.Offered);
    }

    [Fact]
    public void Completing_a_contact_that_is_not_connected_is_a_conflict_naming_the_contact_and_changes_nothing()
    {
        Queue("wachtend");

        RefusedWithoutChange(c => c.Complete("wachtend", "resolved", null), RefusalKind.Conflict, "contactId");
    }

    [Fact]
    public void Completing_an_offered_contact_is_a_conflict_and_changes_nothing()
    {
        Available("bram");
        Queue("aangeboden");
        OfferOf("bram").Should().Be("aangeboden");

        RefusedWithoutChange(c => c.Complete("aangeboden", "resolved", null), RefusalKind.Conflict, "contactId");
    }

    [Fact]
    public void Completing_twice_is_refused_and_changes_nothing()
    {
        Complete("c1");

        RefusedWithoutChange(c => c.Complete("c1", "resolved", null), RefusalKind.NotFound, "contactId");
    }
}

public sealed class When_a_caller_hangs_up : CentreSpec
{
    [Fact]
    public void A_waiting_contact_leaves_the_queue_and_is_counted_as_abandoned()
    {
        Queue("c1");
        Queue("c2");
        var contact = ContactOf("c1");
        After(40);

        Abandon("c1");

        Waiting().Should().Equal("c2");
        Centre.FindContact("c1").Should().BeNull();
        contact.Status.Should().Be(ContactStatus.Abandoned);
        contact.AbandonedAt.Should().Be(Now);
        Centre.Today.Abandoned.Should().Be(1);
    }

    [Fact]
    public void An_offered_contact_frees_its_agent()
    {
        Available("anna");
        Queue("c1");
        After(5);

        Abandon("c1");

        StatusOf("anna").Should().Be(AgentStatus.Available);
        AgentOf("anna").OfferedContactId.Should().BeNull();
        AgentOf("anna").OfferExpiresAt.Should().BeNull();
    }

    [Fact]
    public void The_freed_agent_gets_the_next_waiting_contact()
    {
        Available("anna");
        Queue("c1");
        Queue("c2");

        Abandon("c1");

        OfferOf("anna").Should().Be("c2");
    }

    [Fact]
    public void A_connected_contact_cannot_be_abandoned()
    {
        Available("anna");
        Queue("c1");
        Accept("anna", "c1");

        RefusedWithoutChange(c => c.Abandon("c1"), RefusalKind.Conflict, "contactId");
        StatusOf("anna").Should().Be(AgentStatus.Busy);
    }

    [Fact]
    public void An_unknown_contact_is_not_found()
    {
        RefusedWithoutChange(c => c.Abandon("bestaat-niet"), RefusalKind.NotFound, "contactId");
    }
}
