using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using System.Text.RegularExpressions;
using ContactRouter.Components;
using ContactRouter.Contracts;
using ContactRouter.Routing;
using ContactRouter.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ContactRouter.Web;

/// <summary>
/// Agents: an administrator registers them with their skills; an agent sets their own presence and takes or refuses
/// what rings at their desk; a team lead sees every agent's state and may send one of their centre on break or
/// offline. Only the agent themselves sees the caller's customer view with an offer.
/// </summary>
public static partial class AgentsApi
{
    public static readonly string[] Presences = ["available", "break", "offline"];
    /// <summary>What a team lead may set for an agent of their centre: taking someone off the line, never putting them on it.</summary>
    public static readonly string[] TeamLeadPresences = ["break", "offline"];

    public static IEndpointRouteBuilder MapAgentsApi(this IEndpointRouteBuilder app)
    {
        // Besides what each endpoint names: 400/401/403/413/415/429 as the pipeline gives them (DeclaredAnswers).
        var agents = app.MapGroup("/api/agents").WithTags("Agents");
        agents.MapPut("/{agentId}", Register).RequireAuthorization(Policies.Admin).Accepts<PutAgentRequest>("application/json").Refusals(404, 409);
        agents.MapGet("", List).RequireAuthorization(Policies.TeamLeadOrAdmin);
        agents.MapGet("/{agentId}", Get).RequireAuthorization(Policies.AgentState).Refusals(404);
        agents.MapGet("/{agentId}/stream", Stream).RequireAuthorization(Policies.Agent).RequireRateLimiting(SecuritySetup.StreamLimit)
            .Produces(200, contentType: "text/event-stream").Refusals(404);
        agents.MapPost("/{agentId}/status", SetStatus).RequireAuthorization(Policies.AgentOrTeamLead).Accepts<AgentStatusRequest>("application/json")
            .Refusals(404, 409);
        agents.MapPost("/{agentId}/accept", ([RegularExpression(AgentIdPattern)] string agentId, HttpContext http, CentreClient centres) => OfferAction(agentId, http, centres, accept: true))
            .RequireAuthorization(Policies.Agent).Accepts<OfferActionRequest>("application/json").Refusals(404, 409);
        agents.MapPost("/{agentId}/reject", ([RegularExpression(AgentIdPattern)] string agentId, HttpContext http, CentreClient centres) => OfferAction(agentId, http, centres, accept: false))
            .RequireAuthorization(Policies.Agent).Accepts<OfferActionRequest>("application/json").Refusals(404, 409);
        return app;
    }

    private static async Task<Results<Ok<AgentView>, Accepted<CommandView>, ProblemHttpResult>> Register(
        [RegularExpression(AgentIdPattern)] string agentId, HttpRequest request, ClaimsPrincipal user, RouterDbContext db, CentreClient centres, IServiceProvider sp)
    {
        if (!AgentIdFormat().IsMatch(agentId)) return Problems.Invalid("agentId", "An agent id is 1–64 letters, digits, '.', '_' or '-'.");
        var (body, problem) = await JsonBody.Read<PutAgentRequest>(request);
        if (problem is not null) return problem;
        if (string.IsNullOrWhiteSpace(body!.Name)) return Problems.Invalid("name", "The agent's name is required.");
        if (body.Name.Length > Limits.Name) return Problems.Invalid("name", $"A name is at most {Limits.Name} characters.");
        var centre = body.Centre?.Trim().ToLowerInvariant();
        if (centre is null) return Problems.Invalid("centre", "The agent's home centre is required.");
        if (!CentreCatalog.IsKnown(centre)) return Answers.UnknownCentre("centre", centre);
        if (body.Skills is null || body.Skills.Count == 0) return Problems.Invalid("skills", "Give a skill level 1–5 per centre, at least for the home centre.");
        foreach (var (skillCentre, level) in body.Skills)
        {
            if (!CentreCatalog.IsKnown(skillCentre)) return Answers.UnknownCentre($"skills.{AccessLog.Clip(skillCentre, 40)}", skillCentre);
            if (level is < RoutingOptions.MinSkill or > RoutingOptions.MaxSkill)
                return Problems.Invalid($"skills.{skillCentre}", $"A skill level is {RoutingOptions.MinSkill}–{RoutingOptions.MaxSkill}; {level} is not.");
        }
        if (!body.Skills.ContainsKey(centre)) return Problems.Invalid($"skills.{centre}", $"An agent of {centre} needs a skill level for {centre}.");

        var existing = await db.Agents.AsNoTracking().FirstOrDefaultAsync(a => a.Id == agentId);
        if (existing is not null && existing.HomeCentre != centre)
            return Problems.Conflict("centre", $"Agent {agentId} belongs to {existing.HomeCentre}; a home centre does not change. Register a new agent id for {centre}.");

        return await centres.Ask(new RegisterAgent { Centre = centre, AgentId = agentId, Name = body.Name.Trim(), Skills = body.Skills },
            user, () => Result(sp, agentId, reader: null));
    }

