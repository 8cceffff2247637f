using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Text;
using ContactRouter.Routing;
using ContactRouter.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ContactRouter.Web;

/// <summary>Team leads look back over a day: every contact of a day as CSV, for Excel.</summary>
public static class ReportApi
{
    // Dutch Excel splits on ';' (the comma is the decimal separator there), and reads UTF-8 only with a BOM.
    private const char Separator = ';';

    private static readonly string[] Columns =
    [
        "contactId", "homeCentre", "centre", "channel", "topic", "priority", "status", "queuedAt", "answeredAt", "completedAt",
        "abandonedAt", "waitedSeconds", "agentId", "outcome", "overflowed", "hops",
    ];

    public static IEndpointRouteBuilder MapReportApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/reports/contacts.csv", ContactsCsv).WithTags("Reports").RequireAuthorization(Policies.TeamLead)
            .Produces(200, contentType: "text/csv");
        return app;
    }

    /// <summary>
    /// One row per contact that arrived on <paramref name="date"/> (the municipality's day), at or for
    /// <paramref name="centre"/> when given. No caller number, summary or BSN: a report leaves the system.
    /// </summary>
    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> ContactsCsv(
        [Range(typeof(DateOnly), Days.FirstDay, Days.LastDay, ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true)] string? date,
        [OneOf(typeof(CentreCatalog), nameof(CentreCatalog.All))] string? centre,
        RouterDbContext db, TimeProvider time, IOptions<RoutingOptions> routing)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(routing.Value.TimeZone);
        if (Days.Read(string.IsNullOrEmpty(date) ? null : date, time, zone, out var day) is { } badDate) return badDate;
        if (centre is not null && !CentreCatalog.IsKnown(centre)) return Answers.UnknownCentre("centre", centre);

        var (start, end) = MunicipalDay.Bounds(day, zone);
        var query = db.Contacts.AsNoTracking().Where(c => c.QueuedAt >= start && c.QueuedAt < end);
        if (centre is not null) query = query.Where(c => c.Centre == centre || c.HomeCentre == centre);
        var contacts = await query.OrderBy(c => c.QueuedAt).ToListAsync();

        var now = time.GetUtcNow();
        var csv = new StringBuilder();
        csv.AppendJoin(Separator, Columns).Append("\r\n");
        foreach (var c in contacts)
        {
            string?[] row =
            [
                c.Id, c.HomeCentre, c.Centre, c.Channel, c.Topic, c.Priority.ToString(CultureInfo.InvariantCulture),
                ContactView.Lower(c.Status), Time(c.QueuedAt), Time(c.AnsweredAt), Time(c.CompletedAt), Time(c.AbandonedAt),
                c.WaitedAt(now).TotalSeconds.ToString("0", CultureInfo.InvariantCulture), c.AgentId, c.Outcome,
                c.Overflowed ? "true" : "false", c.Hops.ToString(CultureInfo.InvariantCulture),
            ];
            csv.AppendJoin(Separator, row.Select(Field)).Append("\r\n");
        }
        var name = $"contacts-{day:yyyy-MM-dd}{(centre is null ? "" : "-" + centre)}.csv";
        return TypedResults.File(Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(csv.ToString())).ToArray(), "text/csv; charset=utf-8", name);
    }

    private static string? Time(DateTimeOffset? at) => at?.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    /// <summary>RFC 4180 quoting, so a topic with the separator, a quote or a line break stays one field.</summary>
    private static string Field(string? value) =>
        value is null ? "" : value.IndexOfAny([Separator, '"', '\r', '\n']) < 0 ? value : $"\"{value.Replace("\"", "\"\"")}\"";
}
