using System.Globalization;
using ContactRouter.Routing;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ContactRouter.Web;

/// <summary>
/// The days and times the API takes: the <c>date</c> of the day views (report, callback list), YYYY-MM-DD or today when
/// absent, and the times of a body (a callback's window).
/// </summary>
internal static class Days
{
    /// <summary>
    /// The days a date may name. Outside them a date is a typo (0001, 9999), and at the ends of DateTimeOffset's range
    /// a day's midnight or the next one is no instant at all: computing the day's bounds would throw.
    /// </summary>
    public const string FirstDay = "2000-01-01", LastDay = "2999-12-31";

    /// <summary>The instants a time may name: from the first day's start up to (not including) the day after the last, UTC.</summary>
    public const string FirstInstant = FirstDay + "T00:00:00Z", EndInstant = "3000-01-01T00:00:00Z";

    public static readonly DateOnly First = DateOnly.ParseExact(FirstDay, "yyyy-MM-dd", CultureInfo.InvariantCulture),
        Last = DateOnly.ParseExact(LastDay, "yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static readonly DateTimeOffset Start = DateTimeOffset.Parse(FirstInstant, CultureInfo.InvariantCulture),
        End = DateTimeOffset.Parse(EndInstant, CultureInfo.InvariantCulture);

    /// <summary>Whether <paramref name="at"/> lies between <see cref="FirstInstant"/> and <see cref="EndInstant"/>.</summary>
    public static bool Holds(DateTimeOffset at) => at >= Start && at < End;

    /// <summary>The problem for a time outside them, naming <paramref name="field"/>.</summary>
    public static ProblemHttpResult OutOfRange(string field) => Problems.Invalid(field, $"A time lies from {FirstInstant} up to {EndInstant}.");

    /// <summary>Reads the day; a problem naming <c>date</c> when it is not YYYY-MM-DD, otherwise null.</summary>
    public static ProblemHttpResult? Read(string? date, TimeProvider time, TimeZoneInfo zone, out DateOnly day)
    {
        if (date is null)
        {
            day = MunicipalDay.Of(time.GetUtcNow(), zone);
            return null;
        }
        if (!DateOnly.TryParseExact(date, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out day))
            return Problems.Invalid("date", "A date is YYYY-MM-DD.");
        return day < First || day > Last ? Problems.Invalid("date", $"A date lies between {First:yyyy-MM-dd} and {Last:yyyy-MM-dd}.") : null;
    }
}
