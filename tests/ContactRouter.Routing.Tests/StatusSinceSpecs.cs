namespace ContactRouter.Routing.Tests;

/// <summary>
/// "Pauze sinds 10:42": the centre keeps since when each agent is in the status it reports, on its own clock, so the
/// team lead's list can say it for every state — a break, offline and away included, which no contact's times tell.
/// </summary>
public sealed class When_the_centre_reports_an_agents_status : CentreSpec
{
    [Fact]
    public void Each_reported_status_carries_the_moment_it_began()
    {
        Centre.RegisterAgent("anna", "anna", Skills(5)).Should().BeNull();
        Events();
        AgentOf("anna").StatusSince.Should().Be(Monday9, "registered, signed off from that moment");

        After(TimeSpan.FromMinutes(3));
        SetPresence("anna", AgentPresence.Available);
        Events();
        AgentOf("anna").StatusSince.Should().Be(Monday9.AddMinutes(3));

        After(TimeSpan.FromMinutes(2));
        SetPresence("anna", AgentPresence.Break);
        Events().OfType<AgentStatusWasChanged>().Single().Status.Should().Be(AgentStatus.Break);
        AgentOf("anna").StatusSince.Should().Be(Monday9.AddMinutes(5));

        // Nothing new to report: the break still began when it began.
        After(TimeSpan.FromMinutes(10));
        Centre.Tick();
        Events();
        AgentOf("anna").StatusSince.Should().Be(Monday9.AddMinutes(5));

        Centre.SetReachable("anna", reachable: false).Should().BeNull();
        Events();
        AgentOf("anna").StatusSince.Should().Be(Monday9.AddMinutes(15), "away from the moment the desk was empty");

        After(TimeSpan.FromMinutes(1));
        SetPresence("anna", AgentPresence.Offline);
        Events();
        StatusOf("anna").Should().Be(AgentStatus.Offline);
        AgentOf("anna").StatusSince.Should().Be(Monday9.AddMinutes(16));
    }

    [Fact]
    public void Available_after_a_wrap_up_counts_from_its_end()
    {
        Available("anna");
        Queue("c1");
        Accept("anna", "c1");
        After(60);
        Complete("c1");
        Events();
        var wrapUpEnd = AgentOf("anna").WrapUpUntil!.Value;
        AgentOf("anna").StatusSince.Should().Be(Now, "wrap-up began with the end of the call");

        // The worker ticks the centre when its wrap-up deadline passes.
        Time.Advance(new RoutingOptions().WrapUp);
        Centre.Tick();
        Events();
        StatusOf("anna").Should().Be(AgentStatus.Available);
        AgentOf("anna").StatusSince.Should().Be(wrapUpEnd);
    }
}
