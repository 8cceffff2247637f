namespace ContactRouter.Routing.Tests;

/// <summary>
/// A team lead raises a waiting caller's priority: only up, only while the caller waits, within the priority range;
/// the raised caller is offered before those who came earlier with a lower priority. A refusal changes nothing.
/// </summary>
public sealed class When_a_team_lead_raises_a_waiting_callers_priority : CentreSpec
{
    [Fact]
    public void The_raised_caller_is_offered_first()
    {
        Queue("c1");
        Queue("c2");

        Centre.RaisePriority("c2", 5).Should().BeNull();
        Available("anna");

        OfferOf("anna").Should().Be("c2");
        ContactOf("c2").Priority.Should().Be(5);
    }

    [Fact]
    public void The_change_is_saved_and_told()
    {
        Queue("c1");
        Centre.TakeChanges();

        Centre.RaisePriority("c1", 3).Should().BeNull();

        var changes = Centre.TakeChanges();
        changes.Contacts.Should().ContainSingle(c => c.Id == "c1" && c.Priority == 3);
        changes.Events.Should().ContainSingle().Which.Should().Be(new ContactPriorityWasRaised("c1", 3, Now));
    }

    [Fact]
    public void A_ringing_caller_keeps_the_offer()
    {
        Available("anna");
        Queue("c1");

        Centre.RaisePriority("c1", 2).Should().BeNull();

        OfferOf("anna").Should().Be("c1");
        ContactOf("c1").Priority.Should().Be(2);
    }

    [Fact]
    public void A_lower_or_equal_priority_is_refused()
    {
        Queue("c1", priority: 4);

        RefusedWithoutChange(c => c.RaisePriority("c1", 4), RefusalKind.Conflict, "priority");
        RefusedWithoutChange(c => c.RaisePriority("c1", 1), RefusalKind.Conflict, "priority");
        ContactOf("c1").Priority.Should().Be(4);
    }

    [Fact]
    public void A_priority_outside_the_range_is_invalid()
    {
        Queue("c1");

        RefusedWithoutChange(c => c.RaisePriority("c1", RoutingOptions.MaxPriority + 1), RefusalKind.Invalid, "priority");
    }

    [Fact]
    public void A_connected_caller_is_not_waiting()
    {
        Available("anna");
        Queue("c1");
        Accept("anna", "c1");

        RefusedWithoutChange(c => c.RaisePriority("c1", 3), RefusalKind.Conflict, "contactId");
    }

    [Fact]
    public void An_unknown_caller_is_not_found()
    {
        RefusedWithoutChange(c => c.RaisePriority("onbekend", 3), RefusalKind.NotFound, "contactId");
    }
}
