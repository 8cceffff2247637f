namespace ContactRouter.Routing.Tests;

public sealed class When_an_agent_is_registered : CentreSpec
{
    /// <summary>"sociaal=5,fysiek=2" → skills.</summary>
    private static Dictionary<string, int> Parse(string skills) => skills.Split(',', StringSplitOptions.RemoveEmptyEntries)
        .Select(s => s.Split('='))
        .ToDictionary(p => p[0], p => int.Parse(p[1], System.Globalization.CultureInfo.InvariantCulture));

    [Fact]
    public void The_agent_is_added_offline_with_their_skills()
    {
        Centre.RegisterAgent("anna", "Anna de Vries", Parse("sociaal=5,burgerzaken=2")).Should().BeNull();

        var anna = AgentOf("anna");
        anna.Name.Should().Be("Anna de Vries");
        anna.HomeCentre.Should().Be(Home);
        anna.Skills.Should().BeEquivalentTo(Parse("sociaal=5,burgerzaken=2"));
        anna.StatusAt(Now).Should().Be(AgentStatus.Offline);
    }

    [Theory]
    [InlineData("sociaal=1")]
    [InlineData("sociaal=5,fysiek=1,burgerzaken=5,bedrijfsvoering=3")]
    public void Skill_levels_from_1_to_5_for_known_centres_are_accepted(string skills)
    {
        Centre.RegisterAgent("anna", "Anna", Parse(skills)).Should().BeNull();
        Centre.FindAgent("anna").Should().NotBeNull();
    }

    [Theory]
    [InlineData("sociaal=9", "skills.sociaal")]
    [InlineData("sociaal=0", "skills.sociaal")]
    [InlineData("sociaal=4,fysiek=6", "skills.fysiek")]
    [InlineData("sociaal=4,gemeentewerken=3", "skills.gemeentewerken")]
    [InlineData("burgerzaken=3", "skills.sociaal")]
    [InlineData("", "skills.sociaal")]
    public void Invalid_skills_are_refused_naming_the_skill_and_nothing_is_registered(string skills, string field)
    {
        RefusedWithoutChange(c => c.RegisterAgent("anna", "Anna", Parse(skills)), RefusalKind.Invalid, field);

        Centre.FindAgent("anna").Should().BeNull();
        Centre.Agents.Should().BeEmpty();
    }

    [Fact]
    public void Registering_again_updates_name_and_skills_and_keeps_the_agent_where_they_are()
    {
        Available("anna", skill: 2);
        Queue("c1");
        Accept("anna", "c1");

        Centre.RegisterAgent("anna", "Anna Jansen", Parse("sociaal=4,fysiek=1")).Should().BeNull();

        AgentOf("anna").Name.Should().Be("Anna Jansen");
        AgentOf("anna").Skills.Should().BeEquivalentTo(Parse("sociaal=4,fysiek=1"));
        StatusOf("anna").Should().Be(AgentStatus.Busy);
        Centre.Agents.Should().ContainSingle();
    }

    [Fact]
    public void A_refused_update_keeps_the_old_skills()
    {
        Available("anna", skill: 2);

        RefusedWithoutChange(c => c.RegisterAgent("anna", "Anna", Parse("sociaal=9")), RefusalKind.Invalid, "skills.sociaal");

        AgentOf("anna").Skills.Should().BeEquivalentTo(Parse("sociaal=2"));
    }

    [Fact]
    public void The_caller_cannot_change_the_skills_behind_the_centres_back()
    {
        var skills = Parse("sociaal=3");
        Centre.RegisterAgent("anna", "Anna", skills).Should().BeNull();

        skills["sociaal"] = 9;

        AgentOf("anna").SkillFor(Home).Should().Be(3);
    }
}

/// <summary>A worker restarts, or another takes over: the centre is rebuilt from what was saved.</summary>
public sealed class When_a_centre_is_restored : CentreSpec
{
    public When_a_centre_is_restored()
    {
        Queue("oud", priority: 0);          // 1.67 points after 100 s
        After(30);
        Queue("urgent", priority: 3);       // 4.17
        After(10);
        Queue("a", priority: 1);            // 2
        Queue("b", priority: 1);            // 2, same instant as "a": arrival number decides
        After(60);
        Queue("vers", priority: 2);         // 2, but arrived later
        Available("anna");                  // offered the head of the queue
        Waiting().Should().Equal(Order);
        OfferOf("anna").Should().Be("urgent");
    }

    private static readonly string[] Order = ["urgent", "a", "b", "vers", "oud"];

    private Centre Rebuilt(IEnumerable<Agent> agents, IEnumerable<Contact> contacts, DailyStatistics? today)
    {
        var restored = new Centre(Home, Centre.Options, Time);
        restored.Restore(agents, contacts, today, Centre.NextSequence);
        return restored;
    }

