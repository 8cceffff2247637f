using ContactRouter.Routing.Callbacks;

namespace ContactRouter.Routing.Tests.Callbacks;

/// <summary>The Dutch norm: without a notAfter the customer is called back within 2 working days, same local time.</summary>
public sealed class When_the_default_window_is_worked_out : CallbackSpec
{
    private static readonly DateOnly Christmas = new(2026, 12, 25);
    private static readonly DateOnly BoxingDay = new(2026, 12, 26);

    [Fact]
    public void A_booking_on_monday_is_due_by_wednesday_at_the_same_time()
    {
        Calendar.DefaultNotAfter(Nov(23, 10)).Should().Be(Nov(25, 10));
    }

    [Fact]
    public void A_booking_on_friday_is_due_by_tuesday_because_the_weekend_does_not_count()
    {
        Calendar.DefaultNotAfter(Nov(20, 10)).Should().Be(Nov(24, 10));
    }

    [Theory]
    [InlineData(21)]
    [InlineData(22)]
    public void A_booking_in_the_weekend_is_due_by_tuesday(int weekendDay)
    {
        Calendar.DefaultNotAfter(Nov(weekendDay, 10)).Should().Be(Nov(24, 10));
    }

    [Fact]
    public void A_booking_after_closing_time_keeps_its_time_of_day()
    {
        Calendar.DefaultNotAfter(Nov(23, 20, 15)).Should().Be(Nov(25, 20, 15));
    }

    [Fact]
    public void The_day_is_the_local_day_not_the_utc_day()
    {
        // Tuesday 00:30 in Amsterdam is still Monday 23:30 in UTC.
        Calendar.DefaultNotAfter(Nov(24, 0, 30)).Should().Be(Nov(26, 0, 30));
    }

    [Fact]
    public void Holidays_do_not_count_as_working_days()
    {
        var thursdayBeforeChristmas = new DateTimeOffset(2026, 12, 24, 10, 0, 0, Cet);

        Calendar.DefaultNotAfter(thursdayBeforeChristmas).Should().Be(new DateTimeOffset(2026, 12, 28, 10, 0, 0, Cet));

        Use(new CallbackOptions { Holidays = [Christmas, BoxingDay] });
        Calendar.DefaultNotAfter(thursdayBeforeChristmas).Should().Be(new DateTimeOffset(2026, 12, 29, 10, 0, 0, Cet));
    }

    [Fact]
    public void The_number_of_working_days_is_configurable()
    {
        Use(new CallbackOptions { DefaultWindowWorkingDays = 1 });

        Calendar.DefaultNotAfter(Nov(20, 10)).Should().Be(Nov(23, 10));
    }

    [Fact]
    public void Weekdays_are_working_days_and_weekends_and_holidays_are_not()
    {
        Use(new CallbackOptions { Holidays = [Christmas] });

        Calendar.IsWorkingDay(new DateOnly(2026, 11, 23)).Should().BeTrue();
        Calendar.IsWorkingDay(new DateOnly(2026, 11, 27)).Should().BeTrue();
        Calendar.IsWorkingDay(new DateOnly(2026, 11, 28)).Should().BeFalse();
        Calendar.IsWorkingDay(new DateOnly(2026, 11, 29)).Should().BeFalse();
        Calendar.IsWorkingDay(Christmas).Should().BeFalse();
    }

    [Fact]
    public void Missing_window_ends_are_filled_in_from_now()
    {
        var request = Calendar.WithDefaults(Sociaal, now: Nov(20, 10));

        request.Should().Be(new CallbackRequest(Sociaal, Nov(20, 10), Nov(24, 10)));
    }

    [Fact]
    public void A_given_notBefore_starts_the_default_window()
    {
        Calendar.WithDefaults(Sociaal, now: Nov(20, 10), notBefore: Nov(23, 14))
            .Should().Be(new CallbackRequest(Sociaal, Nov(23, 14), Nov(25, 14)));
        Calendar.WithDefaults(Sociaal, now: Nov(20, 10), notAfter: Nov(30, 12))
            .Should().Be(new CallbackRequest(Sociaal, Nov(20, 10), Nov(30, 12)));
    }

    [Fact]
    public void A_holiday_closes_every_centre()
    {
        Use(new CallbackOptions { Holidays = [Christmas] });

        var booked = Booked(Sociaal, new DateTimeOffset(2026, 12, 24, 16, 50, 0, Cet), new DateTimeOffset(2026, 12, 31, 12, 0, 0, Cet));

        booked.SlotStart.Should().Be(new DateTimeOffset(2026, 12, 28, 8, 30, 0, Cet), "Friday is Christmas and then comes the weekend");
    }
}