    /// <summary>Who works where, and in which state, optionally of one centre.</summary>
    private static async Task<Results<Ok<List<AgentSummaryView>>, ProblemHttpResult>> List([OneOf(typeof(CentreCatalog), nameof(CentreCatalog.All))] string? centre, RouterDbContext db, TimeProvider time)
    {
        if (centre is not null && !CentreCatalog.IsKnown(centre)) return Answers.UnknownCentre("centre", centre);
        var now = time.GetUtcNow();
        var agents = await db.Agents.AsNoTracking().Where(a => centre == null || a.HomeCentre == centre).ToListAsync();
        return TypedResults.Ok(agents.OrderBy(a => a.Name, StringComparer.CurrentCultureIgnoreCase).ThenBy(a => a.Id)
            .Select(a => new AgentSummaryView(a.Id, a.Name, a.HomeCentre, ContactView.Lower(a.StatusAt(now)))).ToList());
    }

    /// <summary>An agent sees themselves with the caller's customer view; a team lead or administrator any agent, without it.</summary>
    private static async Task<Results<Ok<AgentView>, ProblemHttpResult>> Get([RegularExpression(AgentIdPattern)] string agentId, ClaimsPrincipal user, IServiceProvider sp)
    {
        if (user.IsInRole(StaffRoles.Agent) && !user.IsInRole(StaffRoles.TeamLead) && !user.IsInRole(StaffRoles.Admin) && !user.IsAgent(agentId))
            return Answers.NotYourAgent(agentId);
        return await Result(sp, agentId, user.IsAgent(agentId) ? user : null);
    }

    /// <summary>
    /// The agent's own console feed: the agent view (status, ringing offer with customer view, wrap-up end) as
    /// server-sent events whenever it changes.
    /// </summary>
    private static async Task<IResult> Stream([RegularExpression(AgentIdPattern)] string agentId, HttpContext http, RouterDbContext db, ConsolePresence presence)
    {
        if (!http.User.IsAgent(agentId)) return Answers.NotYourAgent(agentId);
        // The one read when the console opens: whether the agent exists, and whether their centre has them away.
        if (await db.Agents.AsNoTracking().Where(a => a.Id == agentId).Select(a => new { a.HomeCentre, a.Unreachable }).FirstOrDefaultAsync() is not { } agent)
            return Answers.UnknownAgent(agentId);
        var reader = http.User;
        // Only the agent opens this topic, so the first console's reader stands for all of them (and is the one logged).
        return EventStream.Send(http, ConsoleFeed.AgentTopic(agentId), "agent", async sp => await Read(sp, agentId, reader),
            presence.Opened(agentId, agent.HomeCentre, away: agent.Unreachable));
    }

    private static async Task<Results<Ok<AgentView>, Accepted<CommandView>, ProblemHttpResult>> SetStatus([RegularExpression(AgentIdPattern)] string agentId, HttpRequest request, ClaimsPrincipal user, RouterDbContext db, CentreClient centres, IServiceProvider sp)
    {
        // Who may act comes before what they asked: another agent learns nothing from a validation answer.
        if (!user.IsAgent(agentId) && !user.IsInRole(StaffRoles.TeamLead)) return Answers.NotYourAgent(agentId);
        var (body, problem) = await JsonBody.Read<AgentStatusRequest>(request);
        if (problem is not null) return problem;
        if (body!.Status is null || !Presences.Contains(body.Status)) return Problems.Invalid("status", $"Status must be one of {string.Join(", ", Presences)}.");
        var agent = await db.Agents.AsNoTracking().FirstOrDefaultAsync(a => a.Id == agentId);
        if (!user.IsAgent(agentId))
        {
            if (agent is not null && agent.HomeCentre != user.Centre())
                return Problems.Forbidden("agentId", $"Agent {agentId} works at {agent.HomeCentre}; you steer {user.Centre() ?? "no centre"}.", "not-your-centre");
            if (!TeamLeadPresences.Contains(body.Status))
                return Problems.Forbidden("status", "A team lead may set an agent on break or offline; only the agent makes themselves available.", "agent-only");
        }
        if (agent is null) return Answers.UnknownAgent(agentId);
        return await centres.Ask(new SetAgentStatus { Centre = agent.HomeCentre, AgentId = agentId, Status = body.Status },
            user, () => Result(sp, agentId, user.IsAgent(agentId) ? user : null));
    }

