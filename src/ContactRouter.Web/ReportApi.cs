using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Text;
using ContactRouter.Routing;
using ContactRouter.Store;
using CsvHelper;
using CsvHelper.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ContactRouter.Web;

/// <summary>
/// Team leads look back over a day: every contact of a day as CSV, for Excel. One row per contact, with the centre it
/// first arrived at and the centre that answered it, so the day's counts of every centre and of the municipality can be
/// added up from the rows the same way the dashboard and <c>GET /api/centres</c> count them (README, "The day's numbers").
/// </summary>
public static class ReportApi
{
    /// <summary>
    /// Column names: <c>nl</c> (default) gives Dutch names and values in the municipality's time for Excel;
    /// <c>keys</c> gives stable English keys, ids and ISO 8601 times (with the municipality's offset) for scripts.
    /// </summary>
    public static readonly string[] ColumnSets = ["nl", "keys"];

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
        [OneOf(typeof(ReportApi), nameof(ColumnSets))] string? columns,
        RouterDbContext db, TimeProvider time, IOptions<RoutingOptions> routing)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(routing.Value.TimeZone);
        if (Days.Read(string.IsNullOrEmpty(date) ? null : date, time, zone, out var day) is { } badDate) return badDate;
        if (centre is not null && !CentreCatalog.IsKnown(centre)) return Answers.UnknownCentre("centre", centre);
        if (columns is not null && !ColumnSets.Contains(columns))
            return Problems.Invalid("columns", $"columns is one of {string.Join(", ", ColumnSets)}.");
        var dutch = columns is null or "nl";

        var (start, end) = MunicipalDay.Bounds(day, zone);
        var query = db.Contacts.AsNoTracking().Where(c => c.QueuedAt >= start && c.QueuedAt < end);
        if (centre is not null) query = query.Where(c => c.Centre == centre || c.HomeCentre == centre);
        var contacts = await query.OrderBy(c => c.QueuedAt).ToListAsync();

        var now = time.GetUtcNow();
        var values = dutch ? ReportValues.Dutch(zone) : ReportValues.Keys(zone);
        var rows = contacts.Select(c => ContactRow.Of(c, now, routing.Value, values));

        await using var text = new StringWriter(CultureInfo.InvariantCulture);
        // Dutch Excel splits on ';' (the comma is the decimal separator there), and reads UTF-8 only with a BOM.
        await using (var csv = new CsvWriter(text, new CsvConfiguration(CultureInfo.InvariantCulture) { Delimiter = ";", NewLine = "\r\n" }))
        {
            csv.Context.RegisterClassMap(new ContactRowMap(dutch));
            await csv.WriteRecordsAsync(rows);
        }
        var name = $"contacts-{day:yyyy-MM-dd}{(centre is null ? "" : "-" + centre)}{(dutch ? "" : "-keys")}.csv";
        return TypedResults.File(Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(text.ToString())).ToArray(), "text/csv; charset=utf-8", name);
    }
}

/// <summary>A contact as one row of the day's report, every value already in the words of the chosen column set.</summary>
public sealed record ContactRow(
    string ContactId, string HomeCentre, string Centre, string AnsweringCentre, string Channel, string Topic, int Priority,
    string Status, string QueuedAt, string AnsweredAt, string CompletedAt, string AbandonedAt, long WaitedSeconds,
    string AnsweredWithinTarget, string AbandonedAfterGrace, string AgentId, string Outcome, string Overflowed, int Hops)
{
    public static ContactRow Of(Contact c, DateTimeOffset now, RoutingOptions routing, ReportValues v) => new(
        c.Id, v.Centre(c.HomeCentre), v.Centre(c.Centre), c.AnsweredAt is null ? "" : v.Centre(c.Centre), c.Channel, c.Topic ?? "",
        c.Priority, v.Status(c.Status), v.Time(c.QueuedAt), v.Time(c.AnsweredAt), v.Time(c.CompletedAt), v.Time(c.AbandonedAt),
        (long)Math.Round(c.WaitedAt(now).TotalSeconds),
        // Empty where the question does not apply, so a count of "ja" is the count the service level uses.
        c.AnsweredAt is { } answered ? v.YesNo(answered - c.QueuedAt <= routing.ServiceLevelTarget) : "",
        c.AbandonedAt is { } abandoned ? v.YesNo(abandoned - c.QueuedAt > routing.AbandonGrace) : "",
        c.AgentId ?? "", v.Outcome(c.Outcome), v.YesNo(c.Overflowed), c.Hops);
}

