namespace ContactRouter.Routing.Tests;

public sealed class When_the_day_is_counted : CentreSpec
{
    public When_the_day_is_counted()
    {
        Centre.RegisterAgent("anna", "Anna", Skills(5)).Should().BeNull();
    }

    /// <summary>Anna logs in only once the caller has waited so long, answers at once and logs off again.</summary>
    private void AnswerAfter(string contactId, int seconds)
    {
        Queue(contactId);
        After(seconds);
        SetPresence("anna", AgentPresence.Available);
        Accept("anna", contactId);
        Complete(contactId);
        SetPresence("anna", AgentPresence.Offline);
    }

    [Fact]
    public void Arrivals_answers_and_hang_ups_are_counted()
    {
        AnswerAfter("c1", 10);
        Queue("c2");
        Abandon("c2");
        Queue("c3");            // offered, still waiting

        Centre.Today.Offered.Should().Be(3);
        Centre.Today.Answered.Should().Be(1);
        Centre.Today.Abandoned.Should().Be(1);
        Centre.Today.Centre.Should().Be(Home);
        Centre.Today.Day.Should().Be(new DateOnly(2026, 11, 23));
    }

    [Fact]
    public void A_caller_who_hangs_up_after_the_grace_counts_against_the_service_level_and_in_the_abandoned_share()
    {
        AnswerAfter("c1", 10);
        Queue("c2");
        After(6);               // past the default 5 s grace
        Abandon("c2");

        Centre.Today.Abandoned.Should().Be(1);
        Centre.Today.AbandonedAfterGrace.Should().Be(1);
        Centre.Today.ServiceLevel.Should().Be(0.5, "one answered in time out of one answered and one who gave up");
        Centre.Today.AbandonedShare.Should().Be(0.5);
    }

    [Theory]
    [InlineData(5, 0)]
    [InlineData(6, 1)]
    public void A_short_abandon_within_the_grace_is_counted_but_left_out_of_the_service_level(int waitedSeconds, int afterGrace)
    {
        AnswerAfter("c1", 10);
        Queue("c2");
        After(waitedSeconds);
        Abandon("c2");

        Centre.Today.Abandoned.Should().Be(1);
        Centre.Today.AbandonedAfterGrace.Should().Be(afterGrace);
        Centre.Today.ServiceLevel.Should().Be(afterGrace == 0 ? 1.0 : 0.5);
    }

    [Fact]
    public void The_grace_is_a_setting()
    {
        Use(new RoutingOptions { AbandonGrace = TimeSpan.Zero });
        Queue("c1");
        After(1);
        Abandon("c1");

        Centre.Today.AbandonedAfterGrace.Should().Be(1);
        Centre.Today.ServiceLevel.Should().Be(0, "nobody was answered and one caller gave up");
        Centre.Today.AbandonedShare.Should().Be(1);
    }

    [Fact]
    public void A_centre_of_hang_ups_is_not_at_a_green_100_percent()
    {
        AnswerAfter("c1", 10);
        for (var i = 2; i <= 5; i++)
        {
            Queue($"c{i}");
            After(40);
            Abandon($"c{i}");
        }

        Centre.Today.ServiceLevel.Should().Be(0.2);
        new RoutingOptions().ServiceLevelColour(Centre.Today.ServiceLevel).Should().Be("red");
    }

    [Fact]
    public void The_municipality_adds_the_centres_up_and_counts_a_moved_caller_once()
    {
        var day = new DateOnly(2026, 11, 23);
        var home = new DailyStatistics { Centre = "burgerzaken", Day = day };
        var neighbour = new DailyStatistics { Centre = "fysiek", Day = day };
        home.CountArrived();
        home.OverflowOut++;
        neighbour.OverflowIn++;
        neighbour.CountAnswered(TimeSpan.FromSeconds(40), TimeSpan.FromSeconds(30));
        neighbour.CountArrived();
        neighbour.CountAbandoned(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5));

