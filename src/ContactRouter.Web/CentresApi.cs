using System.ComponentModel.DataAnnotations;
using ContactRouter.Routing;
using ContactRouter.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ContactRouter.Web;

/// <summary>The team lead's view of every centre: the rows now, live, and the last hours.</summary>
public static class CentresApi
{
    /// <summary>How far the chart looks back, in hours.</summary>
    public const int MaxHistoryHours = 24;

    /// <summary>The chart's intervals: whole divisions of an hour, so intervals start on the clock (09:00, 09:15, ...).</summary>
    public static readonly int[] IntervalMinutes = [5, 10, 15, 20, 30, 60];

    public static IEndpointRouteBuilder MapCentresApi(this IEndpointRouteBuilder app)
    {
        var centres = app.MapGroup("/api/centres").WithTags("Centres").RequireAuthorization(Policies.TeamLead);
        centres.MapGet("/stream", Stream).RequireRateLimiting(SecuritySetup.StreamLimit).Produces(200, contentType: "text/event-stream");
        centres.MapGet("/history", GetHistory);
        centres.MapGet("", GetCentres);
        centres.MapGet("/municipality", GetMunicipality);
        return app;
    }

    private static async Task<Ok<IReadOnlyList<CentreView>>> GetCentres(RouterDbContext db, TimeProvider time, IOptions<RoutingOptions> routing) =>
        TypedResults.Ok((await ReadCentres(db, time, routing.Value)).Centres);

    /// <summary>The four centres' day added up: the municipality's service level and abandoned share.</summary>
    private static async Task<Ok<MunicipalityView>> GetMunicipality(RouterDbContext db, TimeProvider time, IOptions<RoutingOptions> routing)
    {
        var now = time.GetUtcNow();
        var day = MunicipalDay.Of(now, TimeZoneInfo.FindSystemTimeZoneById(routing.Value.TimeZone));
        var days = await db.Statistics.AsNoTracking().Where(s => s.Day == day).ToListAsync();
        var waiting = await db.Contacts.AsNoTracking().CountAsync(c => c.Status == ContactStatus.Queued || c.Status == ContactStatus.Offered);
        return TypedResults.Ok(Municipality(day, days, waiting, routing.Value));
    }

    /// <summary>The municipality's row from the centres' counters of <paramref name="day"/> (the endpoint and the stream alike).</summary>
    private static MunicipalityView Municipality(DateOnly day, IEnumerable<DailyStatistics> days, int waiting, RoutingOptions r)
    {
        var sum = DailyStatistics.Sum("municipality", day, days.Where(d => CentreCatalog.IsKnown(d.Centre)));
        return new MunicipalityView(day, waiting, sum.Offered, sum.Answered, sum.AnsweredWithinTarget, sum.Abandoned,
            sum.AbandonedAfterGrace, sum.ServiceLevel, r.ServiceLevelTarget.TotalSeconds, r.ServiceLevelGoal, r.ServiceLevelColour(sum.ServiceLevel),
            sum.AbandonedShare, r.AbandonedGoal, sum.AverageSpeedOfAnswerSeconds);
    }

    /// <summary>
    /// The team lead's chart: per centre, contacts waiting and the service level of each <paramref name="minutes"/>-minute
    /// interval over the last <paramref name="hours"/> hours, the current interval last.
    /// </summary>
    private static async Task<Results<Ok<List<CentreHistoryView>>, ProblemHttpResult>> GetHistory(
        [Range(1, MaxHistoryHours)] int? hours, [OneOf(typeof(CentresApi), nameof(IntervalMinutes))] int? minutes, RouterDbContext db, TimeProvider time, IOptions<RoutingOptions> routing)
    {
        var span = hours ?? 4;
        if (span is < 1 or > MaxHistoryHours) return Problems.Invalid("hours", $"Look back 1–{MaxHistoryHours} hours.");
        var step = minutes ?? 15;
        if (!IntervalMinutes.Contains(step)) return Problems.Invalid("minutes", $"An interval is {string.Join(", ", IntervalMinutes)} minutes.");
        var interval = TimeSpan.FromMinutes(step);
        var now = time.GetUtcNow();
        // Intervals on the clock (09:00, 09:15, ...), the last one holding now.
        var to = new DateTimeOffset((now.UtcTicks / interval.Ticks + 1) * interval.Ticks, TimeSpan.Zero);
        var from = to - TimeSpan.FromHours(span);
        var contacts = await db.Contacts.AsNoTracking()
            .Where(c => c.QueuedAt <= to && ((c.AnsweredAt == null && c.AbandonedAt == null) || c.AnsweredAt > from || c.AbandonedAt > from))
            .Select(c => new { c.Centre, c.QueuedAt, c.AnsweredAt, c.AbandonedAt })
            .ToListAsync();
        var target = routing.Value.ServiceLevelTarget;
        return TypedResults.Ok(CentreCatalog.All.Select(id => new CentreHistoryView(id, CentreCatalog.DisplayNames[id], step,
            LoadHistory.Of(contacts.Where(c => c.Centre == id).Select(c => new ContactTimes(c.QueuedAt, c.AnsweredAt, c.AbandonedAt)),
                from, to, interval, target).Select(LoadPointView.Of).ToList())).ToList());
    }

