using System.Text.RegularExpressions;
using ContactRouter.Components;
using ContactRouter.Contracts;
using ContactRouter.Routing;
using ContactRouter.Store;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ContactRouter.Web;

/// <summary>
/// The HTTP API of api-contract.md. Shape checks happen here and send nothing when they fail; rules that
/// depend on a centre's state (whose offer is it?) are the centre worker's, asked by request/response.
/// </summary>
public static partial class RouterApi
{
    public static readonly string[] Channels = ["phone", "chat", "email", "web"];
    public static readonly string[] Outcomes = ["resolved", "transferred", "callback"];
    public static readonly string[] CallbackOutcomes = ["reached", "notreached"];
    public static readonly string[] Presences = ["available", "break", "offline"];
    private const int MaxSummaryLength = 2000;

    public static IServiceCollection AddRouterApi(this IServiceCollection services)
    {
        services.AddProblemDetails(o => o.CustomizeProblemDetails = c =>
        {
            // Routing refuses a non-JSON body (415) before our handlers run; name the field there too.
            if (c.ProblemDetails.Status == StatusCodes.Status415UnsupportedMediaType && !c.ProblemDetails.Extensions.ContainsKey("field"))
            {
                const string detail = "Send a JSON body with Content-Type: application/json.";
                c.ProblemDetails.Detail ??= detail;
                c.ProblemDetails.Extensions["field"] = "body";
                c.ProblemDetails.Extensions["errors"] = new Dictionary<string, string[]> { ["body"] = [detail] };
            }
        });
        services.AddOpenApi();
        return services;
    }

    public static IEndpointRouteBuilder MapRouterApi(this IEndpointRouteBuilder app)
    {
        app.MapOpenApi();
        var contacts = app.MapGroup("/api/contacts").WithTags("Contacts");
        contacts.MapPost("", QueueContact).Accepts<QueueContactRequest>("application/json")
            .Produces<QueuedContactView>(StatusCodes.Status202Accepted).ProducesProblem(400).ProducesProblem(503);
        contacts.MapGet("/{contactId}", GetContact).Produces<ContactView>().ProducesProblem(404);
        contacts.MapPost("/{contactId}/abandon", AbandonContact).Produces<ContactView>().ProducesProblem(404).ProducesProblem(409);
        contacts.MapPost("/{contactId}/complete", CompleteContact).Accepts<CompleteContactRequest>("application/json")
            .Produces<ContactView>().ProducesProblem(400).ProducesProblem(404).ProducesProblem(409);

        var agents = app.MapGroup("/api/agents").WithTags("Agents");
        agents.MapPut("/{agentId}", PutAgent).Accepts<PutAgentRequest>("application/json").Produces<AgentView>().ProducesProblem(400).ProducesProblem(409);
        agents.MapGet("", ListAgents).Produces<IReadOnlyList<AgentSummaryView>>().ProducesProblem(400);
        agents.MapGet("/{agentId}", GetAgent).Produces<AgentView>().ProducesProblem(404);
        agents.MapGet("/{agentId}/stream", AgentStream).Produces(200, contentType: "text/event-stream").ProducesProblem(404);
        agents.MapPost("/{agentId}/status", SetStatus).Accepts<AgentStatusRequest>("application/json").Produces<AgentView>().ProducesProblem(400).ProducesProblem(404).ProducesProblem(409);
        agents.MapPost("/{agentId}/accept", (string agentId, HttpRequest request, IServiceProvider sp) =>
            OfferAction(agentId, request, sp, accept: true)).Accepts<OfferActionRequest>("application/json").Produces<AgentView>().ProducesProblem(404).ProducesProblem(409);
        agents.MapPost("/{agentId}/reject", (string agentId, HttpRequest request, IServiceProvider sp) =>
            OfferAction(agentId, request, sp, accept: false)).Accepts<OfferActionRequest>("application/json").Produces<AgentView>().ProducesProblem(404).ProducesProblem(409);

        app.MapCustomerApi();
        app.MapCallbackApi();
        app.MapReportApi();
        app.MapGet("/api/centres/stream", CentresStream).WithTags("Centres").Produces(200, contentType: "text/event-stream");
        app.MapGet("/api/centres/history", GetHistory).WithTags("Centres").Produces<IReadOnlyList<CentreHistoryView>>().ProducesProblem(400);
        app.MapGet("/api/centres", GetCentres).WithTags("Centres").Produces<IReadOnlyList<CentreView>>();
        return app;
    }

