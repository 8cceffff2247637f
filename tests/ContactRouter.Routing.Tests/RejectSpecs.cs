namespace ContactRouter.Routing.Tests;

public sealed class When_an_agent_rejects_an_offer : CentreSpec
{
    [Fact]
    public void The_contact_goes_back_to_its_own_place_in_the_queue()
    {
        Available("anna");
        Queue("eerste");
        After(5);
        Queue("later");

        Reject("anna", "eerste");

        ContactOf("eerste").Status.Should().Be(ContactStatus.Queued);
        ContactOf("eerste").AgentId.Should().BeNull();
        Waiting().Should().Equal("eerste", "later");
    }

    [Fact]
    public void The_rejecting_agent_is_offered_the_next_contact_instead()
    {
        Available("anna");
        Queue("eerste");
        Queue("later");

        Reject("anna", "eerste");

        OfferOf("anna").Should().Be("later");
        ContactOf("eerste").Status.Should().Be(ContactStatus.Queued);
    }

    [Fact]
    public void Another_eligible_agent_gets_the_contact_rather_than_the_one_who_rejected_it()
    {
        Available("anna");
        After(10);
        Available("bram");
        Queue("c1");
        OfferOf("anna").Should().Be("c1");

        Reject("anna", "c1");

        OfferOf("bram").Should().Be("c1");
        OfferOf("anna").Should().BeNull();
    }

    [Fact]
    public void The_rejecting_agent_goes_to_the_back_of_the_idle_line()
    {
        Available("anna");
        After(10);
        Available("bram");
        After(5);
        Available("cees");
        After(5);
        Queue("c1");
        OfferOf("anna").Should().Be("c1");

        Reject("anna", "c1");
        OfferOf("bram").Should().Be("c1");
        Queue("c2");

        OfferOf("cees").Should().Be("c2", "cees has been idle longer than anna, who just declined");
        OfferOf("anna").Should().BeNull();
    }

    [Fact]
    public void The_rejecting_agent_is_not_offered_the_same_contact_again_within_the_cooldown()
    {
        Available("anna");
        Queue("c1");

        Reject("anna", "c1");
        After(14);

        OfferOf("anna").Should().BeNull();
        StatusOf("anna").Should().Be(AgentStatus.Available);
        ContactOf("c1").Status.Should().Be(ContactStatus.Queued);
    }

    [Fact]
    public void After_the_cooldown_the_rejecting_agent_can_be_offered_it_again()
    {
        Available("anna");
        Queue("c1");
        Reject("anna", "c1");

        After(15);

        OfferOf("anna").Should().Be("c1");
        ContactOf("c1").OfferCount.Should().Be(2);
        ContactOf("c1").DeclinedUntil.Should().BeEmpty();
    }

    [Fact]
    public void The_cooldown_is_configurable()
    {
        Use(new RoutingOptions { RejectCooldown = TimeSpan.FromMinutes(2) });
        Available("anna");
        Queue("c1");
        Reject("anna", "c1");

        After(TimeSpan.FromSeconds(119));
        OfferOf("anna").Should().BeNull();

        After(1);
        OfferOf("anna").Should().Be("c1");
    }

    [Fact]
    public void Rejecting_a_contact_not_offered_to_you_is_a_conflict_and_changes_nothing()
    {
        Available("anna");
        After(10);
        Available("bram");
        Queue("c1");

        RefusedWithoutChange(c => c.Reject("bram", "c1"), RefusalKind.Conflict, "contactId");
    }
}
