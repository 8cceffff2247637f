using ContactRouter.Routing.Callbacks;

namespace ContactRouter.Routing.Tests.Callbacks;

/// <summary>The callback settings: Dutch defaults, and the problems a wrong configuration is reported with.</summary>
public sealed class When_callback_settings_are_checked
{
    [Fact]
    public void The_defaults_follow_the_dutch_norm_and_have_no_problems()
    {
        var options = new CallbackOptions();

        options.Problems().Should().BeEmpty();
        options.SlotLength.Should().Be(TimeSpan.FromMinutes(15));
        options.DefaultWindowWorkingDays.Should().Be(2);
        options.Holidays.Should().BeEmpty();
        options.TimeZone.Should().Be("Europe/Amsterdam");
        options.RetryInterval.Should().Be(TimeSpan.FromMinutes(30));
        options.MaxAttempts.Should().Be(3);
        options.OutboundPriority.Should().BeInRange(RoutingOptions.MinPriority + 1, RoutingOptions.MaxPriority - 1);
        options.AtRiskMargin.Should().Be(TimeSpan.FromMinutes(30));
    }

    [Fact]
    public void Every_centre_opens_monday_to_friday_0830_to_1700_with_four_callbacks_per_slot()
    {
        var options = new CallbackOptions();

        options.Centres.Keys.Should().BeEquivalentTo(CentreCatalog.All);
        foreach (var centre in CentreCatalog.All)
        {
            var hours = options.HoursOf(centre);
            hours.SlotCapacity.Should().Be(4);
            foreach (var day in new[] { DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday })
                hours.On(day).Should().Be(new DayHours(new TimeOnly(8, 30), new TimeOnly(17, 0)));
            hours.On(DayOfWeek.Saturday).IsClosed.Should().BeTrue();
            hours.On(DayOfWeek.Sunday).IsClosed.Should().BeTrue();
        }
    }

    [Fact]
    public void Centres_do_not_share_their_default_hours()
    {
        var options = new CallbackOptions();

        options.Centres[CentreCatalog.Sociaal].Days[DayOfWeek.Friday] = DayHours.Closed;

        options.HoursOf(CentreCatalog.Fysiek).On(DayOfWeek.Friday).IsClosed.Should().BeFalse();
    }

    [Theory]
    [InlineData(0, "SlotLength")]
    [InlineData(7, "SlotLength")]
    [InlineData(0.5, "SlotLength")]
    public void A_slot_length_that_does_not_line_up_with_the_clock_is_a_problem(double minutes, string expected)
    {
        new CallbackOptions { SlotLength = TimeSpan.FromMinutes(minutes) }.Problems().Should().ContainSingle().Which.Should().Contain(expected);
    }

    [Fact]
    public void Each_wrong_setting_is_reported()
    {
        new CallbackOptions { DefaultWindowWorkingDays = 0 }.Problems().Should().ContainSingle().Which.Should().Contain("DefaultWindowWorkingDays");
        new CallbackOptions { TimeZone = "Mars/Olympus" }.Problems().Should().ContainSingle().Which.Should().Contain("Mars/Olympus");
        new CallbackOptions { RetryInterval = TimeSpan.Zero }.Problems().Should().ContainSingle().Which.Should().Contain("RetryInterval");
        new CallbackOptions { MaxAttempts = 0 }.Problems().Should().ContainSingle().Which.Should().Contain("MaxAttempts");
        new CallbackOptions { OutboundPriority = 10 }.Problems().Should().ContainSingle().Which.Should().Contain("OutboundPriority");
        new CallbackOptions { AtRiskMargin = TimeSpan.FromMinutes(-1) }.Problems().Should().ContainSingle().Which.Should().Contain("AtRiskMargin");
        new CallbackOptions { MaxWindow = TimeSpan.Zero }.Problems().Should().ContainSingle().Which.Should().Contain("MaxWindow");
        new CallbackOptions { SearchHorizon = TimeSpan.FromHours(1) }.Problems().Should().ContainSingle().Which.Should().Contain("SearchHorizon");
        new CallbackOptions { AlternativesPerCentre = -1 }.Problems().Should().ContainSingle().Which.Should().Contain("AlternativesPerCentre");
    }

    [Fact]
    public void Wrong_centre_settings_are_reported_with_the_centre()
    {
        var centres = CallbackOptions.DefaultCentres();
        centres["gemeente"] = new CentreCallbackHours();
        centres[CentreCatalog.Fysiek] = new CentreCallbackHours { SlotCapacity = -1 };
        centres[CentreCatalog.Sociaal] = new CentreCallbackHours
        {
            Days = new() { [DayOfWeek.Monday] = new DayHours(new TimeOnly(17, 0), new TimeOnly(8, 30)) },
        };

        new CallbackOptions { Centres = centres }.Problems().Should().HaveCount(3)
            .And.Contain(p => p.Contains("'gemeente' is not a centre"))
            .And.Contain(p => p.StartsWith("fysiek: SlotCapacity"))
            .And.Contain(p => p.StartsWith("sociaal: on Monday Closes (08:30) is before Opens (17:00)"));
    }

    [Fact]
    public void A_calendar_refuses_unsound_settings_at_once()
    {
        var act = () => new CallbackCalendar(new CallbackOptions { MaxAttempts = 0 }, new OverflowOptions());

        act.Should().Throw<ArgumentException>().WithMessage("*MaxAttempts*");
    }

    [Fact]
    public void A_centre_without_settings_gets_the_default_hours()
    {
        var options = new CallbackOptions { Centres = [] };
        var calendar = new CallbackCalendar(options, new OverflowOptions());

        options.HoursOf(CentreCatalog.Sociaal).SlotCapacity.Should().Be(4);
        calendar.SlotStarts(CentreCatalog.Sociaal, new DateTimeOffset(2026, 11, 23, 0, 0, 0, TimeSpan.FromHours(1)),
            new DateTimeOffset(2026, 11, 24, 0, 0, 0, TimeSpan.FromHours(1))).Should().HaveCount(34);
    }
}