/// <summary>
/// Opening hours are local time, so a slot at 08:30 is 07:30 UTC in winter and 06:30 UTC in summer. Clocks go
/// forward on Sunday 29 March 2026 and back on Sunday 25 October 2026.
/// </summary>
public sealed class When_the_clocks_change : CallbackSpec
{
    [Fact]
    public void The_first_slot_after_the_spring_weekend_is_0830_summer_time()
    {
        var fridayLate = new DateTimeOffset(2026, 3, 27, 16, 50, 0, Cet);

        var booked = Booked(Sociaal, fridayLate, fridayLate.AddDays(5));

        booked.SlotStart.Should().Be(Utc(2026, 3, 30, 6, 30));
        booked.SlotEnd.Should().Be(Utc(2026, 3, 30, 6, 45));
    }

    [Fact]
    public void The_first_slot_after_the_autumn_weekend_is_0830_winter_time()
    {
        var fridayLate = new DateTimeOffset(2026, 10, 23, 16, 50, 0, Cest);

        Booked(Sociaal, fridayLate, fridayLate.AddDays(5)).SlotStart.Should().Be(Utc(2026, 10, 26, 7, 30));
    }

    [Fact]
    public void The_last_friday_before_the_spring_change_is_still_winter_time()
    {
        var fridayMorning = new DateTimeOffset(2026, 3, 27, 8, 0, 0, Cet);

        Booked(Sociaal, fridayMorning, fridayMorning.AddDays(5)).SlotStart.Should().Be(Utc(2026, 3, 27, 7, 30));
    }

    [Fact]
    public void The_default_window_over_the_spring_change_keeps_the_local_time()
    {
        var fridayTen = Utc(2026, 3, 27, 9);

        Calendar.DefaultNotAfter(fridayTen).Should().Be(Utc(2026, 3, 31, 8), "Tuesday 10:00 summer time is 08:00 UTC");
    }

    [Fact]
    public void The_default_window_over_the_autumn_change_keeps_the_local_time()
    {
        var fridayTen = Utc(2026, 10, 23, 8);

        Calendar.DefaultNotAfter(fridayTen).Should().Be(Utc(2026, 10, 27, 9), "Tuesday 10:00 winter time is 09:00 UTC");
    }

    [Fact]
    public void A_centre_open_through_the_spring_night_offers_the_skipped_hour_once()
    {
        var options = WithHours(Sociaal, new CentreCallbackHours { Days = new() { [DayOfWeek.Sunday] = Hours(1, 0, 4, 0) } });
        Use(options);

        var starts = Calendar.SlotStarts(Sociaal, Utc(2026, 3, 28, 0), Utc(2026, 3, 30, 0)).ToList();

        // 01:00–01:45 CET, then 02:00–02:45 do not exist, then 03:00–03:45 CEST: one UTC quarter after the other.
        starts.Should().Equal(Enumerable.Range(0, 8).Select(i => Utc(2026, 3, 29, 0).AddMinutes(15 * i)));
    }

    [Fact]
    public void A_centre_open_through_the_autumn_night_offers_the_repeated_hour_once()
    {
        var options = WithHours(Sociaal, new CentreCallbackHours { Days = new() { [DayOfWeek.Sunday] = Hours(1, 0, 4, 0) } });
        Use(options);

        var starts = Calendar.SlotStarts(Sociaal, Utc(2026, 10, 24, 0), Utc(2026, 10, 26, 0)).ToList();

        starts.Should().HaveCount(12).And.BeInAscendingOrder().And.OnlyHaveUniqueItems();
        starts.First().Should().Be(Utc(2026, 10, 24, 23), "01:00 summer time");
        starts.Should().Contain(Utc(2026, 10, 25, 0), "02:00 the first time, still summer time");
        starts.Last().Should().Be(Utc(2026, 10, 25, 2, 45), "03:45 winter time");
    }
}

/// <summary>Each centre can have its own hours and slot capacity; the others keep theirs.</summary>
public sealed class When_a_centre_has_its_own_hours : CallbackSpec
{
    private static CentreCallbackHours MondayAndSaturdayMornings(int capacity) => new()
    {
        Days = new() { [DayOfWeek.Monday] = Hours(10, 0, 12, 0), [DayOfWeek.Saturday] = Hours(9, 0, 12, 0) },
        SlotCapacity = capacity,
    };

    [Fact]
    public void Its_slots_follow_its_own_days_and_hours()
    {
        Use(WithHours(Sociaal, MondayAndSaturdayMornings(1)));

        Booked(Sociaal, Nov(20, 9), Nov(24, 9)).SlotStart.Should().Be(Nov(21, 9), "open on Saturday, closed on Friday");
        Booked(Sociaal, Nov(22, 9), Nov(24, 9)).SlotStart.Should().Be(Nov(23, 10), "Monday opens at 10:00");
        Booked(Fysiek, Nov(20, 9), Nov(24, 9)).SlotStart.Should().Be(Nov(20, 9), "the other centres keep the office week");
    }

