namespace ContactRouter.Routing.Tests;

/// <summary>What the worker gets from <see cref="Centre.TakeChanges"/> to persist and publish.</summary>
public sealed class When_changes_are_taken : CentreSpec
{
    [Fact]
    public void A_contact_nobody_can_take_yet_is_only_queued()
    {
        Queue("c1");

        var changes = Centre.TakeChanges();

        changes.Events.Should().Equal(new ContactWasQueued("c1", Now));
        changes.Contacts.Should().ContainSingle(c => c.Id == "c1");
        changes.Statistics.Should().BeSameAs(Centre.Today);
    }

    [Fact]
    public void A_call_from_arrival_to_wrap_up_end_tells_every_step_once()
    {
        Available("anna");
        Events().Should().Equal(new AgentStatusWasChanged("anna", AgentStatus.Available, Now));

        Queue("c1");
        Events().Should().Equal(
            new ContactWasQueued("c1", Now),
            new ContactWasOffered("c1", "anna", Now.AddSeconds(15), Now),
            new AgentStatusWasChanged("anna", AgentStatus.Offered, Now));

        After(7);
        Accept("anna", "c1");
        Events().Should().Equal(
            new ContactWasAnswered("c1", "anna", TimeSpan.FromSeconds(7), Now),
            new AgentStatusWasChanged("anna", AgentStatus.Busy, Now));

        After(TimeSpan.FromMinutes(5));
        Events().Should().BeEmpty("nothing happened while they talked");

        Complete("c1", "resolved");
        Events().Should().Equal(
            new ContactWasCompleted("c1", "anna", "resolved", Now),
            new AgentStatusWasChanged("anna", AgentStatus.WrapUp, Now));

        After(30);
        Events().Should().Equal(new AgentStatusWasChanged("anna", AgentStatus.Available, Now));
    }

    [Fact]
    public void The_end_of_wrap_up_is_reported_even_though_time_alone_ended_it()
    {
        Available("anna");
        Queue("c1");
        Accept("anna", "c1");
        Complete("c1");
        Centre.TakeChanges();

        Time.Advance(TimeSpan.FromSeconds(30));
        var changes = Centre.TakeChanges();

        changes.Events.Should().Equal(new AgentStatusWasChanged("anna", AgentStatus.Available, Now));
        changes.Agents.Should().ContainSingle(a => a.Id == "anna");
    }

    [Fact]
    public void A_hang_up_reports_how_long_the_caller_waited()
    {
        Queue("c1");
        Centre.TakeChanges();
        After(42);

        Abandon("c1");

        Events().Should().Equal(new ContactWasAbandoned("c1", TimeSpan.FromSeconds(42), Now));
    }

    [Fact]
    public void A_rejected_offer_is_requeued_with_reason_rejected()
    {
        Available("anna");
        Queue("c1");
        Centre.TakeChanges();

        Reject("anna", "c1");

        Events().Should().Equal(
            new ContactWasRequeued("c1", "anna", RequeueReason.Rejected, Now),
            new AgentStatusWasChanged("anna", AgentStatus.Available, Now));
    }

    [Fact]
    public void A_timed_out_offer_is_requeued_with_reason_offer_timed_out()
    {
        Available("anna");
        Queue("c1");
        Centre.TakeChanges();

        After(15);

        Events().Should().Equal(
            new ContactWasRequeued("c1", "anna", RequeueReason.OfferTimedOut, Now),
            new AgentStatusWasChanged("anna", AgentStatus.NotResponding, Now));
    }

    [Theory]
    [InlineData(AgentPresence.Break, AgentStatus.Break)]
    [InlineData(AgentPresence.Offline, AgentStatus.Offline)]
    public void An_offer_returned_because_the_agent_left_is_requeued_with_reason_agent_left(AgentPresence presence, AgentStatus status)
    {
        Available("anna");
        Queue("c1");
        Centre.TakeChanges();

        SetPresence("anna", presence);

        Events().Should().Equal(
            new ContactWasRequeued("c1", "anna", RequeueReason.AgentLeft, Now),
            new AgentStatusWasChanged("anna", status, Now));
    }

