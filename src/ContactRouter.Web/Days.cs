using System.Globalization;
using ContactRouter.Routing;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ContactRouter.Web;

/// <summary>The <c>date</c> query parameter of the day views (report, callback list): YYYY-MM-DD, or today when absent.</summary>
internal static class Days
{
    /// <summary>
    /// The days a date may name. Outside them a date is a typo (0001, 9999), and at the ends of DateTimeOffset's range
    /// a day's midnight or the next one is no instant at all: computing the day's bounds would throw.
    /// </summary>
    public static readonly DateOnly First = new(2000, 1, 1), Last = new(2999, 12, 31);

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
