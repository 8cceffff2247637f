namespace ContactRouter.Routing.Tests;

/// <summary>The team lead's chart, rebuilt from the contacts' own times: waiting at each interval's end, service level per interval.</summary>
public sealed class When_the_last_hours_of_a_centre_are_rebuilt
{
    private static readonly DateTimeOffset Nine = new(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Quarter = TimeSpan.FromMinutes(15);
    private static readonly TimeSpan Target = TimeSpan.FromSeconds(30);

    private static ContactTimes Contact(int queuedMinute, double? answeredAfterSeconds = null, double? abandonedAfterSeconds = null)
    {
        var queued = Nine.AddMinutes(queuedMinute);
        return new(queued,
            answeredAfterSeconds is { } a ? queued.AddSeconds(a) : null,
            abandonedAfterSeconds is { } b ? queued.AddSeconds(b) : null);
    }

    [Fact]
    public void Gives_one_point_per_interval_ending_at_each_step()
    {
        var points = LoadHistory.Of([], Nine, Nine.AddHours(1), Quarter, Target);
        points.Select(p => p.At).Should().Equal(Nine.AddMinutes(15), Nine.AddMinutes(30), Nine.AddMinutes(45), Nine.AddMinutes(60));
        points.Should().OnlyContain(p => p.Waiting == 0 && p.Answered == 0 && p.ServiceLevel == null);
    }

    [Fact]
    public void Counts_a_contact_as_waiting_at_every_interval_end_between_arrival_and_answer()
    {
        // Arrives 09:10, answered 09:40: waiting at 09:15 and 09:30, not at 09:45.
        var points = LoadHistory.Of([Contact(10, answeredAfterSeconds: 30 * 60)], Nine, Nine.AddHours(1), Quarter, Target);
        points.Select(p => p.Waiting).Should().Equal(1, 1, 0, 0);
    }

    [Fact]
    public void Counts_a_contact_that_never_left_as_waiting_up_to_the_last_interval()
    {
        var points = LoadHistory.Of([Contact(20)], Nine, Nine.AddHours(1), Quarter, Target);
        points.Select(p => p.Waiting).Should().Equal(0, 1, 1, 1);
    }

    [Fact]
    public void Gives_the_service_level_of_the_contacts_answered_in_each_interval()
    {
        var points = LoadHistory.Of(
        [
            Contact(1, answeredAfterSeconds: 10), Contact(2, answeredAfterSeconds: 30), Contact(3, answeredAfterSeconds: 31),
            Contact(4, answeredAfterSeconds: 90), Contact(20, answeredAfterSeconds: 5),
        ], Nine, Nine.AddHours(1), Quarter, Target);

        points[0].Answered.Should().Be(4);
        points[0].AnsweredWithinTarget.Should().Be(2, "30 s is within a 30 s target, 31 s is not");
        points[0].ServiceLevel.Should().Be(0.5);
        points[1].ServiceLevel.Should().Be(1.0);
        points[2].ServiceLevel.Should().BeNull();
    }

    [Fact]
    public void Counts_an_abandoned_contact_in_the_interval_it_hung_up_and_not_as_answered()
    {
        var points = LoadHistory.Of([Contact(14, abandonedAfterSeconds: 120)], Nine, Nine.AddHours(1), Quarter, Target);
        points.Select(p => p.Abandoned).Should().Equal(0, 1, 0, 0);
        points.Select(p => p.Waiting).Should().Equal(1, 0, 0, 0);
        points.Should().OnlyContain(p => p.Answered == 0);
    }

    [Fact]
    public void Leaves_out_answers_before_the_first_interval_but_counts_one_on_an_interval_end_in_that_interval()
    {
        var points = LoadHistory.Of([Contact(-5, answeredAfterSeconds: 60), Contact(14, answeredAfterSeconds: 60)], Nine, Nine.AddHours(1), Quarter, Target);
        points[0].Answered.Should().Be(1, "09:15:00 ends the first interval; 08:56 lies before it");
        points[1].Answered.Should().Be(0);
    }
}