    // ---- Contacts ----

    private static async Task<IResult> QueueContact(HttpRequest request, ISendEndpointProvider sender, TimeProvider time, IOptions<HostingOptions> hosting)
    {
        var (body, problem) = await JsonBody.Read<QueueContactRequest>(request);
        if (problem is not null) return problem;

        var centre = body!.Centre?.Trim().ToLowerInvariant() ?? Topics.CentreFor(body.Topic);
        if (centre is null)
            return Problems.Invalid("centre", body.Topic is null
                ? "Give a centre, or a topic that belongs to one."
                : $"Topic '{body.Topic}' belongs to no centre; give a centre.");
        if (!CentreCatalog.IsKnown(centre)) return UnknownCentre("centre", centre);
        if (body.Channel is null || !Channels.Contains(body.Channel)) return Problems.Invalid("channel", $"Channel must be one of {string.Join(", ", Channels)}.");
        if (string.IsNullOrWhiteSpace(body.Caller)) return Problems.Invalid("caller", "The caller's phone number is required.");
        if (!PhoneNumber.TryNormalise(body.Caller, out var caller)) return Problems.Invalid("caller", $"'{body.Caller}' is not a phone number (E.164, e.g. +31612345678).");
        var priority = body.Priority ?? 0;
        if (priority is < RoutingOptions.MinPriority or > RoutingOptions.MaxPriority)
            return Problems.Invalid("priority", $"Priority must be {RoutingOptions.MinPriority}–{RoutingOptions.MaxPriority}.");

        var contactId = NewId.NextSequentialGuid().ToString("N");
        // Answered only after the broker confirmed the message: from here on the contact survives any restart.
        // A broker that does not confirm in time gets the caller a 503, never a 202 for a contact that may be lost.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(request.HttpContext.RequestAborted);
        timeout.CancelAfter(hosting.Value.CommandTimeout);
        try
        {
            var endpoint = await sender.GetSendEndpoint(CentreAddresses.For(centre));
            await endpoint.Send(new QueueContact
            {
                Centre = centre, ContactId = contactId, HomeCentre = centre, Channel = body.Channel, Caller = caller,
                Priority = priority, Topic = body.Topic, QueuedAt = time.GetUtcNow(),
            }, timeout.Token);
        }
        catch (OperationCanceledException) when (!request.HttpContext.RequestAborted.IsCancellationRequested)
        {
            return Problems.Field(StatusCodes.Status503ServiceUnavailable, "centre",
                $"The message bus did not confirm the contact within {hosting.Value.CommandTimeout.TotalSeconds:0} s; it was not accepted. Try again.");
        }
        return Results.Accepted($"/api/contacts/{contactId}", new QueuedContactView(contactId, centre, "queued"));
    }

    private static async Task<IResult> GetContact(string contactId, RouterDbContext db, TimeProvider time)
    {
        var contact = await db.Contacts.AsNoTracking().FirstOrDefaultAsync(c => c.Id == contactId);
        return contact is null ? UnknownContact(contactId) : Results.Ok(ContactView.Of(contact, time.GetUtcNow()));
    }

