using ContactRouter.Routing.Callbacks;

namespace ContactRouter.Routing.Tests.Callbacks;

/// <summary>The asked centre has room: the earliest slot in the window, on the quarter hour, within opening hours.</summary>
public sealed class When_a_callback_is_placed_at_the_asked_centre : CallbackSpec
{
    [Fact]
    public void An_open_window_gets_its_earliest_slot_at_the_asked_centre()
    {
        var booked = Booked(Sociaal, Nov(23, 9), Nov(25, 9));

        booked.Centre.Should().Be(Sociaal);
        booked.HomeCentre.Should().Be(Sociaal);
        booked.AtNeighbour.Should().BeFalse();
        booked.SlotStart.Should().Be(Nov(23, 9));
        booked.SlotEnd.Should().Be(Nov(23, 9, 15));
        booked.Reason.Should().Contain("earliest free slot at sociaal");
    }

    [Fact]
    public void Slot_times_are_given_in_utc()
    {
        var booked = Booked(Sociaal, Nov(23, 9), Nov(25, 9));

        booked.SlotStart.Offset.Should().Be(TimeSpan.Zero);
        booked.SlotStart.Should().Be(Utc(2026, 11, 23, 8));
    }

    [Theory]
    [InlineData(9, 1, 9, 15)]
    [InlineData(9, 7, 9, 15)]
    [InlineData(9, 14, 9, 15)]
    [InlineData(9, 15, 9, 15)]
    [InlineData(9, 16, 9, 30)]
    [InlineData(9, 59, 10, 0)]
    public void A_notBefore_between_quarters_rounds_up_to_the_next_quarter(int hour, int minute, int slotHour, int slotMinute)
    {
        Booked(Sociaal, Nov(23, hour, minute), Nov(25, 9)).SlotStart.Should().Be(Nov(23, slotHour, slotMinute));
    }

    [Fact]
    public void A_notBefore_with_seconds_past_the_quarter_rounds_up_too()
    {
        Booked(Sociaal, Nov(23, 9).AddSeconds(1), Nov(25, 9)).SlotStart.Should().Be(Nov(23, 9, 15));
    }

    [Fact]
    public void Before_opening_time_the_first_slot_is_at_opening()
    {
        Booked(Sociaal, Nov(23, 6), Nov(25, 9)).SlotStart.Should().Be(Nov(23, 8, 30));
    }

    [Fact]
    public void After_closing_time_the_first_slot_is_at_the_next_opening()
    {
        Booked(Sociaal, Nov(23, 17, 30), Nov(25, 9)).SlotStart.Should().Be(Nov(24, 8, 30));
    }

    [Fact]
    public void On_a_friday_evening_the_first_slot_is_monday_morning()
    {
        Booked(Sociaal, Nov(20, 18), Nov(24, 18)).SlotStart.Should().Be(Nov(23, 8, 30));
    }

    [Fact]
    public void The_last_slot_of_a_day_ends_at_closing_time()
    {
        Booked(Sociaal, Nov(23, 16, 45), Nov(25, 9)).SlotStart.Should().Be(Nov(23, 16, 45));
        Booked(Sociaal, Nov(23, 16, 46), Nov(25, 9)).SlotStart.Should().Be(Nov(24, 8, 30));
    }

    [Fact]
    public void A_full_slot_is_passed_over_for_the_next_slot_with_room()
    {
        Load.Book(Sociaal, Nov(23, 9), 4);
        Load.Book(Sociaal, Nov(23, 9, 15), 4);

        Booked(Sociaal, Nov(23, 9), Nov(25, 9)).SlotStart.Should().Be(Nov(23, 9, 30));
    }

    [Fact]
    public void A_slot_with_one_place_left_is_still_taken()
    {
        Load.Book(Sociaal, Nov(23, 9), 3);

        Booked(Sociaal, Nov(23, 9), Nov(25, 9)).SlotStart.Should().Be(Nov(23, 9));
    }