    /// <summary>
    /// The same rows as server-sent events, pushed whenever a centre's event says they changed (one read for all team
    /// leads), with the municipality's row beside them: the dashboard's "one face" comes from the same read as its tiles,
    /// so the two can never show different moments.
    /// </summary>
    private static IResult Stream(HttpContext http, IOptions<RoutingOptions> routing) =>
        EventStream.Send(http, ConsoleFeed.Centres, "centres",
            async sp => await ReadCentres(sp.GetRequiredService<RouterDbContext>(), sp.GetRequiredService<TimeProvider>(), routing.Value));

    private static async Task<CentresLiveView> ReadCentres(RouterDbContext db, TimeProvider time, RoutingOptions routing)
    {
        var now = time.GetUtcNow();
        var zone = TimeZoneInfo.FindSystemTimeZoneById(routing.TimeZone);
        var today = MunicipalDay.Of(now, zone);
        var waiting = await db.Contacts.AsNoTracking()
            .Where(c => c.Status == ContactStatus.Queued || c.Status == ContactStatus.Offered)
            .GroupBy(c => c.Centre)
            .Select(g => new { Centre = g.Key, Count = g.Count(), Oldest = g.Min(c => c.QueuedAt) })
            .ToDictionaryAsync(g => g.Centre);
        var agents = await db.Agents.AsNoTracking().ToListAsync();
        var stats = await db.Statistics.AsNoTracking().Where(s => s.Day == today).ToDictionaryAsync(s => s.Centre);
        var callbacks = await db.Callbacks.AsNoTracking()
            .Where(c => CallbackStatus.Open.Contains(c.Status) || c.Status == CallbackStatus.Failed)
            .Select(c => new { c.Centre, c.Status, AtRisk = c.AtRiskSince != null })
            .ToListAsync();

        var rows = CentreCatalog.All.Select(id =>
        {
            var statuses = agents.Where(a => a.HomeCentre == id).Select(a => a.StatusAt(now)).ToList();
            int Count(AgentStatus s) => statuses.Count(x => x == s);
            var day = stats.GetValueOrDefault(id) ?? new DailyStatistics { Centre = id, Day = today };
            var queue = waiting.GetValueOrDefault(id);
            return new CentreView(
                id, CentreCatalog.DisplayNames[id], queue?.Count ?? 0, queue is null ? 0 : Math.Max(0, (now - queue.Oldest).TotalSeconds),
                new AgentCounts(Count(AgentStatus.Available), Count(AgentStatus.Busy), Count(AgentStatus.WrapUp), Count(AgentStatus.Break),
                    Count(AgentStatus.Offered), Count(AgentStatus.NotResponding), Count(AgentStatus.Offline), Count(AgentStatus.Away)),
                day.Offered, day.Answered, day.Abandoned, day.ServiceLevel, routing.ServiceLevelTarget.TotalSeconds,
                routing.ServiceLevelGoal, routing.ServiceLevelColour(day.ServiceLevel),
                day.AbandonedShare, routing.AbandonedGoal,
                day.AverageSpeedOfAnswerSeconds, day.OverflowIn, day.OverflowOut,
                callbacks.Count(c => c.Centre == id && CallbackStatus.Open.Contains(c.Status)),
                callbacks.Count(c => c.Centre == id && CallbackStatus.Open.Contains(c.Status) && c.AtRisk),
                callbacks.Count(c => c.Centre == id && c.Status == CallbackStatus.Failed),
                day.Arrived, day.AnsweredWithinTarget, day.AbandonedAfterGrace);
        }).ToList();
        return new CentresLiveView(rows, Municipality(today, stats.Values, rows.Sum(r => r.Waiting), routing));
    }
}
