using System.Globalization;

namespace ContactRouter.Routing.Callbacks;

/// <summary>A request to be called back by <see cref="Centre"/> (the home centre) in [NotBefore, NotAfter].</summary>
public sealed record CallbackRequest(string Centre, DateTimeOffset NotBefore, DateTimeOffset NotAfter);

/// <summary>How full the calendar already is. The store implements it; the calendar only reads.</summary>
public interface ISlotLoad
{
    /// <summary>Appointments already booked at <paramref name="centre"/> in the slot starting at <paramref name="slotStart"/> (UTC).</summary>
    int Booked(string centre, DateTimeOffset slotStart);
}

/// <summary>One appointment slot with room left. Start and End are UTC instants.</summary>
public sealed record CallbackSlot(string Centre, DateTimeOffset Start, DateTimeOffset End, int Free);

/// <summary>What the calendar decided for a <see cref="CallbackRequest"/>.</summary>
public abstract record BookingDecision
{
    // Closed hierarchy: a caller's switch over the three cases below is complete.
    private BookingDecision() { }

    /// <summary>Book this slot. <see cref="Centre"/> is a neighbour of <see cref="HomeCentre"/> when home was full.</summary>
    public sealed record Booked(string HomeCentre, string Centre, DateTimeOffset SlotStart, DateTimeOffset SlotEnd, string Reason) : BookingDecision
    {
        public bool AtNeighbour => Centre != HomeCentre;
    }

    /// <summary>
    /// Nothing fits the window at home or at any neighbour that can serve. <see cref="Alternatives"/> are
    /// the earliest free slots from notBefore on (sorted by time), searched up to <see cref="SearchedUntil"/>.
    /// </summary>
    /// <remarks>
    /// <see cref="Closed"/>: the home centre has no opening at all in the window (a weekend, a holiday, after
    /// hours), so reception says "closed" rather than "full".
    /// </remarks>
    public sealed record NoRoom(string HomeCentre, IReadOnlyList<CallbackSlot> Alternatives, DateTimeOffset SearchedUntil, string Reason, bool Closed = false) : BookingDecision;

    /// <summary>The request itself is wrong; <see cref="Refusal.Field"/> names the input.</summary>
    public sealed record Refused(Refusal Refusal) : BookingDecision;
}

