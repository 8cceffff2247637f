namespace ContactRouter.Routing.Tests;

/// <summary>
/// Only a queued contact moves, never one that is ringing or connected; a refused move leaves no trace.
/// A move takes the contact out of this centre with its history, counts overflow out and records the move.
/// </summary>
public sealed class When_a_centre_is_asked_to_move_a_contact_out : CentreSpec
{
    private const string Neighbour = CentreCatalog.Fysiek;

    [Fact]
    public void An_offered_contact_cannot_move()
    {
        Available("anna");
        Queue("c1");

        RefusedWithoutChange(c => c.TransferOut("c1", Neighbour, out _), RefusalKind.Conflict, "contactId");

        OfferOf("anna").Should().Be("c1");
        ContactOf("c1").Hops.Should().Be(0);
        Centre.Today.OverflowOut.Should().Be(0);
    }

    [Fact]
    public void A_connected_contact_cannot_move()
    {
        Available("anna");
        Queue("c1");
        Accept("anna", "c1");

        RefusedWithoutChange(c => c.TransferOut("c1", Neighbour, out _), RefusalKind.Conflict, "contactId");

        ContactOf("c1").Status.Should().Be(ContactStatus.Connected);
        Centre.Today.OverflowOut.Should().Be(0);
    }

    [Fact]
    public void An_unknown_contact_is_not_found()
    {
        Queue("c1");

        RefusedWithoutChange(c => c.TransferOut("onbekend", Neighbour, out _), RefusalKind.NotFound, "contactId");
    }

    [Fact]
    public void A_finished_contact_is_not_found()
    {
        Available("anna");
        Queue("c1");
        Accept("anna", "c1");
        Complete("c1");

        RefusedWithoutChange(c => c.TransferOut("c1", Neighbour, out _), RefusalKind.NotFound, "contactId");
    }

    [Fact]
    public void Moving_a_contact_to_the_centre_that_holds_it_is_invalid()
    {
        Queue("c1");

        RefusedWithoutChange(c => c.TransferOut("c1", Home, out _), RefusalKind.Invalid, "toCentre");

        ContactOf("c1").Status.Should().Be(ContactStatus.Queued);
    }

    [Theory]
    [InlineData("nergens")]
    [InlineData("")]
    public void Moving_a_contact_to_a_centre_that_does_not_exist_is_invalid_and_the_caller_stays(string toCentre)
    {
        // BUG (src/ContactRouter.Routing/Centre.cs, TransferOut): any target is accepted, so the contact leaves this
        // centre for a queue nobody serves (the worker sends QueueContact to that centre's address): the caller is lost.
        Queue("c1");

        RefusedWithoutChange(c => c.TransferOut("c1", toCentre, out _), RefusalKind.Invalid, "toCentre");

        ContactOf("c1").Status.Should().Be(ContactStatus.Queued);
    }

    [Fact]
    public void A_refused_move_hands_back_no_contact()
    {
        Available("anna");
        Queue("c1");

        Centre.TransferOut("c1", Neighbour, out var moved).Should().NotBeNull();

        moved.Should().BeNull();
    }

    [Fact]
    public void A_queued_contact_moves_with_its_history_and_the_move_is_counted_and_recorded()
    {
        var arrival = Now;
        Queue("c1", priority: 3);
        After(25);
        Centre.TakeChanges();

        Centre.TransferOut("c1", Neighbour, out var moved).Should().BeNull();

        moved.Should().NotBeNull();
        moved!.Id.Should().Be("c1");
        moved.QueuedAt.Should().Be(arrival);
        moved.Priority.Should().Be(3);
        moved.HomeCentre.Should().Be(Home);
        moved.Centre.Should().Be(Neighbour);
        moved.Hops.Should().Be(1);
        moved.Overflowed.Should().BeTrue();
        Centre.FindContact("c1").Should().BeNull();
        Waiting().Should().BeEmpty();
        Centre.Today.OverflowOut.Should().Be(1);
        Centre.Today.Offered.Should().Be(1);

        var changes = Centre.TakeChanges();
        changes.Events.Should().Equal(new ContactWasTransferred("c1", Home, Neighbour, 1, Now));
        changes.Contacts.Should().ContainSingle().Which.Should().BeSameAs(moved);
        changes.Statistics!.OverflowOut.Should().Be(1);
    }

    [Fact]
    public void The_same_move_asked_twice_moves_it_once()
    {
        Queue("c1");
        Centre.TransferOut("c1", Neighbour, out _).Should().BeNull();

        RefusedWithoutChange(c => c.TransferOut("c1", Neighbour, out _), RefusalKind.NotFound, "contactId");

        Centre.Today.OverflowOut.Should().Be(1);
    }

    [Fact]
    public void A_contact_whose_offer_ran_out_is_back_in_the_queue_and_may_move_even_before_a_tick()
    {
        Available("anna");
        Queue("c1");
        Centre.TakeChanges();
        Time.Advance(Centre.Options.OfferTimeout); // no tick: the command itself applies the timeout

        Centre.TransferOut("c1", Neighbour, out var moved).Should().BeNull();

        moved!.Hops.Should().Be(1);
        StatusOf("anna").Should().Be(AgentStatus.NotResponding);
        OfferOf("anna").Should().BeNull();
        Centre.TakeChanges().Events.Select(e => e.GetType()).Should().ContainInOrder(typeof(ContactWasRequeued), typeof(ContactWasTransferred));
    }

    [Fact]
    public void The_agents_who_declined_it_here_are_forgotten_when_it_moves()
    {
        Available("anna");
        Queue("c1");
        Reject("anna", "c1");
        ContactOf("c1").DeclinedUntil.Should().ContainKey("anna");

        Centre.TransferOut("c1", Neighbour, out var moved).Should().BeNull();

        moved!.DeclinedUntil.Should().BeEmpty();
    }

    [Fact]
    public void A_moved_contact_is_accepted_by_the_neighbour_and_a_contact_that_did_not_move_is_not()
    {
        var neighbour = new Centre(Neighbour, Centre.Options, Time);
        Queue("c1");
        Queue("c2");
        Centre.TransferOut("c1", Neighbour, out var moved).Should().BeNull();

        neighbour.Queue(moved!).Should().BeNull();
        neighbour.Queue(NewContact("c2-kopie", Now))?.Kind.Should().Be(RefusalKind.Invalid, "a contact of Sociaal that did not overflow is not Fysiek's");

        neighbour.FindContact("c1")!.Status.Should().Be(ContactStatus.Queued);
        neighbour.Today.OverflowIn.Should().Be(1);
        neighbour.Today.Arrived.Should().Be(0);
    }
}