    [Fact]
    public void A_slot_fits_only_when_it_ends_by_notAfter()
    {
        Booked(Sociaal, Nov(23, 9), Nov(23, 9, 15)).SlotStart.Should().Be(Nov(23, 9));
        NoRoom(Sociaal, Nov(23, 9), Nov(23, 9, 14), canServe: _ => false)
            .Alternatives.Should().StartWith(new CallbackSlot(Sociaal, Nov(23, 9), Nov(23, 9, 15), 4));
    }

    [Fact]
    public void Neighbours_are_not_even_asked_when_the_home_centre_has_room()
    {
        var act = () => Place(Sociaal, Nov(23, 9), Nov(25, 9), _ => throw new InvalidOperationException("asked a neighbour"));

        act.Should().NotThrow();
    }

    [Fact]
    public void Placing_books_nothing_by_itself()
    {
        var first = Booked(Sociaal, Nov(23, 9), Nov(25, 9));
        var second = Booked(Sociaal, Nov(23, 9), Nov(25, 9));

        second.Should().Be(first, "the store books; the calendar only decides, so the same load gives the same answer");
    }
}

/// <summary>The asked centre is full in the window: an overflow neighbour whose agents hold the skill takes it.</summary>
public sealed class When_the_asked_centre_is_full_in_the_window : CallbackSpec
{
    // Default ring: burgerzaken's neighbours are bedrijfsvoering (first) and fysiek; sociaal is not one.
    private static readonly DateTimeOffset From = Nov(23, 9);
    private static readonly DateTimeOffset Until = Nov(23, 12);

    public When_the_asked_centre_is_full_in_the_window() => Fill(Burgerzaken, From, Until);

    [Fact]
    public void A_neighbour_whose_agents_hold_the_skill_gets_the_appointment()
    {
        var booked = Booked(Burgerzaken, From, Until, Only(Fysiek));

        booked.Centre.Should().Be(Fysiek);
        booked.HomeCentre.Should().Be(Burgerzaken);
        booked.AtNeighbour.Should().BeTrue();
        booked.SlotStart.Should().Be(From);
        booked.Reason.Should().Contain("burgerzaken has no room before Mon 23 Nov 2026 12:00")
            .And.Contain("fysiek's agents hold the skill for burgerzaken")
            .And.Contain("bedrijfsvoering's agents lack the skill");
    }

    [Fact]
    public void A_neighbour_whose_agents_lack_the_skill_is_passed_over_even_when_it_is_earlier()
    {
        Fill(Fysiek, From, Nov(23, 10));

        var booked = Booked(Burgerzaken, From, Until, Only(Fysiek));

        booked.Centre.Should().Be(Fysiek, "bedrijfsvoering is free at 09:00 but its agents lack the skill");
        booked.SlotStart.Should().Be(Nov(23, 10));
    }

    [Fact]
    public void A_centre_that_is_not_a_neighbour_is_never_used_even_when_it_could_serve()
    {
        Fill(Fysiek, From, Until);
        Fill(Bedrijfsvoering, From, Until);

        var noRoom = NoRoom(Burgerzaken, From, Until, canServe: _ => true);

        noRoom.Alternatives.Select(s => s.Centre).Should().NotContain(Sociaal);
    }

    [Fact]
    public void The_neighbour_with_the_earliest_free_slot_wins()
    {
        Fill(Bedrijfsvoering, From, Nov(23, 10));

        var booked = Booked(Burgerzaken, From, Until);

        booked.Centre.Should().Be(Fysiek);
        booked.SlotStart.Should().Be(From);
    }

    [Fact]
    public void On_equal_slots_the_configured_neighbour_order_decides()
    {
        Booked(Burgerzaken, From, Until).Centre.Should().Be(Bedrijfsvoering, "it is listed first in the default ring");

        var centres = OverflowOptions.DefaultRing();
        centres[Burgerzaken] = centres[Burgerzaken] with { Neighbours = [Fysiek, Bedrijfsvoering] };
        Use(new CallbackOptions(), new OverflowOptions { Centres = centres });
        Fill(Burgerzaken, From, Until);

        Booked(Burgerzaken, From, Until).Centre.Should().Be(Fysiek);
    }

