using ContactRouter.Routing.Callbacks;

namespace ContactRouter.Routing.Tests.Callbacks;

/// <summary>
/// Base for the callback-calendar specifications. Times are written out explicitly in Amsterdam local time
/// with its offset (November: CET, +01:00), never read from a clock, so every slot boundary is exact.
/// Week of Monday 23 November 2026: Fri 20, Sat 21, Sun 22, Mon 23 … Fri 27, Mon 30 Nov, Tue 1 Dec.
/// </summary>
public abstract class CallbackSpec
{
    protected const string Burgerzaken = CentreCatalog.Burgerzaken;
    protected const string Fysiek = CentreCatalog.Fysiek;
    protected const string Sociaal = CentreCatalog.Sociaal;
    protected const string Bedrijfsvoering = CentreCatalog.Bedrijfsvoering;

    protected static readonly TimeSpan Cet = TimeSpan.FromHours(1);
    protected static readonly TimeSpan Cest = TimeSpan.FromHours(2);

    protected CallbackCalendar Calendar { get; private set; } = new(new CallbackOptions(), new OverflowOptions());
    protected SlotLoad Load { get; } = new();

    /// <summary>Local Amsterdam time on a day in November 2026 (CET).</summary>
    protected static DateTimeOffset Nov(int day, int hour, int minute = 0) => new(2026, 11, day, hour, minute, 0, Cet);

    protected static DateTimeOffset Utc(int year, int month, int day, int hour, int minute = 0) => new(year, month, day, hour, minute, 0, TimeSpan.Zero);

    protected void Use(CallbackOptions options, OverflowOptions? overflow = null) =>
        Calendar = new CallbackCalendar(options, overflow ?? new OverflowOptions());

    /// <summary>The default options with other hours for one centre.</summary>
    protected static CallbackOptions WithHours(string centre, CentreCallbackHours hours)
    {
        var centres = CallbackOptions.DefaultCentres();
        centres[centre] = hours;
        return new CallbackOptions { Centres = centres };
    }

    protected static DayHours Hours(int openHour, int openMinute, int closeHour, int closeMinute) =>
        new(new TimeOnly(openHour, openMinute), new TimeOnly(closeHour, closeMinute));

    protected BookingDecision Place(string centre, DateTimeOffset notBefore, DateTimeOffset notAfter, Func<string, bool>? canServe = null) =>
        Calendar.Place(new CallbackRequest(centre, notBefore, notAfter), Load, canServe ?? (_ => true));

    protected BookingDecision.Booked Booked(string centre, DateTimeOffset notBefore, DateTimeOffset notAfter, Func<string, bool>? canServe = null)
    {
        var decision = Place(centre, notBefore, notAfter, canServe);
        return decision.Should().BeOfType<BookingDecision.Booked>().Subject;
    }

    protected BookingDecision.NoRoom NoRoom(string centre, DateTimeOffset notBefore, DateTimeOffset notAfter, Func<string, bool>? canServe = null)
    {
        var decision = Place(centre, notBefore, notAfter, canServe);
        return decision.Should().BeOfType<BookingDecision.NoRoom>().Subject;
    }

    /// <summary>Books every slot of the centre in [from, until) to its capacity.</summary>
    protected void Fill(string centre, DateTimeOffset from, DateTimeOffset until)
    {
        foreach (var start in Calendar.SlotStarts(centre, from, until))
            Load.Book(centre, start, Calendar.Options.HoursOf(centre).SlotCapacity);
    }

    protected static Func<string, bool> Only(params string[] canServe) => canServe.Contains;
}

/// <summary>The store's slot load as a dictionary; counts look-ups so specs can check the search stays bounded.</summary>
public sealed class SlotLoad : ISlotLoad
{
    private readonly Dictionary<(string Centre, DateTimeOffset Start), int> _booked = new();

    public int Lookups { get; private set; }

    public void Book(string centre, DateTimeOffset slotStart, int count = 1) =>
        _booked[(centre, slotStart)] = _booked.GetValueOrDefault((centre, slotStart)) + count;

    public int Booked(string centre, DateTimeOffset slotStart)
    {
        Lookups++;
        return _booked.GetValueOrDefault((centre, slotStart));
    }
}
