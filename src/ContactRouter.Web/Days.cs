using System.Globalization;
using ContactRouter.Routing;
using Microsoft.AspNetCore.Http;

namespace ContactRouter.Web;

/// <summary>The <c>date</c> query parameter of the day views (report, callback list): YYYY-MM-DD, or today when absent.</summary>
internal static class Days
{
    /// <summary>Reads the day; a problem naming <c>date</c> when it is not YYYY-MM-DD, otherwise null.</summary>
    public static IResult? Read(string? date, TimeProvider time, TimeZoneInfo zone, out DateOnly day)
    {
        if (date is null)
        {
            day = MunicipalDay.Of(time.GetUtcNow(), zone);
            return null;
        }
        return DateOnly.TryParseExact(date, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out day)
            ? null
            : Problems.Invalid("date", "A date is YYYY-MM-DD.");
    }
}