    private static async Task<IResult> AbandonContact(string contactId, RouterDbContext db, IServiceProvider sp)
    {
        var contact = await db.Contacts.AsNoTracking().FirstOrDefaultAsync(c => c.Id == contactId);
        if (contact is null) return UnknownContact(contactId);
        if (Finished(contact) is { } finished) return finished;
        return await Ask(sp, new Contracts.AbandonContact { Centre = contact.Centre, ContactId = contactId }, () => ContactResult(sp, contactId));
    }

    private static async Task<IResult> CompleteContact(string contactId, HttpRequest request, RouterDbContext db, IServiceProvider sp)
    {
        var (body, problem) = await JsonBody.Read<CompleteContactRequest>(request);
        if (problem is not null) return problem;
        if (body!.Summary is { Length: > MaxSummaryLength }) return Problems.Invalid("summary", $"A summary is at most {MaxSummaryLength} characters.");
        var contact = await db.Contacts.AsNoTracking().FirstOrDefaultAsync(c => c.Id == contactId);
        if (contact is null) return UnknownContact(contactId);
        // An outbound callback ends in reached or not reached; an inbound contact in how it was resolved.
        var outcomes = contact.Channel == CallbackScheduler.Channel ? CallbackOutcomes : Outcomes;
        if (body.Outcome is null || !outcomes.Contains(body.Outcome)) return Problems.Invalid("outcome", $"Outcome must be one of {string.Join(", ", outcomes)}.");
        if (Finished(contact) is { } finished) return finished;
        return await Ask(sp, new Contracts.CompleteContact { Centre = contact.Centre, ContactId = contactId, Outcome = body.Outcome, Summary = body.Summary?.Trim() },
            () => ContactResult(sp, contactId));
    }

    // ---- Agents ----

    private static async Task<IResult> PutAgent(string agentId, HttpRequest request, RouterDbContext db, IServiceProvider sp)
    {
        if (!AgentIdFormat().IsMatch(agentId)) return Problems.Invalid("agentId", "An agent id is 1–64 letters, digits, '.', '_' or '-'.");
        var (body, problem) = await JsonBody.Read<PutAgentRequest>(request);
        if (problem is not null) return problem;
        if (string.IsNullOrWhiteSpace(body!.Name)) return Problems.Invalid("name", "The agent's name is required.");
        if (body.Name.Length > 200) return Problems.Invalid("name", "A name is at most 200 characters.");
        var centre = body.Centre?.Trim().ToLowerInvariant();
        if (centre is null) return Problems.Invalid("centre", "The agent's home centre is required.");
        if (!CentreCatalog.IsKnown(centre)) return UnknownCentre("centre", centre);
        if (body.Skills is null || body.Skills.Count == 0) return Problems.Invalid("skills", "Give a skill level 1–5 per centre, at least for the home centre.");
        foreach (var (skillCentre, level) in body.Skills)
        {
            if (!CentreCatalog.IsKnown(skillCentre)) return UnknownCentre($"skills.{skillCentre}", skillCentre);
            if (level is < RoutingOptions.MinSkill or > RoutingOptions.MaxSkill)
                return Problems.Invalid($"skills.{skillCentre}", $"A skill level is {RoutingOptions.MinSkill}–{RoutingOptions.MaxSkill}; {level} is not.");
        }
        if (!body.Skills.ContainsKey(centre)) return Problems.Invalid($"skills.{centre}", $"An agent of {centre} needs a skill level for {centre}.");

        var existing = await db.Agents.AsNoTracking().FirstOrDefaultAsync(a => a.Id == agentId);
        if (existing is not null && existing.HomeCentre != centre)
            return Problems.Conflict("centre", $"Agent {agentId} belongs to {existing.HomeCentre}; a home centre does not change. Register a new agent id for {centre}.");

        return await Ask(sp, new RegisterAgent { Centre = centre, AgentId = agentId, Name = body.Name.Trim(), Skills = body.Skills },
            () => AgentResult(sp, agentId));
    }

