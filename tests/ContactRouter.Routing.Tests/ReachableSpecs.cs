namespace ContactRouter.Routing.Tests;

/// <summary>Nobody at the desk (the agent's console is gone): away, offered nothing; back, with the presence they had.</summary>
public sealed class When_an_agents_desk_is_empty : CentreSpec
{
    public When_an_agents_desk_is_empty()
    {
        Available("anna");
        After(10);
        Available("bram");
    }

    [Fact]
    public void A_ringing_offer_goes_back_to_its_place_at_once_and_rings_at_the_next_free_agent()
    {
        Queue("c1");
        OfferOf("anna").Should().Be("c1", "anna waited longest");
        Centre.SetReachable("anna", reachable: false).Should().BeNull();

        StatusOf("anna").Should().Be(AgentStatus.Away);
        OfferOf("anna").Should().BeNull();
        OfferOf("bram").Should().Be("c1");
        AgentOf("anna").NotResponding.Should().BeFalse("an empty desk is not an agent ignoring a call");
        Events().OfType<ContactWasRequeued>().Single().Reason.Should().Be(RequeueReason.AgentLeft);
    }

    [Fact]
    public void Nothing_is_offered_while_away_and_coming_back_restores_the_presence_they_had()
    {
        SetPresence("bram", AgentPresence.Break);
        Centre.SetReachable("anna", reachable: false).Should().BeNull();
        Queue("c1");
        OfferOf("anna").Should().BeNull();
        Waiting().Should().Equal("c1");

        Centre.SetReachable("bram", reachable: false).Should().BeNull();
        Centre.SetReachable("bram", reachable: true).Should().BeNull();
        StatusOf("bram").Should().Be(AgentStatus.Break, "back at the desk, still on the break they took");

        Centre.SetReachable("anna", reachable: true).Should().BeNull();
        StatusOf("anna").Should().Be(AgentStatus.Offered);
        OfferOf("anna").Should().Be("c1");
    }

    [Fact]
    public void A_connected_agent_stays_on_the_line_and_is_away_after_the_contact()
    {
        Queue("c1");
        Accept("anna", "c1");
        Centre.SetReachable("anna", reachable: false).Should().BeNull();
        StatusOf("anna").Should().Be(AgentStatus.Busy, "the call goes on over the phone");
        Complete("c1");
        After(TimeSpan.FromMinutes(5));
        StatusOf("anna").Should().Be(AgentStatus.Away);
    }

    [Fact]
    public void An_unknown_agent_is_refused_by_name()
    {
        RefusedWithoutChange(c => c.SetReachable("nobody", reachable: false), RefusalKind.NotFound, "agentId");
    }
}