    [Fact]
    public void A_neighbour_is_only_booked_inside_the_window_too()
    {
        Fill(Fysiek, From, Until);
        Fill(Bedrijfsvoering, From, Until);

        Place(Burgerzaken, From, Until).Should().BeOfType<BookingDecision.NoRoom>("the neighbours' slots after 12:00 are outside the window");
    }

    [Fact]
    public void Each_neighbour_is_asked_about_its_skill_once()
    {
        var asked = new List<string>();

        Booked(Burgerzaken, From, Until, n => { asked.Add(n); return true; });

        asked.Should().Equal(Bedrijfsvoering, Fysiek);
    }

    [Fact]
    public void A_neighbour_that_takes_no_callbacks_is_passed_over()
    {
        var options = new CallbackOptions();
        options.Centres[Bedrijfsvoering] = new CentreCallbackHours { SlotCapacity = 0 };
        Use(options);
        Fill(Burgerzaken, From, Until);

        Booked(Burgerzaken, From, Until).Centre.Should().Be(Fysiek);
    }
}

/// <summary>Nothing fits anywhere: "no room", with the nearest alternatives to offer the customer.</summary>
public sealed class When_nothing_fits_the_window : CallbackSpec
{
    private static readonly DateTimeOffset From = Nov(23, 9);
    private static readonly DateTimeOffset Until = Nov(23, 10);

    public When_nothing_fits_the_window()
    {
        Fill(Burgerzaken, From, Nov(23, 12));
        Fill(Fysiek, From, Nov(23, 11));
    }

    [Fact]
    public void The_answer_is_no_room_with_alternatives_at_home_and_at_serving_neighbours_sorted_by_time()
    {
        var noRoom = NoRoom(Burgerzaken, From, Until, Only(Fysiek));

        noRoom.HomeCentre.Should().Be(Burgerzaken);
        noRoom.Alternatives.Select(s => (s.Centre, s.Start)).Should().Equal(
            (Fysiek, Nov(23, 11)), (Fysiek, Nov(23, 11, 15)), (Fysiek, Nov(23, 11, 30)),
            (Burgerzaken, Nov(23, 12)), (Burgerzaken, Nov(23, 12, 15)), (Burgerzaken, Nov(23, 12, 30)));
        noRoom.Alternatives.Should().OnlyContain(s => s.End == s.Start + TimeSpan.FromMinutes(15) && s.Free == 4);
    }

    [Fact]
    public void A_neighbour_whose_agents_lack_the_skill_offers_no_alternatives()
    {
        Fill(Bedrijfsvoering, From, Until);

        var noRoom = NoRoom(Burgerzaken, From, Until, Only(Fysiek));

        noRoom.Alternatives.Select(s => s.Centre).Should().NotContain(Bedrijfsvoering);
        noRoom.Reason.Should().Contain("bedrijfsvoering's agents lack the skill");
    }

    [Fact]
    public void Without_serving_neighbours_only_home_alternatives_are_offered()
    {
        var noRoom = NoRoom(Burgerzaken, From, Until, canServe: _ => false);

        noRoom.Alternatives.Select(s => (s.Centre, s.Start)).Should().Equal(
            (Burgerzaken, Nov(23, 12)), (Burgerzaken, Nov(23, 12, 15)), (Burgerzaken, Nov(23, 12, 30)));
    }

    [Fact]
    public void On_equal_times_home_comes_before_its_neighbours()
    {
        Fill(Fysiek, From, Nov(23, 12));

        var noRoom = NoRoom(Burgerzaken, From, Until, Only(Fysiek));

        noRoom.Alternatives.Select(s => s.Centre).Should().Equal(Burgerzaken, Fysiek, Burgerzaken, Fysiek, Burgerzaken, Fysiek);
    }

