using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
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

/// <summary>
/// The team lead's people and queue: who works at their centre, in which state since when, with whose caller, and who
/// waits there with which priority and whether they may overflow. Only for the centre the team lead steers: names and
/// contacts of another centre are that centre's business. No caller's number: the list is not a customer view.
/// </summary>
public static class PeopleApi
{
    public static string Topic(string centre) => "people:" + centre;

    public static IEndpointRouteBuilder MapPeopleApi(this IEndpointRouteBuilder app)
    {
        var people = app.MapGroup("/api/centres/{centre}/people").WithTags("Centres").RequireAuthorization(Policies.TeamLead);
        people.MapGet("", Get).Refusals(403, 404);
        people.MapGet("/stream", Stream).RequireRateLimiting(SecuritySetup.StreamLimit).Produces(200, contentType: "text/event-stream").Refusals(403, 404);
        return app;
    }

    private static async Task<Results<Ok<PeopleView>, ProblemHttpResult>> Get([OneOf(typeof(CentreCatalog), nameof(CentreCatalog.All))] string centre, ClaimsPrincipal user, IServiceProvider sp)
    {
        if (Refusal(centre, user) is { } refusal) return refusal;
        return TypedResults.Ok(await Read(sp, centre));
    }

    /// <summary>The same as server-sent events, read once per change for all team leads of the centre.</summary>
    private static IResult Stream([OneOf(typeof(CentreCatalog), nameof(CentreCatalog.All))] string centre, HttpContext http)
    {
        if (Refusal(centre, http.User) is { } refusal) return refusal;
        return EventStream.Send(http, Topic(centre), "people", async sp => await Read(sp, centre));
    }

    private static ProblemHttpResult? Refusal(string centre, ClaimsPrincipal user)
    {
        // A path that names no centre names no resource: 404, as for an unknown contact or agent.
        if (!CentreCatalog.IsKnown(centre)) return Problems.NotFound("centre", $"No centre {AccessLog.Clip(centre, 40)}; known centres are {string.Join(", ", CentreCatalog.All)}.");
        return user.Centre() == centre ? null
            : Problems.Forbidden("centre", $"You steer {user.Centre() ?? "no centre"}, not {AccessLog.Clip(centre, 40)}.", "centre-not-yours");
    }

    public static async Task<PeopleView> Read(IServiceProvider sp, string centre)
    {
        var db = sp.GetRequiredService<RouterDbContext>();
        var now = sp.GetRequiredService<TimeProvider>().GetUtcNow();
        var routing = sp.GetRequiredService<IOptions<RoutingOptions>>().Value;
        var overflow = sp.GetRequiredService<IOptions<OverflowOptions>>().Value;
        var agents = await db.Agents.AsNoTracking().Where(a => a.HomeCentre == centre).ToListAsync();
        var contactIds = agents.Select(a => a.OfferedContactId ?? a.ConnectedContactId).OfType<string>().ToList();
        // The centre's waiting callers and the contacts its agents hold (an overflowed one lives at this centre too).
        var contacts = await db.Contacts.AsNoTracking()
            .Where(c => (c.Centre == centre && (c.Status == ContactStatus.Queued || c.Status == ContactStatus.Offered)) || contactIds.Contains(c.Id))
            .ToListAsync();
        var byId = contacts.ToDictionary(c => c.Id);

        var rows = agents.Select(a =>
        {
            var status = a.StatusAt(now);
            var contact = (a.OfferedContactId ?? a.ConnectedContactId) is { } id ? byId.GetValueOrDefault(id) : null;
            return new AgentRowView(a.Id, a.Name, ContactView.Lower(status), Since(a, status, contact, routing),
                contact?.Id, contact?.HomeCentre, contact?.QueuedAt, contact?.AnsweredAt);
        }).OrderBy(r => r.Name, StringComparer.CurrentCultureIgnoreCase).ThenBy(r => r.AgentId).ToList();

        var neighbours = overflow.NeighboursOf(centre);
        var waiting = contacts.Where(c => c.Centre == centre && c.IsWaiting)
            .OrderByDescending(c => c.EffectivePriority(now, routing.AgingPointsPerMinute)).ThenBy(c => c.QueuedAt)
            .Select(c =>
            {
                // Overflow eligibility as the overflow router sees it: hops left and a neighbour; from its threshold on.
                var eligible = overflow.Enabled && c.Hops < overflow.MaxHops && neighbours.Count > 0;
                return new WaitingCallerView(c.Id, c.HomeCentre, c.Channel, c.Priority, ContactView.Lower(c.Status), c.QueuedAt, c.Hops,
                    eligible, eligible ? c.QueuedAt + overflow.ThresholdFor(c.HomeCentre, c.Priority) : null);
            }).ToList();
        return new PeopleView(centre, rows, waiting, neighbours);
    }

    /// <summary>
    /// Since when the agent is in the state: kept by the centre with each status it reports. A state the centre has not
    /// reported yet (a wrap-up that just ended) or an agent saved before it was kept falls back on the contact's and the
    /// agent's own times; a break, offline or away of such an agent has none.
    /// </summary>
    private static DateTimeOffset? Since(Agent agent, AgentStatus status, Contact? contact, RoutingOptions routing) =>
        status == agent.ReportedStatus && agent.StatusSince is { } since ? since : status switch
    {
        AgentStatus.Offered => contact?.OfferedAt,
        AgentStatus.Busy => contact?.AnsweredAt,
        AgentStatus.WrapUp => agent.WrapUpUntil - routing.WrapUp,
        AgentStatus.Available => agent.WrapUpUntil > agent.IdleSince ? agent.WrapUpUntil : agent.IdleSince,
        _ => null,
    };
}

/// <param name="ContactCentre">The home centre of the caller the agent holds (a neighbour's when they overflowed).</param>
public sealed record AgentRowView(string AgentId, string Name, string Status, DateTimeOffset? Since,
    string? ContactId, string? ContactCentre, DateTimeOffset? ContactQueuedAt, DateTimeOffset? ContactAnsweredAt);

/// <param name="OverflowFrom">When the overflow router may move the caller to a neighbour; null when it never may.</param>
public sealed record WaitingCallerView(string ContactId, string HomeCentre, string Channel, int Priority, string Status,
    DateTimeOffset QueuedAt, int Hops, bool OverflowEligible, DateTimeOffset? OverflowFrom);

public sealed record PeopleView(string Centre, IReadOnlyList<AgentRowView> Agents, IReadOnlyList<WaitingCallerView> Waiting,
    IReadOnlyList<string> Neighbours);