/// <summary>
/// The callback-appointment calendar: opening hours, working days and slots in the municipality's local
/// time, and the placement rule (earliest slot with room at home, else at an overflow neighbour whose agents
/// can serve, else "no room" with alternatives). Pure: no clock, no store; the caller passes the time and the
/// current load, so the same request on the same load always gets the same answer.
/// </summary>
public sealed class CallbackCalendar
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    private readonly OverflowOptions _overflow;
    private readonly TimeZoneInfo _zone;
    private readonly HashSet<DateOnly> _holidays;
    private readonly TimeSpan _slot;

    public CallbackCalendar(CallbackOptions options, OverflowOptions overflow)
    {
        var problems = options.Problems().ToList();
        if (problems.Count > 0) throw new ArgumentException(string.Join(" ", problems), nameof(options));
        Options = options;
        _overflow = overflow;
        _zone = TimeZoneInfo.FindSystemTimeZoneById(options.TimeZone);
        _holidays = options.Holidays.ToHashSet();
        _slot = options.SlotLength;
    }

    public CallbackOptions Options { get; }
    public TimeZoneInfo TimeZone => _zone;

    /// <summary>Monday to Friday and not a holiday: the days the "within N working days" norm counts.</summary>
    public bool IsWorkingDay(DateOnly day) =>
        day.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday) && !_holidays.Contains(day);

    /// <summary>
    /// The same local time <see cref="CallbackOptions.DefaultWindowWorkingDays"/> working days later (Friday
    /// 10:00 → Tuesday 10:00). Counted on the local calendar and converted back, so a daylight-saving change
    /// in between keeps the wall-clock time rather than the number of hours.
    /// </summary>
    public DateTimeOffset DefaultNotAfter(DateTimeOffset bookedAt)
    {
        var local = TimeZoneInfo.ConvertTime(bookedAt, _zone).DateTime;
        var day = DateOnly.FromDateTime(local);
        for (var counted = 0; counted < Options.DefaultWindowWorkingDays;)
        {
            day = day.AddDays(1);
            if (IsWorkingDay(day)) counted++;
        }
        return ToUtc(day, local.TimeOfDay);
    }

    /// <summary>A request with the defaults filled in: notBefore now, notAfter the default window after notBefore.</summary>
    public CallbackRequest WithDefaults(string centre, DateTimeOffset now, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null)
    {
        var from = notBefore ?? now;
        return new CallbackRequest(centre, from, notAfter ?? DefaultNotAfter(from));
    }

    /// <summary>
    /// A window of wall-clock times without a day ("vanaf 14:00, uiterlijk 15:00"), as instants: today when the
    /// window has not yet ended (from now on, never earlier than <paramref name="from"/>), else the same times on
    /// the centre's next opening day — reception promises the citizen a time, and the earliest day that can keep it
    /// is what they mean. Without <paramref name="until"/> the window ends at midnight for that test and the
    /// notAfter is left to the default; without <paramref name="from"/> it starts now, or at midnight on a later day.
    /// </summary>
    public (DateTimeOffset NotBefore, DateTimeOffset? NotAfter) WindowWithoutDay(string centre, DateTimeOffset now, TimeOnly? from, TimeOnly? until)
    {
        var day = LocalDate(now);
        var ends = until is { } u ? ToUtc(day, u.ToTimeSpan()) : ToUtc(day.AddDays(1), TimeSpan.Zero);
        if (ends <= now)
        {
            var hours = Options.HoursOf(centre);
            var last = day.AddDays((int)Math.Ceiling(Options.SearchHorizon.TotalDays));
            do day = day.AddDays(1);
            while (day < last && !IsOpenDay(hours, day, out _));
        }
        var start = ToUtc(day, (from ?? TimeOnly.MinValue).ToTimeSpan());
        return (start < now ? now : start, until is { } end ? ToUtc(day, end.ToTimeSpan()) : null);
    }

    /// <summary>Checks a request before anything is booked. Null when it is sound; otherwise the refusal naming the field.</summary>
    public Refusal? Check(CallbackRequest request, DateTimeOffset now)
    {
        if (CheckShape(request) is { } refusal) return refusal;
        // Strictly before now: "now" itself is a fine start (the reception desk books for "as soon as possible").
        if (request.NotBefore < now)
            return new Refusal(RefusalKind.Invalid, "notBefore", $"notBefore ({request.NotBefore:O}) is in the past (now {now:O}).", RefusalCodes.InThePast);
        return null;
    }

    /// <summary>The checks that do not need the clock, so <see cref="Place"/> can make them too.</summary>
    private Refusal? CheckShape(CallbackRequest request)
    {
        if (!CentreCatalog.IsKnown(request.Centre))
            return new Refusal(RefusalKind.Invalid, "centre", $"'{request.Centre}' is not a centre; use one of {string.Join(", ", CentreCatalog.All)}.", RefusalCodes.UnknownCentre);
        if (request.NotAfter <= request.NotBefore)
            return new Refusal(RefusalKind.Invalid, "notAfter", $"notAfter ({request.NotAfter:O}) must be after notBefore ({request.NotBefore:O}).", RefusalCodes.WindowReversed);
        if (request.NotAfter - request.NotBefore > Options.MaxWindow)
            return new Refusal(RefusalKind.Invalid, "notAfter", $"The window is longer than {Options.MaxWindow.TotalDays:0} days; a callback promise that far ahead is not a promise.", RefusalCodes.WindowTooLong);
        return null;
    }

    /// <summary>Whether the centre is open at this instant (opening included, closing excluded).</summary>
    public bool IsOpen(string centre, DateTimeOffset at)
    {
        var day = LocalDate(at);
        return OpenPeriod(centre, day) is { } period && period.Opens <= at && at < period.Closes;
    }

    /// <summary>
    /// The earliest instant at or after <paramref name="from"/> when the centre is open: <paramref name="from"/>
    /// itself when open, otherwise the next opening. Null when it stays closed for the whole search horizon.
    /// </summary>
    public DateTimeOffset? NextOpening(string centre, DateTimeOffset from)
    {
        var last = LocalDate(from + Options.SearchHorizon);
        for (var day = LocalDate(from); day <= last; day = day.AddDays(1))
            if (OpenPeriod(centre, day) is { } period && from < period.Closes)
                return from > period.Opens ? from : period.Opens;
        return null;
    }

    /// <summary>
    /// Slot starts (UTC, ascending) at the centre with start ≥ <paramref name="from"/> and
    /// start + SlotLength ≤ <paramref name="until"/>. Slots lie on local quarter hours within opening hours;
    /// a local time skipped by daylight saving moves forward (and is not offered twice), a repeated local
    /// hour is offered once. Cost is one step per slot, about 34 a day by default.
    /// </summary>
    public IEnumerable<DateTimeOffset> SlotStarts(string centre, DateTimeOffset from, DateTimeOffset until)
    {
        var hours = Options.HoursOf(centre);
        var previous = DateTimeOffset.MinValue;
        var lastDay = LocalDate(until);
        for (var day = LocalDate(from); day <= lastDay; day = day.AddDays(1))
        {
            if (!IsOpenDay(hours, day, out var open)) continue;
            for (var time = FirstSlotAt(open.Opens); time + _slot <= open.Closes.ToTimeSpan(); time += _slot)
            {
                var start = ToUtc(day, time);
                if (start < from || start <= previous) continue;
                if (start + _slot > until) yield break;
                previous = start;
                yield return start;
            }
        }
    }

    /// <summary>The slots of <see cref="SlotStarts"/> that still have room, earliest first.</summary>
    public IEnumerable<CallbackSlot> FreeSlots(string centre, DateTimeOffset from, DateTimeOffset until, ISlotLoad load)
    {
        var capacity = Options.HoursOf(centre).SlotCapacity;
        if (capacity <= 0) yield break;
        foreach (var start in SlotStarts(centre, from, until))
        {
            var free = capacity - load.Booked(centre, start);
            if (free > 0) yield return new CallbackSlot(centre, start, start + _slot, free);
        }
    }

    /// <summary>
    /// Where to book: the earliest slot with room in the window at the asked centre; when it has none, the
    /// earliest such slot at an overflow neighbour whose agents can serve the home centre (the caller checks
    /// skills through <paramref name="neighbourCanServe"/>; tie: configured neighbour order); otherwise
    /// <see cref="BookingDecision.NoRoom"/> with the nearest alternatives. Neighbours are only asked about
    /// when home is full: the customer's own centre knows the question best.
    /// </summary>
    public BookingDecision Place(CallbackRequest request, ISlotLoad load, Func<string, bool> neighbourCanServe)
    {
        if (CheckShape(request) is { } refusal) return new BookingDecision.Refused(refusal);
        var home = request.Centre;

        if (FreeSlots(home, request.NotBefore, request.NotAfter, load).FirstOrDefault() is { } atHome)
            return new BookingDecision.Booked(home, home, atHome.Start, atHome.End,
                $"earliest free slot at {home} between {Local(request.NotBefore)} and {Local(request.NotAfter)}");

        var neighbours = _overflow.NeighboursOf(home).Where(n => n != home && CentreCatalog.IsKnown(n)).Distinct().ToList();
        var serving = neighbours.Where(neighbourCanServe).ToList();
        var lacking = neighbours.Except(serving).ToList();
        var lackingNote = lacking.Count == 0 ? "" : $" ({string.Join(", ", lacking.Select(n => $"{n}'s agents lack the skill"))})";

        CallbackSlot? best = null;
        foreach (var neighbour in serving)
            if (FreeSlots(neighbour, request.NotBefore, request.NotAfter, load).FirstOrDefault() is { } slot && (best is null || slot.Start < best.Start))
                best = slot;
        if (best is not null)
            return new BookingDecision.Booked(home, best.Centre, best.Start, best.End,
                $"{home} has no room before {Local(request.NotAfter)}; {best.Centre}'s agents hold the skill for {home} " +
                $"and {best.Centre} has the earliest free slot{lackingNote}");

        // Alternatives start at notBefore (not notAfter) because a slot that starts inside the window but
        // ends after it did not fit either, and is the nearest thing to what was asked.
        var until = SearchRange(request).Until;
        var order = serving.Prepend(home).ToList();
        var alternatives = order
            .SelectMany(centre => FreeSlots(centre, request.NotBefore, until, load).Take(Options.AlternativesPerCentre))
            .OrderBy(slot => slot.Start)
            .ThenBy(slot => order.IndexOf(slot.Centre))
            .ToList();
        var closed = !SlotStarts(home, request.NotBefore, request.NotAfter).Any();
        var where = serving.Count == 0 ? home : $"{home} or its neighbours whose agents hold the skill ({string.Join(", ", serving)})";
        return new BookingDecision.NoRoom(home, alternatives, until,
            (closed ? $"{home} is closed between {Local(request.NotBefore)} and {Local(request.NotAfter)}; " : "") +
            $"no room between {Local(request.NotBefore)} and {Local(request.NotAfter)} at {where}{lackingNote}; " +
            $"alternatives are the earliest free slots up to {Local(until)} (searched {Options.SearchHorizon.TotalDays:0} days from notBefore, at least to notAfter)",
            closed);
    }

    /// <summary>
    /// Every slot whose load <see cref="Place"/> may read starts in [From, Until): the store can load exactly
    /// this range (for the home centre and its neighbours) and nothing the decision depends on is missed.
    /// Until is notBefore + SearchHorizon, or notAfter when the window is longer.
    /// </summary>
    public (DateTimeOffset From, DateTimeOffset Until) SearchRange(CallbackRequest request)
    {
        var horizon = request.NotBefore + Options.SearchHorizon;
        return (request.NotBefore, request.NotAfter > horizon ? request.NotAfter : horizon);
    }

    private sealed record Period(DateTimeOffset Opens, DateTimeOffset Closes);

    private Period? OpenPeriod(string centre, DateOnly day) =>
        IsOpenDay(Options.HoursOf(centre), day, out var open)
            ? new Period(ToUtc(day, open.Opens.ToTimeSpan()), ToUtc(day, open.Closes.ToTimeSpan()))
            : null;

    private bool IsOpenDay(CentreCallbackHours hours, DateOnly day, out DayHours open)
    {
        open = hours.On(day.DayOfWeek);
        return !open.IsClosed && !_holidays.Contains(day);
    }

    /// <summary>The first slot boundary (a multiple of SlotLength after midnight) at or after opening time.</summary>
    private TimeSpan FirstSlotAt(TimeOnly opens)
    {
        var ticks = opens.Ticks;
        var slot = _slot.Ticks;
        return TimeSpan.FromTicks((ticks + slot - 1) / slot * slot);
    }

    private DateOnly LocalDate(DateTimeOffset at) => MunicipalDay.Of(at, _zone);

    /// <summary>
    /// A local wall-clock time as a UTC instant. A time skipped by the spring change (02:30 on the last Sunday
    /// of March) becomes the instant it would have been without the change, i.e. it moves forward by the gap;
    /// a time that occurs twice in autumn takes its first occurrence, so slots stay in ascending order.
    /// </summary>
    private DateTimeOffset ToUtc(DateOnly day, TimeSpan timeOfDay)
    {
        var local = day.ToDateTime(TimeOnly.MinValue).Add(timeOfDay);
        TimeSpan offset;
        if (_zone.IsInvalidTime(local)) offset = _zone.GetUtcOffset(local.AddDays(-1));
        else if (_zone.IsAmbiguousTime(local)) offset = _zone.GetAmbiguousTimeOffsets(local).Max();
        else offset = _zone.GetUtcOffset(local);
        return new DateTimeOffset(local - offset, TimeSpan.Zero);
    }

    /// <summary>An instant as the customer and reception read it, for the reasons in decisions.</summary>
    private string Local(DateTimeOffset at) => TimeZoneInfo.ConvertTime(at, _zone).ToString("ddd d MMM yyyy HH:mm", Invariant);
}
