namespace ContactRouter.Routing.Tests;

/// <summary>Order = effective priority (priority plus aging bonus) first, then arrival.</summary>
public sealed class When_contacts_wait_in_the_queue : CentreSpec
{
    [Fact]
    public void A_higher_priority_contact_goes_ahead_of_an_earlier_lower_one()
    {
        Queue("gewoon", priority: 0);
        After(10);
        Queue("urgent", priority: 5);

        Waiting().Should().Equal("urgent", "gewoon");
        Available("anna");
        OfferOf("anna").Should().Be("urgent");
    }

    [Fact]
    public void Equal_priority_is_first_come_first_served()
    {
        Queue("eerste", priority: 3);
        After(5);
        Queue("tweede", priority: 3);
        After(5);
        Queue("derde", priority: 3);

        Waiting().Should().Equal("eerste", "tweede", "derde");
        Available("anna");
        OfferOf("anna").Should().Be("eerste");
    }

    [Fact]
    public void The_head_of_a_long_line_is_the_start_of_the_whole_line()
    {
        // Priorities 0-4 in a scrambled order, several arriving in the same instant, so that aging, priority, arrival and
        // arrival order all decide somewhere; a load event shows only the head, picked without sorting the line.
        for (var i = 0; i < 60; i++)
        {
            Queue($"c{i}", priority: i * 7 % 5);
            if (i % 3 == 0) After(20);
        }
        var whole = Centre.Picture().Waiting.Select(w => w.ContactId).ToList();
        whole.Should().HaveCount(60);

        foreach (var head in new[] { 0, 1, 7, 59, 60, 100 })
            Centre.Picture(head).Waiting.Select(w => w.ContactId).Should().Equal(whole.Take(head), $"the head of {head}");
    }

    [Fact]
    public void Contacts_arriving_in_the_same_instant_keep_their_arrival_order()
    {
        Queue("b-eerst");
        Queue("a-daarna");
        Queue("c-laatst");

        Waiting().Should().Equal("b-eerst", "a-daarna", "c-laatst");
    }

    [Fact]
    public void A_low_priority_contact_that_waited_long_enough_overtakes_a_fresh_higher_priority_one()
    {
        // Aging is 1 point per minute by default: after 3 minutes priority 0 is worth 3, more than a fresh 2.
        Queue("lang-gewacht", priority: 0);
        After(TimeSpan.FromMinutes(3));
        Queue("vers-urgent", priority: 2);

        Waiting().Should().Equal("lang-gewacht", "vers-urgent");
        Available("anna");
        OfferOf("anna").Should().Be("lang-gewacht");
    }

    [Fact]
    public void A_low_priority_contact_that_has_not_waited_long_enough_stays_behind()
    {
        Queue("kort-gewacht", priority: 0);
        After(TimeSpan.FromMinutes(1));
        Queue("vers-urgent", priority: 2);

        Waiting().Should().Equal("vers-urgent", "kort-gewacht");
        Available("anna");
        OfferOf("anna").Should().Be("vers-urgent");
    }

    [Fact]
    public void The_aging_rate_is_configurable()
    {
        Use(new RoutingOptions { AgingPointsPerMinute = 10 });
        Queue("gewoon", priority: 0);
        After(TimeSpan.FromSeconds(31)); // 5.17 points
        Queue("urgent", priority: 5);

        Waiting().Should().Equal("gewoon", "urgent");
    }
}

public sealed class When_a_contact_is_queued : CentreSpec
{
    [Fact]
    public void It_is_numbered_and_counted()
    {
        var first = Queue("c1");
        var second = Queue("c2");

        first.Status.Should().Be(ContactStatus.Queued);
        second.Sequence.Should().Be(first.Sequence + 1);
        Centre.NextSequence.Should().Be(second.Sequence + 1);
        Centre.Today.Offered.Should().Be(2);
    }

    [Fact]
    public void Queuing_the_same_contact_id_twice_changes_nothing_the_second_time()
    {
        Queue("c1", priority: 1);
        After(20);

        var before = Snapshot();
        var nextSequence = Centre.NextSequence;
        Centre.TakeChanges();

        Centre.Queue(NewContact("c1", Now, priority: 9)).Should().BeNull("a duplicate is absorbed, not refused");

        Snapshot().Should().Be(before);
        Centre.NextSequence.Should().Be(nextSequence);
        ContactOf("c1").Priority.Should().Be(1);
        Centre.TakeChanges().IsEmpty.Should().BeTrue();
    }

    [Fact]
    public void A_duplicate_of_an_offered_contact_does_not_take_it_back_from_the_agent()
    {
        Available("anna");
        Queue("c1");
        Centre.TakeChanges();

        Centre.Queue(NewContact("c1", Now)).Should().BeNull();

        ContactOf("c1").Status.Should().Be(ContactStatus.Offered);
        OfferOf("anna").Should().Be("c1");
        Centre.TakeChanges().IsEmpty.Should().BeTrue();
    }

    [Fact]
    public void A_contact_of_another_centre_that_did_not_overflow_is_refused()
    {
        RefusedWithoutChange(c => c.Queue(NewContact("c1", Now, homeCentre: CentreCatalog.Fysiek)), RefusalKind.Invalid, "centre");
        Centre.FindContact("c1").Should().BeNull();
    }

    [Fact]
    public void An_overflowed_contact_of_another_centre_is_accepted()
    {
        Queue("c1", homeCentre: CentreCatalog.Burgerzaken, hops: 1);

        ContactOf("c1").Centre.Should().Be(Home);
        ContactOf("c1").HomeCentre.Should().Be(CentreCatalog.Burgerzaken);
    }
}
