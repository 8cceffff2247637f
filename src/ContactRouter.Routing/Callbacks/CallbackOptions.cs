namespace ContactRouter.Routing.Callbacks;

/// <summary>
/// The opening hours of one weekday in the municipality's local time (Europe/Amsterdam by default), so
/// "08:30" stays 08:30 on the wall clock across daylight saving time.
/// </summary>
public sealed record DayHours
{
    // The parameterless constructor lets the configuration binder create it; the other one keeps code short.
    public DayHours() { }

    public DayHours(TimeOnly opens, TimeOnly closes)
    {
        Opens = opens;
        Closes = closes;
    }

    public TimeOnly Opens { get; init; }
    public TimeOnly Closes { get; init; }

    /// <summary>
    /// Opens == Closes means closed. The configuration binder merges into the default week instead of
    /// replacing it, so this is the way configuration can close a day that is open by default.
    /// </summary>
    public bool IsClosed => Closes <= Opens;

    public static DayHours Closed => new(TimeOnly.MinValue, TimeOnly.MinValue);
}

/// <summary>When one centre takes callback appointments and how many per slot.</summary>
public sealed record CentreCallbackHours
{
    /// <summary>Opening hours per weekday; a weekday not listed is closed.</summary>
    public Dictionary<DayOfWeek, DayHours> Days { get; init; } = OfficeWeek();

    /// <summary>
    /// Callbacks one slot can hold: roughly the agents a centre sets aside for calling back, because each
    /// of them makes one call per slot.
    /// </summary>
    public int SlotCapacity { get; init; } = 4;

    /// <summary>Monday to Friday 08:30–17:00, the usual opening hours of a Dutch municipal service centre.</summary>
    public static Dictionary<DayOfWeek, DayHours> OfficeWeek() => new[]
        {
            DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday,
        }
        .ToDictionary(day => day, _ => new DayHours(new TimeOnly(8, 30), new TimeOnly(17, 0)));

    public DayHours On(DayOfWeek day) => Days.TryGetValue(day, out var hours) ? hours : DayHours.Closed;
}

/// <summary>
/// The callback-appointment ("terugbelafspraak") calendar. Defaults follow the Dutch norm in
/// shared/domain.md: a callback within 2 working days, in 15-minute slots during office hours.
/// </summary>
public sealed record CallbackOptions
{
    /// <summary>Opening hours and slot capacity per centre; a centre not listed gets the default hours.</summary>
    public Dictionary<string, CentreCallbackHours> Centres { get; init; } = DefaultCentres();

    /// <summary>Length of one appointment slot; slots start on multiples of it from local midnight (the quarter hours).</summary>
    public TimeSpan SlotLength { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>Without an explicit notAfter the customer is called back within this many working days (the Dutch norm is 2).</summary>
    public int DefaultWindowWorkingDays { get; init; } = 2;

    /// <summary>Public holidays: every centre is closed, and they do not count as working days.</summary>
    public List<DateOnly> Holidays { get; init; } = [];

    /// <summary>Opening hours and working days are local time here, not UTC.</summary>
    public string TimeZone { get; init; } = "Europe/Amsterdam";

    /// <summary>Wait after an attempt that did not reach the customer before trying again.</summary>
    public TimeSpan RetryInterval { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>Calls made before an appointment counts as failed (the customer is then told so).</summary>
    public int MaxAttempts { get; init; } = 3;

    /// <summary>
    /// Priority of the outbound contact a due callback becomes. Above ordinary callers (0) because the
    /// customer was promised a time ("afspraak is afspraak"), below the top so true urgencies still win.
    /// </summary>
    public int OutboundPriority { get; init; } = 5;

    /// <summary>An open appointment this close to its notAfter is reported at risk, so someone can still act in time.</summary>
    public TimeSpan AtRiskMargin { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>Longest window a booking may ask for; longer windows are refused (they are not a promise).</summary>
    public TimeSpan MaxWindow { get; init; } = TimeSpan.FromDays(30);

    /// <summary>
    /// How far from notBefore the calendar looks for alternatives when nothing fits (at least to notAfter), and
    /// how far ahead it looks for the next opening. Bounded so a fully booked or closed centre cannot make it search forever.
    /// </summary>
    public TimeSpan SearchHorizon { get; init; } = TimeSpan.FromDays(30);

    /// <summary>At most this many alternative slots per centre in a "no room" answer: enough to choose from, short enough to read out.</summary>
    public int AlternativesPerCentre { get; init; } = 3;

    public static Dictionary<string, CentreCallbackHours> DefaultCentres() =>
        CentreCatalog.All.ToDictionary(centre => centre, _ => new CentreCallbackHours());

    public CentreCallbackHours HoursOf(string centre) =>
        Centres.TryGetValue(centre, out var hours) ? hours : new CentreCallbackHours();

    /// <summary>Problems with the settings, empty when they are sound.</summary>
    public IEnumerable<string> Problems()
    {
        if (SlotLength < TimeSpan.FromMinutes(1) || TimeSpan.FromDays(1).Ticks % SlotLength.Ticks != 0)
            yield return "SlotLength must be at least a minute and divide a day (e.g. 00:15:00), so slots line up with the clock.";
        if (DefaultWindowWorkingDays < 1) yield return "DefaultWindowWorkingDays must be 1 or more.";
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(TimeZone, out _)) yield return $"TimeZone '{TimeZone}' is not known on this machine.";
        if (RetryInterval <= TimeSpan.Zero) yield return "RetryInterval must be positive.";
        if (MaxAttempts < 1) yield return "MaxAttempts must be 1 or more.";
        if (OutboundPriority is < RoutingOptions.MinPriority or > RoutingOptions.MaxPriority)
            yield return $"OutboundPriority must be {RoutingOptions.MinPriority}–{RoutingOptions.MaxPriority}.";
        if (AtRiskMargin < TimeSpan.Zero) yield return "AtRiskMargin must be 0 or more.";
        if (MaxWindow <= TimeSpan.Zero) yield return "MaxWindow must be positive.";
        if (SearchHorizon < TimeSpan.FromDays(1)) yield return "SearchHorizon must be at least a day.";
        if (AlternativesPerCentre < 0) yield return "AlternativesPerCentre must be 0 or more.";
        foreach (var (centre, hours) in Centres)
        {
            if (!CentreCatalog.IsKnown(centre)) yield return $"Centres: '{centre}' is not a centre.";
            if (hours.SlotCapacity < 0) yield return $"{centre}: SlotCapacity must be 0 or more.";
            foreach (var (day, open) in hours.Days)
                if (open.Closes < open.Opens)
                    yield return $"{centre}: on {day} Closes ({open.Closes:HH\\:mm}) is before Opens ({open.Opens:HH\\:mm}); use equal times for a closed day.";
        }
    }
}