    [Fact]
    public void The_search_for_alternatives_is_bounded_and_says_so()
    {
        var noRoom = NoRoom(Burgerzaken, From, Until, canServe: _ => false);

        noRoom.SearchedUntil.Should().Be(From + TimeSpan.FromDays(30));
        noRoom.Reason.Should().Contain("no room between Mon 23 Nov 2026 09:00 and Mon 23 Nov 2026 10:00 at burgerzaken")
            .And.Contain("up to Wed 23 Dec 2026 09:00 (searched 30 days from notBefore");
    }

    [Fact]
    public void A_window_longer_than_the_horizon_is_searched_to_its_end()
    {
        Use(new CallbackOptions { SearchHorizon = TimeSpan.FromDays(2) });

        Calendar.SearchRange(new CallbackRequest(Burgerzaken, From, From.AddDays(5)))
            .Should().Be((From, From.AddDays(5)));
        Calendar.SearchRange(new CallbackRequest(Burgerzaken, From, Until))
            .Should().Be((From, From.AddDays(2)));
    }

    [Fact]
    public void Every_slot_the_decision_reads_lies_in_the_search_range()
    {
        var request = new CallbackRequest(Burgerzaken, From, Until);
        var (from, until) = Calendar.SearchRange(request);
        var read = new RecordingLoad(Load);

        Calendar.Place(request, read, _ => true);

        read.Starts.Should().NotBeEmpty().And.OnlyContain(start => start >= from && start < until);
    }

    private sealed class RecordingLoad(ISlotLoad inner) : ISlotLoad
    {
        public List<DateTimeOffset> Starts { get; } = [];

        public int Booked(string centre, DateTimeOffset slotStart)
        {
            Starts.Add(slotStart);
            return inner.Booked(centre, slotStart);
        }
    }

    [Fact]
    public void A_calendar_full_for_the_whole_horizon_gives_no_alternatives()
    {
        var options = new CallbackOptions();
        options.Centres[Burgerzaken] = new CentreCallbackHours { SlotCapacity = 0 };
        Use(options);

        NoRoom(Burgerzaken, From, Until, canServe: _ => false).Alternatives.Should().BeEmpty();
    }

    [Fact]
    public void The_number_of_alternatives_per_centre_is_configurable()
    {
        Use(new CallbackOptions { AlternativesPerCentre = 1 });
        Fill(Burgerzaken, From, Nov(23, 12));

        NoRoom(Burgerzaken, From, Until, canServe: _ => false).Alternatives.Should().ContainSingle()
            .Which.Start.Should().Be(Nov(23, 12));
    }
}

/// <summary>The search is one step per slot, so a 30-day window and horizon stay cheap.</summary>
public sealed class When_a_long_window_is_searched : CallbackSpec
{
    [Fact]
    public void Thirty_days_hold_34_slots_on_each_of_their_22_working_days()
    {
        var starts = Calendar.SlotStarts(Sociaal, Nov(23, 0), Nov(23, 0).AddDays(30)).ToList();

        starts.Should().HaveCount(22 * 34).And.BeInAscendingOrder().And.OnlyHaveUniqueItems();
    }

    [Fact]
    public void A_fully_booked_thirty_day_window_looks_each_slot_up_a_bounded_number_of_times()
    {
        var from = Nov(23, 0);
        var until = from.AddDays(30);
        foreach (var centre in CentreCatalog.All) Fill(centre, from, until);
        var before = Load.Lookups;

        var noRoom = NoRoom(Burgerzaken, from, until);

        noRoom.Alternatives.Should().BeEmpty("every centre is full for the whole window, which is as long as the horizon");
        // Home and two neighbours, each scanned once for the window and once for alternatives: 22 working days each.
        (Load.Lookups - before).Should().Be(3 * 2 * 22 * 34);
    }
}
