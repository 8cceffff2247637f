using ContactRouter.Routing.Callbacks;

namespace ContactRouter.Routing.Tests.Callbacks;

/// <summary>When the scheduler calls again after a customer was not reached, and when it gives up.</summary>
public sealed class When_a_callback_attempt_does_not_reach_the_customer : CallbackSpec
{
    private static readonly DateTimeOffset Slot = Nov(23, 9);
    private static readonly DateTimeOffset Deadline = Nov(25, 9);

    private CallbackAttempts Attempts => new(Calendar);

    private static CallbackProgress Progress(int made, DateTimeOffset? lastAt, DateTimeOffset? notAfter = null, DateTimeOffset? slot = null) =>
        new(Sociaal, slot ?? Slot, notAfter ?? Deadline, made, lastAt);

    [Fact]
    public void The_first_attempt_is_due_at_the_slot_start()
    {
        Attempts.Next(Progress(0, null)).Should().Be(new AttemptDecision.Due(Slot, 1));
    }

    [Fact]
    public void The_next_attempt_is_due_thirty_minutes_after_the_last_one()
    {
        Attempts.Next(Progress(1, Nov(23, 9, 2))).Should().Be(new AttemptDecision.Due(Nov(23, 9, 32), 2));
        Attempts.Next(Progress(2, Nov(23, 9, 33))).Should().Be(new AttemptDecision.Due(Nov(23, 10, 3), 3));
    }

    [Fact]
    public void After_three_attempts_the_appointment_has_failed()
    {
        Attempts.Next(Progress(3, Nov(23, 10, 3))).Should().BeOfType<AttemptDecision.Failed>()
            .Which.Reason.Should().Contain("3 attempts");
    }

    [Fact]
    public void An_attempt_that_would_start_at_or_after_notAfter_is_not_made()
    {
        Attempts.Next(Progress(1, Nov(23, 9), notAfter: Nov(23, 9, 30))).Should().BeOfType<AttemptDecision.Failed>();
        Attempts.Next(Progress(1, Nov(23, 9), notAfter: Nov(23, 9, 31))).Should().Be(new AttemptDecision.Due(Nov(23, 9, 30), 2));
    }

    [Fact]
    public void A_retry_after_closing_time_moves_to_the_next_opening_when_that_is_still_in_time()
    {
        Attempts.Next(Progress(1, Nov(23, 16, 45), slot: Nov(23, 16, 45))).Should().Be(new AttemptDecision.Due(Nov(24, 8, 30), 2));
    }

    [Fact]
    public void A_retry_after_closing_time_fails_when_the_next_opening_is_too_late()
    {
        Attempts.Next(Progress(1, Nov(23, 16, 45), notAfter: Nov(23, 17, 30), slot: Nov(23, 16, 45)))
            .Should().BeOfType<AttemptDecision.Failed>().Which.Reason.Should().Contain("notAfter");
    }

    [Fact]
    public void The_opening_hours_of_the_calling_centre_count()
    {
        Use(WithHours(Fysiek, new CentreCallbackHours { Days = new() { [DayOfWeek.Monday] = Hours(8, 30, 20, 0) } }));
        var atFysiek = new CallbackProgress(Fysiek, Nov(23, 16, 45), Deadline, 1, Nov(23, 16, 45));

        Attempts.Next(atFysiek).Should().Be(new AttemptDecision.Due(Nov(23, 17, 15), 2), "fysiek calls until 20:00");
    }

    [Fact]
    public void Retry_interval_and_attempt_limit_are_configurable()
    {
        Use(new CallbackOptions { RetryInterval = TimeSpan.FromMinutes(10), MaxAttempts = 2 });

        Attempts.Next(Progress(1, Slot)).Should().Be(new AttemptDecision.Due(Nov(23, 9, 10), 2));
        Attempts.Next(Progress(2, Nov(23, 9, 10))).Should().BeOfType<AttemptDecision.Failed>();
    }
}

/// <summary>"Afspraak is afspraak": an appointment that will likely be missed is flagged while there is still time to say so.</summary>
public sealed class When_an_appointment_may_miss_its_promise : CallbackSpec
{
    private CallbackAttempts Attempts => new(Calendar);

    private static CallbackProgress Open(int made = 0, DateTimeOffset? lastAt = null) =>
        new(Sociaal, Nov(23, 9), Nov(23, 12), made, lastAt);

    [Fact]
    public void It_is_not_at_risk_while_an_attempt_is_possible_and_time_is_left()
    {
        Attempts.IsAtRisk(Nov(23, 8), Open()).Should().BeFalse();
        Attempts.IsAtRisk(Nov(23, 9, 5), Open(1, Nov(23, 9))).Should().BeFalse();
        Attempts.IsAtRisk(Nov(23, 11, 29), Open(1, Nov(23, 9))).Should().BeFalse();
        Attempts.IsAtRisk(Nov(23, 11, 10), Open(2, Nov(23, 11, 10))).Should().BeFalse("the last attempt at 11:40 can still be made");
    }

    [Fact]
    public void It_is_at_risk_from_the_margin_before_notAfter()
    {
        Attempts.IsAtRisk(Nov(23, 11, 30), Open(1, Nov(23, 9))).Should().BeTrue();
        Attempts.IsAtRisk(Nov(23, 12), Open(1, Nov(23, 9))).Should().BeTrue();
    }

    [Fact]
    public void It_is_at_risk_as_soon_as_no_attempt_is_possible_before_notAfter()
    {
        Attempts.IsAtRisk(Nov(23, 10), Open(3, Nov(23, 10))).Should().BeTrue("all attempts are used up");
        Attempts.IsAtRisk(Nov(23, 10), Open(1, Nov(23, 11, 45))).Should().BeTrue("the next attempt would be after notAfter");
    }

    [Fact]
    public void The_margin_is_configurable()
    {
        Use(new CallbackOptions { AtRiskMargin = TimeSpan.FromMinutes(90) });

        Attempts.IsAtRisk(Nov(23, 10, 30), Open(1, Nov(23, 9))).Should().BeTrue();
        Attempts.IsAtRisk(Nov(23, 10, 29), Open(1, Nov(23, 9))).Should().BeFalse();
    }
}