    /// <summary>Who works where, and in which state: the agent console's "who are you" list, optionally of one centre.</summary>
    private static async Task<IResult> ListAgents(string? centre, RouterDbContext db, TimeProvider time)
    {
        if (centre is not null && !CentreCatalog.IsKnown(centre)) return UnknownCentre("centre", centre);
        var now = time.GetUtcNow();
        var agents = await db.Agents.AsNoTracking().Where(a => centre == null || a.HomeCentre == centre).ToListAsync();
        return Results.Ok(agents.OrderBy(a => a.Name, StringComparer.CurrentCultureIgnoreCase).ThenBy(a => a.Id)
            .Select(a => new AgentSummaryView(a.Id, a.Name, a.HomeCentre, ContactView.Lower(a.StatusAt(now)))).ToList());
    }

    private static async Task<IResult> GetAgent(string agentId, IServiceProvider sp) => await AgentResult(sp, agentId);

    private static async Task<IResult> SetStatus(string agentId, HttpRequest request, RouterDbContext db, IServiceProvider sp)
    {
        var (body, problem) = await JsonBody.Read<AgentStatusRequest>(request);
        if (problem is not null) return problem;
        if (body!.Status is null || !Presences.Contains(body.Status)) return Problems.Invalid("status", $"Status must be one of {string.Join(", ", Presences)}.");
        var agent = await db.Agents.AsNoTracking().FirstOrDefaultAsync(a => a.Id == agentId);
        if (agent is null) return UnknownAgent(agentId);
        return await Ask(sp, new SetAgentStatus { Centre = agent.HomeCentre, AgentId = agentId, Status = body.Status }, () => AgentResult(sp, agentId));
    }

    private static async Task<IResult> OfferAction(string agentId, HttpRequest request, IServiceProvider sp, bool accept)
    {
        var (body, problem) = await JsonBody.Read<OfferActionRequest>(request);
        if (problem is not null) return problem;
        if (string.IsNullOrWhiteSpace(body!.ContactId)) return Problems.Invalid("contactId", "Say which contact: contactId is required.");
        var db = sp.GetRequiredService<RouterDbContext>();
        var agent = await db.Agents.AsNoTracking().FirstOrDefaultAsync(a => a.Id == agentId);
        if (agent is null) return UnknownAgent(agentId);
        return accept
            ? await Ask(sp, new AcceptOffer { Centre = agent.HomeCentre, AgentId = agentId, ContactId = body.ContactId }, () => AgentResult(sp, agentId))
            : await Ask(sp, new RejectOffer { Centre = agent.HomeCentre, AgentId = agentId, ContactId = body.ContactId }, () => AgentResult(sp, agentId));
    }

    private static async Task<IResult> AgentResult(IServiceProvider sp, string agentId)
    {
        // A fresh scope: the request's context may have read the agent before the worker changed it.
        await using var scope = sp.CreateAsyncScope();
        return await ReadAgent(scope.ServiceProvider, agentId) is { } view ? Results.Ok(view) : UnknownAgent(agentId);
    }

    /// <summary>
    /// The agent's own console feed: the agent view (status, ringing offer with customer view, wrap-up end) as
    /// server-sent events whenever it changes.
    /// </summary>
    private static async Task AgentStream(string agentId, HttpContext http, RouterDbContext db)
    {
        if (!await db.Agents.AsNoTracking().AnyAsync(a => a.Id == agentId))
        {
            await UnknownAgent(agentId).ExecuteAsync(http);
            return;
        }
        await EventStream.Send(http, "agent", sp => ReadAgent(sp, agentId));
    }