    private static async Task<Results<Ok<AgentView>, Accepted<CommandView>, ProblemHttpResult>> OfferAction(string agentId, HttpContext http, CentreClient centres, bool accept)
    {
        if (!http.User.IsAgent(agentId)) return Answers.NotYourAgent(agentId);
        var (body, problem) = await JsonBody.Read<OfferActionRequest>(http.Request);
        if (problem is not null) return problem;
        if (string.IsNullOrWhiteSpace(body!.ContactId)) return Problems.Invalid("contactId", "Say which contact: contactId is required.");
        if (body.ContactId.Length > Limits.Id) return Problems.Invalid("contactId", $"A contact id is at most {Limits.Id} characters.");
        var sp = http.RequestServices;
        var agent = await sp.GetRequiredService<RouterDbContext>().Agents.AsNoTracking().FirstOrDefaultAsync(a => a.Id == agentId);
        if (agent is null) return Answers.UnknownAgent(agentId);
        return accept
            ? await centres.Ask(new AcceptOffer { Centre = agent.HomeCentre, AgentId = agentId, ContactId = body.ContactId },
                http.User, () => Result(sp, agentId, http.User))
            : await centres.Ask(new RejectOffer { Centre = agent.HomeCentre, AgentId = agentId, ContactId = body.ContactId },
                http.User, () => Result(sp, agentId, http.User));
    }

    private static async Task<Results<Ok<AgentView>, ProblemHttpResult>> Result(IServiceProvider sp, string agentId, ClaimsPrincipal? reader)
    {
        // A fresh scope: the request's context may have read the agent before the worker changed it.
        await using var scope = sp.CreateAsyncScope();
        return await Read(scope.ServiceProvider, agentId, reader) is { } view ? TypedResults.Ok(view) : Answers.UnknownAgent(agentId);
    }

    /// <param name="reader">The agent themselves, who sees (and is logged reading) the caller's customer view; null for anyone else.</param>
    private static async Task<AgentView?> Read(IServiceProvider sp, string agentId, ClaimsPrincipal? reader)
    {
        var db = sp.GetRequiredService<RouterDbContext>();
        var time = sp.GetRequiredService<TimeProvider>();
        var now = time.GetUtcNow();
        var agent = await db.Agents.AsNoTracking().FirstOrDefaultAsync(a => a.Id == agentId);
        if (agent is null) return null;
        var offer = agent.OfferedContactId is { } offeredId ? await ReadCard(db, time, reader, offeredId, agent.OfferExpiresAt) : null;
        // While connected the agent still needs to see who it is and what was asked, also after reloading the page.
        var connected = agent.ConnectedContactId is { } connectedId ? await ReadCard(db, time, reader, connectedId, expiresAt: null) : null;
        var status = agent.StatusAt(now);
        // A break asked for during a call starts after it: the console says it is pending.
        var breakPending = agent.OnBreak && status is AgentStatus.Offered or AgentStatus.Busy or AgentStatus.WrapUp;
        return new AgentView(agent.Id, agent.Name, agent.HomeCentre, agent.Skills, ContactView.Lower(status),
            offer, agent.ConnectedContactId, connected, agent.WrapUpUntil > now ? agent.WrapUpUntil : null, breakPending);
    }

    /// <summary>A contact as the agent sees it: who calls, from where, with the caller's customer view and a callback's question.</summary>
    private static async Task<OfferView?> ReadCard(RouterDbContext db, TimeProvider time, ClaimsPrincipal? reader, string contactId, DateTimeOffset? expiresAt)
    {
        if (await db.Contacts.AsNoTracking().FirstOrDefaultAsync(c => c.Id == contactId) is not { } c) return null;
        if (reader is null)
            return new OfferView(c.Id, c.HomeCentre, c.Centre, c.Channel, Caller: null, c.Topic, c.Priority, c.QueuedAt, c.OfferedAt,
                expiresAt, c.Overflowed, Customer: null, Callback: null);
        var customer = await CustomerApi.Read(db, c.Caller, take: CustomerApi.OfferSummarySize, exceptContactId: c.Id, openCallbacksOnly: true);
        // The console asks again and again while it rings: one access-log line per agent and contact.
        if (customer is not null)
            await CustomerApi.LogAccess(db, c.Caller, reader, $"contact {c.Id}", time, once: true);
        // A callback offer shows the question to call back about.
        var callback = c.Channel == CallbackScheduler.Channel
            ? await db.Callbacks.AsNoTracking().FirstOrDefaultAsync(x => x.CurrentContactId == c.Id)
            : null;
        return new OfferView(c.Id, c.HomeCentre, c.Centre, c.Channel, c.Caller, c.Topic, c.Priority, c.QueuedAt, c.OfferedAt,
            expiresAt, c.Overflowed, customer, callback is null ? null : CallbackView.Of(callback));
    }

    public const string AgentIdPattern = @"^[A-Za-z0-9._-]{1,64}\z";

    [GeneratedRegex(AgentIdPattern)]
    public static partial Regex AgentIdFormat();
}