    [Fact]
    public void Its_capacity_decides_when_a_slot_is_full()
    {
        Use(WithHours(Sociaal, MondayAndSaturdayMornings(1)));
        Load.Book(Sociaal, Nov(21, 9));
        Load.Book(Fysiek, Nov(20, 9));

        Booked(Sociaal, Nov(20, 9), Nov(24, 9)).SlotStart.Should().Be(Nov(21, 9, 15));
        Booked(Fysiek, Nov(20, 9), Nov(24, 9)).SlotStart.Should().Be(Nov(20, 9), "fysiek still has 3 of its 4 places");
    }

    [Fact]
    public void A_larger_capacity_takes_more_callbacks_per_slot()
    {
        Use(WithHours(Sociaal, new CentreCallbackHours { SlotCapacity = 6 }));
        Load.Book(Sociaal, Nov(23, 9), 5);

        var slot = Calendar.FreeSlots(Sociaal, Nov(23, 9), Nov(23, 10), Load).First();

        slot.Should().Be(new CallbackSlot(Sociaal, Nov(23, 9), Nov(23, 9, 15), 1));
    }

    [Fact]
    public void Opening_hours_off_the_quarter_use_only_whole_quarters_inside_them()
    {
        Use(WithHours(Sociaal, new CentreCallbackHours { Days = new() { [DayOfWeek.Monday] = Hours(8, 40, 16, 50) } }));

        var starts = Calendar.SlotStarts(Sociaal, Nov(23, 0), Nov(24, 0)).ToList();

        starts.First().Should().Be(Nov(23, 8, 45));
        starts.Last().Should().Be(Nov(23, 16, 30));
    }

    [Fact]
    public void Equal_opening_and_closing_times_close_the_day()
    {
        var days = CentreCallbackHours.OfficeWeek();
        days[DayOfWeek.Friday] = DayHours.Closed;
        Use(WithHours(Sociaal, new CentreCallbackHours { Days = days }));

        Booked(Sociaal, Nov(20, 9), Nov(24, 9)).SlotStart.Should().Be(Nov(23, 8, 30));
    }

    [Fact]
    public void A_longer_slot_length_puts_slots_on_its_own_boundaries()
    {
        Use(new CallbackOptions { SlotLength = TimeSpan.FromMinutes(30) });

        var booked = Booked(Sociaal, Nov(23, 9, 1), Nov(25, 9));

        booked.SlotStart.Should().Be(Nov(23, 9, 30));
        booked.SlotEnd.Should().Be(Nov(23, 10));
        Calendar.SlotStarts(Sociaal, Nov(23, 0), Nov(24, 0)).Should().HaveCount(17);
    }
}

/// <summary>The next moment a centre is open: what the retry rule and reception need.</summary>
public sealed class When_the_next_opening_is_asked : CallbackSpec
{
    [Fact]
    public void During_opening_hours_it_is_open_now()
    {
        Calendar.IsOpen(Sociaal, Nov(23, 10, 7)).Should().BeTrue();
        Calendar.NextOpening(Sociaal, Nov(23, 10, 7)).Should().Be(Nov(23, 10, 7));
    }

    [Fact]
    public void Opening_time_is_open_and_closing_time_is_closed()
    {
        Calendar.IsOpen(Sociaal, Nov(23, 8, 30)).Should().BeTrue();
        Calendar.IsOpen(Sociaal, Nov(23, 17)).Should().BeFalse();
        Calendar.NextOpening(Sociaal, Nov(23, 17)).Should().Be(Nov(24, 8, 30));
    }

    [Fact]
    public void Before_opening_it_is_the_opening_of_the_same_day()
    {
        Calendar.NextOpening(Sociaal, Nov(23, 7)).Should().Be(Nov(23, 8, 30));
    }

    [Fact]
    public void On_a_friday_evening_it_is_monday_morning()
    {
        Calendar.IsOpen(Sociaal, Nov(21, 10)).Should().BeFalse();
        Calendar.NextOpening(Sociaal, Nov(20, 17, 30)).Should().Be(Nov(23, 8, 30));
    }

    [Fact]
    public void Holidays_are_skipped()
    {
        Use(new CallbackOptions { Holidays = [new DateOnly(2026, 11, 23)] });

        Calendar.IsOpen(Sociaal, Nov(23, 10)).Should().BeFalse();
        Calendar.NextOpening(Sociaal, Nov(20, 17, 30)).Should().Be(Nov(24, 8, 30));
    }

    [Fact]
    public void A_centre_that_never_opens_has_no_next_opening_within_the_horizon()
    {
        Use(WithHours(Sociaal, new CentreCallbackHours { Days = new() }));

        Calendar.NextOpening(Sociaal, Nov(23, 10)).Should().BeNull();
        NoRoom(Sociaal, Nov(23, 10), Nov(25, 10), canServe: _ => false).Alternatives.Should().BeEmpty();
    }
}