        home.Offered.Should().Be(1);
        neighbour.Offered.Should().Be(2, "its own caller and the one moved to it");
        var sum = DailyStatistics.Sum("gemeente", day, [home, neighbour]);
        sum.Offered.Should().Be(2, "two people called");
        sum.Answered.Should().Be(1);
        sum.Abandoned.Should().Be(1);
        sum.ServiceLevel.Should().Be(0, "the one answer came late; the short hang-up does not count");
        sum.AbandonedShare.Should().Be(0);
    }

    [Theory]
    [InlineData(29, 1)]
    [InlineData(30, 1)]
    [InlineData(31, 0)]
    public void An_answer_counts_within_the_default_30_second_target_only_if_it_came_in_time(int waitedSeconds, int withinTarget)
    {
        AnswerAfter("c1", waitedSeconds);

        Centre.Today.Answered.Should().Be(1);
        Centre.Today.AnsweredWithinTarget.Should().Be(withinTarget);
        Centre.Today.ServiceLevel.Should().Be(withinTarget);
    }

    [Fact]
    public void The_service_level_target_is_configurable()
    {
        Use(new RoutingOptions { ServiceLevelTarget = TimeSpan.FromSeconds(20) });
        Centre.RegisterAgent("anna", "Anna", Skills(5)).Should().BeNull();

        AnswerAfter("c1", 19);
        AnswerAfter("c2", 21);

        Centre.Today.AnsweredWithinTarget.Should().Be(1);
        Centre.Today.ServiceLevel.Should().Be(0.5);
    }

    [Fact]
    public void The_average_speed_of_answer_is_the_mean_wait_of_answered_contacts()
    {
        AnswerAfter("c1", 10);
        AnswerAfter("c2", 20);
        AnswerAfter("c3", 45);

        Centre.Today.AverageSpeedOfAnswerSeconds.Should().BeApproximately(25, 1e-9);
        Centre.Today.ServiceLevel.Should().BeApproximately(2.0 / 3, 1e-9);
    }

    [Fact]
    public void The_wait_includes_time_spent_on_an_offer_that_was_not_taken()
    {
        Queue("c1");
        SetPresence("anna", AgentPresence.Available);
        After(15);              // offer times out after 15 s
        After(5);
        SetPresence("anna", AgentPresence.Available);
        After(11);
        Accept("anna", "c1");

        Centre.Today.AverageSpeedOfAnswerSeconds.Should().Be(31);
        Centre.Today.AnsweredWithinTarget.Should().Be(0);
    }

    [Fact]
    public void The_service_level_is_unknown_while_nothing_is_answered()
    {
        Queue("c1");
        Abandon("c1");

        Centre.Today.ServiceLevel.Should().BeNull();
        Centre.Today.AverageSpeedOfAnswerSeconds.Should().Be(0);
    }

    [Fact]
    public void The_longest_wait_is_that_of_the_earliest_waiting_contact()
    {
        Centre.LongestWait().Should().Be(TimeSpan.Zero);

        Queue("c1");
        After(30);
        Queue("c2", priority: 9);
        After(10);

        Centre.LongestWait().Should().Be(TimeSpan.FromSeconds(40));

        Abandon("c1");
        Centre.LongestWait().Should().Be(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void A_contact_on_offer_is_still_waiting()
    {
        Queue("c1");
        After(20);
        SetPresence("anna", AgentPresence.Available);
        After(5);

        ContactOf("c1").Status.Should().Be(ContactStatus.Offered);
        Centre.LongestWait().Should().Be(TimeSpan.FromSeconds(25));
    }

    [Fact]
    public void Answered_contacts_no_longer_count_as_waiting()
    {
        Queue("c1");
        SetPresence("anna", AgentPresence.Available);
        After(5);
        Accept("anna", "c1");
        After(60);

        Centre.LongestWait().Should().Be(TimeSpan.Zero);
    }
}

/// <summary>The municipality's day is Amsterdam's, not UTC's: in winter (CET) it ends at 23:00Z, in summer (CEST) at 22:00Z.</summary>
public sealed class When_a_new_day_starts_in_Amsterdam
{
    private sealed class Spec(DateTimeOffset start) : CentreSpec(start)
    {
        public new Centre Centre => base.Centre;
        public void Queue(string id) => base.Queue(id);
        public new void After(int seconds) => base.After(seconds);
    }

    [Theory]
    [InlineData("2026-11-23T22:59:00Z", "2026-11-23", "2026-11-24")] // CET, UTC+1
    [InlineData("2026-06-15T21:59:00Z", "2026-06-15", "2026-06-16")] // CEST, UTC+2
    public void The_counters_start_again_at_local_midnight(string lastMinute, string day, string nextDay)
    {
        var spec = new Spec(DateTimeOffset.Parse(lastMinute, System.Globalization.CultureInfo.InvariantCulture));
        spec.Queue("c1");
        spec.Centre.Abandon("c1").Should().BeNull();
        spec.Centre.Today.Day.Should().Be(DateOnly.Parse(day, System.Globalization.CultureInfo.InvariantCulture));
        spec.Centre.Today.Offered.Should().Be(1);

        spec.After(120); // two minutes later: still the same UTC date, but a new day in Amsterdam

        spec.Centre.Today.Day.Should().Be(DateOnly.Parse(nextDay, System.Globalization.CultureInfo.InvariantCulture));
        spec.Centre.Today.Offered.Should().Be(0);
        spec.Centre.Today.Abandoned.Should().Be(0);
        spec.Centre.TakeChanges().Statistics.Should().BeSameAs(spec.Centre.Today, "the fresh day must be saved");
    }

    [Fact]
    public void The_day_does_not_roll_over_at_UTC_midnight()
    {
        var spec = new Spec(new DateTimeOffset(2026, 11, 23, 23, 30, 0, TimeSpan.Zero)); // 00:30 on the 24th in Amsterdam
        spec.Queue("c1");

        spec.After(3600); // 00:30Z on the 24th: UTC has a new date, Amsterdam does not

        spec.Centre.Today.Day.Should().Be(new DateOnly(2026, 11, 24));
        spec.Centre.Today.Offered.Should().Be(1);
    }

    [Fact]
    public void Contacts_still_waiting_at_midnight_stay_in_the_queue()
    {
        var spec = new Spec(new DateTimeOffset(2026, 11, 23, 22, 59, 0, TimeSpan.Zero));
        spec.Queue("c1");

        spec.After(120);

        spec.Centre.WaitingInOrder().Select(c => c.Id).Should().Equal("c1");
        spec.Centre.LongestWait().Should().Be(TimeSpan.FromMinutes(2));
    }
}

/// <summary>The team lead's traffic light for a service level.</summary>
public sealed class When_a_service_level_is_judged_against_the_goal
{
    [Theory]
    [InlineData(null, null)]
    [InlineData(0.80, "green")]
    [InlineData(1.00, "green")]
    [InlineData(0.79, "amber")]
    [InlineData(0.70, "amber")]
    [InlineData(0.69, "red")]
    [InlineData(0.0, "red")]
    public void Should_be_green_at_the_goal_amber_within_the_band_and_red_below(double? serviceLevel, string? colour)
    {
        new RoutingOptions { ServiceLevelGoal = 0.8, ServiceLevelAmberBand = 0.1 }.ServiceLevelColour(serviceLevel).Should().Be(colour);
    }
}
