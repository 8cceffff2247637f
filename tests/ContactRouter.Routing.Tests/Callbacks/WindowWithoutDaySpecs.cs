using ContactRouter.Routing.Callbacks;

namespace ContactRouter.Routing.Tests.Callbacks;

/// <summary>
/// Reception types "vanaf 14:00, uiterlijk 15:00" without a day: today while that window is still ahead, else the
/// centre's next opening day — never the soonest slot regardless of the times (which booked 08:30 for "after two").
/// </summary>
public sealed class When_reception_gives_times_without_a_day : CallbackSpec
{
    private static readonly TimeOnly Two = new(14, 0);
    private static readonly TimeOnly Three = new(15, 0);

    [Fact]
    public void A_window_still_ahead_today_is_today()
    {
        var (from, until) = Calendar.WindowWithoutDay(Sociaal, Nov(23, 8, 30), Two, Three);

        from.Should().Be(Nov(23, 14));
        until.Should().Be(Nov(23, 15));
        Booked(Sociaal, from, until!.Value).SlotStart.Should().Be(Nov(23, 14), "the promise is 'after two', not the first free slot");
    }

    [Fact]
    public void A_window_that_has_begun_starts_now()
    {
        var (from, until) = Calendar.WindowWithoutDay(Sociaal, Nov(23, 14, 20), Two, Three);

        from.Should().Be(Nov(23, 14, 20));
        until.Should().Be(Nov(23, 15));
    }

    [Fact]
    public void A_window_already_over_today_is_the_next_opening_day()
    {
        // Friday 27 November after three: the weekend is closed, so Monday 30 November.
        var (from, until) = Calendar.WindowWithoutDay(Sociaal, Nov(27, 15, 30), Two, Three);

        from.Should().Be(Nov(30, 14));
        until.Should().Be(Nov(30, 15));
    }

    [Fact]
    public void A_holiday_is_skipped_like_a_weekend()
    {
        Use(new CallbackOptions { Holidays = [new DateOnly(2026, 11, 24)] });

        Calendar.WindowWithoutDay(Sociaal, Nov(23, 16), Two, Three).NotBefore.Should().Be(Nov(25, 14));
    }

    [Fact]
    public void Only_a_start_leaves_the_end_to_the_default_window()
    {
        var (from, until) = Calendar.WindowWithoutDay(Sociaal, Nov(23, 9), Two, null);

        from.Should().Be(Nov(23, 14));
        until.Should().BeNull();
    }

    [Fact]
    public void Only_an_end_starts_now_today()
    {
        var (from, until) = Calendar.WindowWithoutDay(Sociaal, Nov(23, 9, 10), null, new TimeOnly(11, 0));

        from.Should().Be(Nov(23, 9, 10));
        until.Should().Be(Nov(23, 11));
    }
}

/// <summary>A window with no opening in it is closed, not full: reception says "gesloten".</summary>
public sealed class When_the_window_falls_on_a_closed_day : CallbackSpec
{
    [Fact]
    public void A_saturday_is_closed()
    {
        var noRoom = NoRoom(Sociaal, Nov(28, 10), Nov(28, 12));

        noRoom.Closed.Should().BeTrue();
        noRoom.Reason.Should().StartWith("sociaal is closed between Sat 28 Nov 2026 10:00");
        noRoom.Alternatives.First().Start.Should().Be(Nov(30, 8, 30));
    }

    [Fact]
    public void A_holiday_is_closed()
    {
        Use(new CallbackOptions { Holidays = [new DateOnly(2026, 11, 24)] });

        NoRoom(Sociaal, Nov(24, 10), Nov(24, 12)).Closed.Should().BeTrue();
    }

    [Fact]
    public void A_full_open_day_is_not_closed()
    {
        Fill(Sociaal, Nov(23, 10), Nov(23, 12));
        Fill(Fysiek, Nov(23, 10), Nov(23, 12));
        Fill(Bedrijfsvoering, Nov(23, 10), Nov(23, 12));
        Fill(Burgerzaken, Nov(23, 10), Nov(23, 12));

        NoRoom(Sociaal, Nov(23, 10), Nov(23, 12)).Closed.Should().BeFalse();
    }
}