    [Fact]
    public void Nothing_is_told_twice()
    {
        Available("anna");
        Queue("c1");
        Centre.TakeChanges();

        Centre.TakeChanges().IsEmpty.Should().BeTrue();
        Centre.Tick();
        Centre.TakeChanges().IsEmpty.Should().BeTrue();
    }

    [Fact]
    public void Taking_only_the_events_gives_the_same_events_in_the_same_order_and_drains_like_taking_changes()
    {
        // The same day played on two centres: one read by the worker's TakeChanges, one by the simulator's TakeEvents.
        var other = new Centre(Home, new RoutingOptions(), Time);
        void Both(Func<Centre, Refusal?> command)
        {
            command(Centre).Should().BeNull();
            command(other).Should().BeNull();
        }
        var skills = Skills(5);
        Both(c => c.RegisterAgent("anna", "anna", skills));
        Both(c => c.SetPresence("anna", AgentPresence.Available));
        Both(c => c.Queue(NewContact("c1", Now)));
        Both(c => c.Queue(NewContact("c2", Now)));
        Both(c => c.Reject("anna", "c1"));
        Both(c => c.Accept("anna", "c2"));
        Both(c => c.Complete("c2", "resolved", null));

        var taken = new List<RoutingEvent> { new ContactWasQueued("already in the list", Now) };
        other.TakeEvents(taken);

        taken.Skip(1).Should().Equal(Centre.TakeChanges().Events).And.HaveCountGreaterThan(6);
        taken.Should().StartWith(new ContactWasQueued("already in the list", Now), "the events are added to what the list holds");
        var again = new List<RoutingEvent>();
        other.TakeEvents(again);
        again.Should().BeEmpty("taken events are not told twice");
        other.TakeChanges().IsEmpty.Should().BeTrue("taking the events forgets the changed rows too");
    }
}

public sealed class When_the_worker_asks_for_the_next_deadline : CentreSpec
{
    [Fact]
    public void There_is_none_when_time_alone_changes_nothing()
    {
        Available("anna");
        Centre.NextDeadline().Should().BeNull();

        Queue("c1");
        Accept("anna", "c1");
        Queue("c2");            // nobody free: waiting is no deadline

        Centre.NextDeadline().Should().BeNull();
    }

    [Fact]
    public void It_is_the_expiry_of_an_offer()
    {
        Available("anna");
        After(3);
        Queue("c1");

        Centre.NextDeadline().Should().Be(Now.AddSeconds(15));
    }

    [Fact]
    public void It_is_the_end_of_a_wrap_up()
    {
        Available("anna");
        Queue("c1");
        Accept("anna", "c1");
        After(60);
        Complete("c1");

        Centre.NextDeadline().Should().Be(Now.AddSeconds(30));
    }

    [Fact]
    public void It_is_the_earliest_of_them()
    {
        Available("anna");
        Queue("c1");
        Accept("anna", "c1");
        Complete("c1");         // wrap-up until +30
        var wrapUpEnd = Now.AddSeconds(30);
        After(20);
        Available("bram");
        Queue("c2");            // offer until +35

        Centre.NextDeadline().Should().Be(wrapUpEnd);

        After(10);              // wrap-up over
        Centre.NextDeadline().Should().Be(AgentOf("bram").OfferExpiresAt);
    }

    [Fact]
    public void It_is_the_end_of_a_reject_cooldown_that_keeps_a_contact_from_a_free_agent()
    {
        Available("anna");
        Queue("c1");
        Reject("anna", "c1");

        Centre.NextDeadline().Should().Be(Now.AddSeconds(15));

        Time.Advance(TimeSpan.FromSeconds(15));
        Centre.Tick();
        OfferOf("anna").Should().Be("c1", "the deadline is when the contact may go to anna again");
    }

    [Fact]
    public void A_deadline_that_has_been_applied_is_gone()
    {
        Available("anna");
        Queue("c1");

        After(15);

        Centre.NextDeadline().Should().BeNull();
    }
}
