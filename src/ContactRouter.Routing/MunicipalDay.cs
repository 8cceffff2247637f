namespace ContactRouter.Routing;

/// <summary>
/// The municipality's calendar day (Europe/Amsterdam by default), not UTC's: counters, reports and the
/// callback list all cut the day at local midnight, which is 23:00 or 22:00 UTC depending on daylight saving.
/// </summary>
public static class MunicipalDay
{
    public static DateOnly Of(DateTimeOffset at, TimeZoneInfo zone) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(at, zone).DateTime);

    /// <summary>From local midnight to the next local midnight, as UTC instants (23 or 25 hours on a clock-change day).</summary>
    public static (DateTimeOffset Start, DateTimeOffset End) Bounds(DateOnly day, TimeZoneInfo zone) => (Midnight(day, zone), Midnight(day.AddDays(1), zone));

    private static DateTimeOffset Midnight(DateOnly day, TimeZoneInfo zone)
    {
        var local = day.ToDateTime(TimeOnly.MinValue);
        return new DateTimeOffset(local, zone.GetUtcOffset(local)).ToUniversalTime();
    }
}