/// <summary>How the report says a value: in Dutch for people, or as stable keys for scripts.</summary>
public sealed record ReportValues(
    Func<string, string> Centre, Func<ContactStatus, string> Status, Func<string?, string> Outcome, Func<bool, string> YesNo,
    Func<DateTimeOffset?, string> Time)
{
    // The report's Dutch words; the consoles' live in wwwroot/js/text/nl.js and say the same.
    private static readonly Dictionary<ContactStatus, string> DutchStatus = new()
    {
        [ContactStatus.Queued] = "wacht", [ContactStatus.Offered] = "gaat over", [ContactStatus.Connected] = "in gesprek",
        [ContactStatus.Completed] = "afgerond", [ContactStatus.Abandoned] = "opgehangen",
    };

    private static readonly Dictionary<string, string> DutchOutcome = new()
    {
        ["resolved"] = "opgelost", ["transferred"] = "doorverbonden", ["callback"] = "terugbelafspraak nodig",
        ["reached"] = "bereikt", ["notreached"] = "niet bereikt",
    };

    public static ReportValues Dutch(TimeZoneInfo zone) => new(
        id => CentreCatalog.DisplayNames.GetValueOrDefault(id, id),
        s => DutchStatus[s],
        o => o is null ? "" : DutchOutcome.GetValueOrDefault(o, o),
        b => b ? "ja" : "nee",
        // Amsterdam's wall clock, as every screen shows it; Excel reads this as a date and time.
        at => at is { } t ? TimeZoneInfo.ConvertTime(t, zone).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) : "");

    public static ReportValues Keys(TimeZoneInfo zone) => new(
        id => id,
        s => ContactView.Lower(s),
        o => o ?? "",
        b => b ? "true" : "false",
        // Local time with its offset: the same wall clock, and unambiguous in the autumn's doubled hour.
        at => at is { } t ? TimeZoneInfo.ConvertTime(t, zone).ToString("yyyy-MM-ddTHH:mm:sszzz", CultureInfo.InvariantCulture) : "");
}

/// <summary>The report's columns, in order, under their Dutch names or their English keys.</summary>
public sealed class ContactRowMap : ClassMap<ContactRow>
{
    public ContactRowMap(bool dutch)
    {
        string Name(string key, string nl) => dutch ? nl : key;
        Map(r => r.ContactId).Name(Name("contactId", "Contact"));
        Map(r => r.HomeCentre).Name(Name("homeCentre", "Binnengekomen bij"));
        Map(r => r.Centre).Name(Name("centre", "Laatste centrum"));
        Map(r => r.AnsweringCentre).Name(Name("answeringCentre", "Beantwoord door"));
        Map(r => r.Channel).Name(Name("channel", "Kanaal"));
        Map(r => r.Topic).Name(Name("topic", "Onderwerp"));
        Map(r => r.Priority).Name(Name("priority", "Prioriteit"));
        Map(r => r.Status).Name(Name("status", "Status"));
        Map(r => r.QueuedAt).Name(Name("queuedAt", "Binnengekomen om"));
        Map(r => r.AnsweredAt).Name(Name("answeredAt", "Opgenomen om"));
        Map(r => r.CompletedAt).Name(Name("completedAt", "Afgerond om"));
        Map(r => r.AbandonedAt).Name(Name("abandonedAt", "Opgehangen om"));
        Map(r => r.WaitedSeconds).Name(Name("waitedSeconds", "Wachttijd (s)"));
        Map(r => r.AnsweredWithinTarget).Name(Name("answeredWithinTarget", "Binnen de norm opgenomen"));
        Map(r => r.AbandonedAfterGrace).Name(Name("abandonedAfterGrace", "Opgehangen na de marge"));
        Map(r => r.AgentId).Name(Name("agentId", "Medewerker"));
        Map(r => r.Outcome).Name(Name("outcome", "Uitkomst"));
        Map(r => r.Overflowed).Name(Name("overflowed", "Overgelopen"));
        Map(r => r.Hops).Name(Name("hops", "Keer verplaatst"));
    }
}