    private static Contact Copy(Contact c) => new()
    {
        Id = c.Id, HomeCentre = c.HomeCentre, Centre = c.Centre, Channel = c.Channel, Caller = c.Caller,
        Priority = c.Priority, Topic = c.Topic, QueuedAt = c.QueuedAt, Sequence = c.Sequence, Status = c.Status,
        AgentId = c.AgentId, OfferedAt = c.OfferedAt, AnsweredAt = c.AnsweredAt, Hops = c.Hops, OfferCount = c.OfferCount,
        DeclinedUntil = new Dictionary<string, DateTimeOffset>(c.DeclinedUntil),
    };

    private static Agent Copy(Agent a) => new()
    {
        Id = a.Id, HomeCentre = a.HomeCentre, Name = a.Name, Skills = new Dictionary<string, int>(a.Skills),
        LoggedIn = a.LoggedIn, OnBreak = a.OnBreak, NotResponding = a.NotResponding, OfferedContactId = a.OfferedContactId,
        OfferExpiresAt = a.OfferExpiresAt, ConnectedContactId = a.ConnectedContactId, WrapUpUntil = a.WrapUpUntil,
        IdleSince = a.IdleSince, ReportedStatus = a.ReportedStatus,
    };

    private static DailyStatistics Copy(DailyStatistics s) => new()
    {
        Centre = s.Centre, Day = s.Day, Arrived = s.Arrived, Answered = s.Answered, Abandoned = s.Abandoned, AbandonedAfterGrace = s.AbandonedAfterGrace,
        AnsweredWithinTarget = s.AnsweredWithinTarget, TotalSecondsToAnswer = s.TotalSecondsToAnswer,
    };

    private void ShouldContinueWhereTheOriginalStopped(Centre restored)
    {
        var expectedSequence = Centre.NextSequence;

        restored.WaitingInOrder().Select(c => c.Id).Should().Equal(Order);
        restored.FindAgent("anna")!.OfferedContactId.Should().Be("urgent");
        restored.Today.Offered.Should().Be(5);
        restored.NextSequence.Should().Be(expectedSequence);

        var late = NewContact("laat", Now, priority: 2);
        restored.Queue(late).Should().BeNull();
        late.Sequence.Should().Be(expectedSequence, "numbering goes on where it stopped");
        restored.WaitingInOrder().Select(c => c.Id).Should().Equal("urgent", "a", "b", "vers", "laat", "oud");
    }

    [Fact]
    public void From_the_same_objects_it_keeps_the_waiting_order_and_the_numbering()
    {
        ShouldContinueWhereTheOriginalStopped(Rebuilt(Centre.Agents, Centre.LiveContacts, Centre.Today));
    }

    [Fact]
    public void From_copies_it_keeps_the_waiting_order_and_the_numbering()
    {
        ShouldContinueWhereTheOriginalStopped(Rebuilt(
            Centre.Agents.Select(Copy).ToList(), Centre.LiveContacts.Select(Copy).ToList(), Copy(Centre.Today)));
    }

    [Fact]
    public void Pending_deadlines_still_apply()
    {
        var restored = Rebuilt(Centre.Agents.Select(Copy).ToList(), Centre.LiveContacts.Select(Copy).ToList(), Copy(Centre.Today));
        restored.NextDeadline().Should().Be(Now.AddSeconds(15));

        Time.Advance(TimeSpan.FromSeconds(15));
        restored.Tick();

        restored.FindAgent("anna")!.StatusAt(Now).Should().Be(AgentStatus.NotResponding);
        restored.FindContact("urgent")!.Status.Should().Be(ContactStatus.Queued);
        restored.WaitingInOrder().Select(c => c.Id).Should().Equal(Order, "the returned offer keeps its old place");
    }

    [Fact]
    public void Finished_contacts_are_not_brought_back()
    {
        var abandoned = Copy(ContactOf("b"));
        Abandon("b");
        abandoned.Status = ContactStatus.Abandoned;

        var restored = Rebuilt(Centre.Agents, Centre.LiveContacts.Append(abandoned), Centre.Today);

        restored.FindContact("b").Should().BeNull();
    }

    [Fact]
    public void Counters_of_another_day_are_not_taken_over()
    {
        var yesterday = Copy(Centre.Today);
        var stale = new DailyStatistics { Centre = Home, Day = yesterday.Day.AddDays(-1), Arrived = 99 };

        var restored = Rebuilt(Centre.Agents, Centre.LiveContacts, stale);

        restored.Today.Day.Should().Be(yesterday.Day);
        restored.Today.Offered.Should().Be(0);
    }
}