    private static async Task<AgentView?> ReadAgent(IServiceProvider sp, string agentId)
    {
        var db = sp.GetRequiredService<RouterDbContext>();
        var time = sp.GetRequiredService<TimeProvider>();
        var now = time.GetUtcNow();
        var agent = await db.Agents.AsNoTracking().FirstOrDefaultAsync(a => a.Id == agentId);
        if (agent is null) return null;
        var offer = agent.OfferedContactId is { } offeredId ? await ReadCard(db, time, agent, offeredId, agent.OfferExpiresAt) : null;
        // While connected the agent still needs to see who it is and what was asked, also after reloading the page.
        var connected = agent.ConnectedContactId is { } connectedId ? await ReadCard(db, time, agent, connectedId, expiresAt: null) : null;
        return new AgentView(agent.Id, agent.Name, agent.HomeCentre, agent.Skills, ContactView.Lower(agent.StatusAt(now)),
            offer, agent.ConnectedContactId, connected, agent.WrapUpUntil > now ? agent.WrapUpUntil : null);
    }

    /// <summary>A contact as the agent sees it: who calls, from where, with the caller's customer view and a callback's question.</summary>
    private static async Task<OfferView?> ReadCard(RouterDbContext db, TimeProvider time, Agent agent, string contactId, DateTimeOffset? expiresAt)
    {
        if (await db.Contacts.AsNoTracking().FirstOrDefaultAsync(c => c.Id == contactId) is not { } c) return null;
        var customer = await CustomerApi.Read(db, c.Caller, take: CustomerApi.OfferSummarySize, exceptContactId: c.Id, openCallbacksOnly: true);
        // The console asks again and again while it rings: one access-log line per agent and contact.
        if (customer is not null)
            await CustomerApi.LogAccess(db, c.Caller, agent.Id, $"contact {c.Id}", time, once: true);
        // A callback offer shows the question to call back about.
        var callback = c.Channel == CallbackScheduler.Channel
            ? await db.Callbacks.AsNoTracking().FirstOrDefaultAsync(x => x.CurrentContactId == c.Id)
            : null;
        return new OfferView(c.Id, c.HomeCentre, c.Centre, c.Channel, c.Caller, c.Topic, c.Priority, c.QueuedAt, c.OfferedAt,
            expiresAt, c.Overflowed, customer, callback is null ? null : CallbackView.Of(callback));
    }

    private static async Task<IResult> ContactResult(IServiceProvider sp, string contactId)
    {
        await using var scope = sp.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RouterDbContext>();
        var now = scope.ServiceProvider.GetRequiredService<TimeProvider>().GetUtcNow();
        var contact = await db.Contacts.AsNoTracking().FirstOrDefaultAsync(c => c.Id == contactId);
        return contact is null ? UnknownContact(contactId) : Results.Ok(ContactView.Of(contact, now));
    }

    // ---- Centres ----

    private static async Task<IResult> GetCentres(RouterDbContext db, TimeProvider time, IOptions<RoutingOptions> routing) =>
        Results.Ok(await ReadCentres(db, time, routing.Value));

    /// <summary>
    /// The team lead's chart: per centre, contacts waiting and the service level of each <paramref name="minutes"/>-minute
    /// interval over the last <paramref name="hours"/> hours, the current interval last.
    /// </summary>
    private static async Task<IResult> GetHistory(int? hours, int? minutes, RouterDbContext db, TimeProvider time, IOptions<RoutingOptions> routing)
    {
        var span = hours ?? 4;
        if (span is < 1 or > 24) return Problems.Invalid("hours", "Look back 1–24 hours.");
        var step = minutes ?? 15;
        if (step is < 5 or > 60 || 60 % step != 0) return Problems.Invalid("minutes", "An interval is 5, 10, 15, 20, 30 or 60 minutes.");
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
        return Results.Ok(CentreCatalog.All.Select(id => new CentreHistoryView(id, CentreCatalog.DisplayNames[id], step,
            LoadHistory.Of(contacts.Where(c => c.Centre == id).Select(c => new ContactTimes(c.QueuedAt, c.AnsweredAt, c.AbandonedAt)),
                from, to, interval, target).Select(LoadPointView.Of).ToList())).ToList());
    }

    /// <summary>The same rows as server-sent events, sent whenever they change.</summary>
    private static Task CentresStream(HttpContext http, IOptions<RoutingOptions> routing) =>
        EventStream.Send(http, "centres", sp => ReadCentres(sp.GetRequiredService<RouterDbContext>(), sp.GetRequiredService<TimeProvider>(), routing.Value));

    private static async Task<IReadOnlyList<CentreView>> ReadCentres(RouterDbContext db, TimeProvider time, RoutingOptions routing)
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
                    Count(AgentStatus.Offered), Count(AgentStatus.NotResponding), Count(AgentStatus.Offline)),
                day.Offered, day.Answered, day.Abandoned, day.ServiceLevel, routing.ServiceLevelTarget.TotalSeconds,
                routing.ServiceLevelGoal, routing.ServiceLevelColour(day.ServiceLevel),
                day.AbandonedShare, routing.AbandonedGoal,
                day.AverageSpeedOfAnswerSeconds, day.OverflowIn, day.OverflowOut,
                callbacks.Count(c => c.Centre == id && CallbackStatus.Open.Contains(c.Status)),
                callbacks.Count(c => c.Centre == id && CallbackStatus.Open.Contains(c.Status) && c.AtRisk),
                callbacks.Count(c => c.Centre == id && c.Status == CallbackStatus.Failed));
        }).ToList();
        return rows;
    }

    // ---- Asking a centre worker ----

    /// <summary>
    /// Sends a command as a request to its centre and maps the worker's answer. The request's time-to-live
    /// equals the timeout, so a command that timed out expires in the queue instead of applying later.
    /// </summary>
    private static async Task<IResult> Ask<T>(IServiceProvider sp, T command, Func<Task<IResult>> onAccepted) where T : CentreCommand
    {
        var clients = sp.GetRequiredService<IClientFactory>();
        var timeout = sp.GetRequiredService<IOptions<HostingOptions>>().Value.CommandTimeout;
        var client = clients.CreateRequestClient<T>(CentreAddresses.For(command.Centre), RequestTimeout.After(ms: (int)timeout.TotalMilliseconds));
        CommandResult result;
        try
        {
            var response = await client.GetResponse<CommandResult>(command);
            result = response.Message;
        }
        catch (RequestTimeoutException)
        {
            return Problems.Field(StatusCodes.Status503ServiceUnavailable, "centre",
                $"The {command.Centre} worker did not answer within {timeout.TotalSeconds:0} s; nothing was changed. Try again.");
        }
        if (result.Accepted) return await onAccepted();
        return result.RefusalKind switch
        {
            "notfound" => Problems.NotFound(result.Field ?? "body", result.Detail ?? "Not found."),
            "conflict" => Problems.Conflict(result.Field ?? "body", result.Detail ?? "Conflict."),
            _ => Problems.Invalid(result.Field ?? "body", result.Detail ?? "Invalid."),
        };
    }

    private static IResult UnknownCentre(string field, string centre) =>
        Problems.Invalid(field, $"Unknown centre '{centre}'; known centres are {string.Join(", ", CentreCatalog.All)}.");

    /// <summary>Completed and abandoned are final, so the store's answer is safe to give without asking the worker.</summary>
    private static IResult? Finished(Contact contact) => contact.Status is ContactStatus.Completed or ContactStatus.Abandoned
        ? Problems.Conflict("contactId", $"Contact {contact.Id} is already {ContactView.Lower(contact.Status)}.")
        : null;

    private static IResult UnknownContact(string contactId) => Problems.NotFound("contactId", $"No contact {contactId}.");
    private static IResult UnknownAgent(string agentId) => Problems.NotFound("agentId", $"No agent {agentId}; register it with PUT /api/agents/{agentId}.");

    [GeneratedRegex(@"^[A-Za-z0-9._-]{1,64}\z")]
    private static partial Regex AgentIdFormat();
}
