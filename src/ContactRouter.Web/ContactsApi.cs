using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using ContactRouter.Components;
using ContactRouter.Contracts;
using ContactRouter.Routing;
using ContactRouter.Store;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ContactRouter.Web;

/// <summary>
/// Contacts: the telephone exchange (a machine client) queues and abandons them, the agent who holds one completes
/// it, team leads read them.
/// </summary>
public static class ContactsApi
{
    public static readonly string[] Channels = ["phone", "chat", "email", "web"];
    public static readonly string[] Outcomes = ["resolved", "transferred", "callback"];
    public static readonly string[] CallbackOutcomes = ["reached", "notreached"];
    public const int MaxSummaryLength = 2000;
    public const int MaxTopicLength = 100;
    private const int MaxIdempotencyKeyLength = Limits.IdempotencyKey;
    /// <summary>Contact ids are 32 hex digits, a callback's a little longer: anything much longer is nobody's.</summary>
    private const int MaxContactIdLength = Limits.Id;

    public static IEndpointRouteBuilder MapContactsApi(this IEndpointRouteBuilder app)
    {
        // Besides what each endpoint names: 400/401/403/413/415 as the pipeline gives them (DeclaredAnswers).
        var contacts = app.MapGroup("/api/contacts").WithTags("Contacts");
        contacts.MapPost("", Queue).RequireAuthorization(Policies.QueueContacts).Accepts<QueueContactRequest>("application/json");
        contacts.MapGet("/{contactId}", Get).RequireAuthorization(Policies.ReadContact).Refusals(404);
        contacts.MapPost("/{contactId}/abandon", Abandon).RequireAuthorization(Policies.AbandonContacts).Refusals(404, 409);
        contacts.MapPost("/{contactId}/complete", Complete).RequireAuthorization(Policies.Agent).Accepts<CompleteContactRequest>("application/json")
            .Refusals(404, 409);
        // A team lead steers the callers waiting at their own centre: to a neighbour by hand, or up in priority.
        contacts.MapPost("/{contactId}/move", Move).RequireAuthorization(Policies.TeamLead).Accepts<MoveContactRequest>("application/json")
            .Refusals(404, 409);
        contacts.MapPost("/{contactId}/priority", RaisePriority).RequireAuthorization(Policies.TeamLead).Accepts<RaisePriorityRequest>("application/json")
            .Refusals(404, 409);
        return app;
    }

    private static async Task<Results<Accepted<QueuedContactView>, ProblemHttpResult>> Queue(
        [FromHeader(Name = "Idempotency-Key"), Length(1, MaxIdempotencyKeyLength)] string? idempotencyKey, HttpRequest request, ClaimsPrincipal user, ISendEndpointProvider sender, CommandLedger ledger, TimeProvider time)
    {
        // A key sent empty binds as none: it is refused instead, as the document's minLength says.
        var key = request.Headers.ContainsKey("Idempotency-Key") ? idempotencyKey ?? "" : null;
        if (key is { Length: 0 or > MaxIdempotencyKeyLength })
            return Problems.Invalid("Idempotency-Key", $"An Idempotency-Key is 1–{MaxIdempotencyKeyLength} characters.");
        var (body, problem) = await JsonBody.Read<QueueContactRequest>(request);
        if (problem is not null) return problem;
        if (body!.Topic is { Length: > MaxTopicLength }) return Problems.Invalid("topic", $"A topic is at most {MaxTopicLength} characters.");

        var centre = body.Centre?.Trim().ToLowerInvariant() ?? Topics.CentreFor(body.Topic);
        if (centre is null)
            return Problems.Invalid("centre", body.Topic is null
                ? "Give a centre, or a topic that belongs to one."
                : $"Topic '{AccessLog.Clip(body.Topic, 40)}' belongs to no centre; give a centre.");
        if (!CentreCatalog.IsKnown(centre)) return Answers.UnknownCentre("centre", centre);
        if (body.Channel is null || !Channels.Contains(body.Channel)) return Problems.Invalid("channel", $"Channel must be one of {string.Join(", ", Channels)}.");
        if (string.IsNullOrWhiteSpace(body.Caller)) return Problems.Invalid("caller", "The caller's phone number is required.");
        if (!PhoneNumber.TryNormalise(body.Caller, out var caller)) return Answers.InvalidPhone("caller", body.Caller);
        var priority = body.Priority ?? 0;
        if (priority is < RoutingOptions.MinPriority or > RoutingOptions.MaxPriority)
            return Problems.Invalid("priority", $"Priority must be {RoutingOptions.MinPriority}–{RoutingOptions.MaxPriority}.");

        // The same key from the same client is the same contact and the same command: a telephony retry queues nobody
        // twice, and is answered as the first one was (the centre also refuses a contact the store knows has finished).
        var contactId = key is null ? NewId.NextSequentialGuid().ToString("N") : IdFor(user.Who(), key, "contact").ToString("N");
        var command = new QueueContact
        {
            CommandId = key is null ? NewId.NextGuid() : IdFor(user.Who(), key, "command"),
            Centre = centre, ContactId = contactId, HomeCentre = centre, Channel = body.Channel, Caller = caller,
            Priority = priority, Topic = body.Topic, QueuedAt = time.GetUtcNow(),
        };
        // Recorded in the store before the answer: from here on the caller is queued whatever happens to this process
        // or the bus (the relay delivers what the bus did not take). A retry finds the first one and answers the same.
        var (row, repeated) = await ledger.AcceptAndSend(command, user.Who(), sender, CancellationToken.None);
        var first = repeated ? CommandLedger.Read(row) as QueueContact ?? command : command;
        return TypedResults.Accepted($"/api/contacts/{first.ContactId}", new QueuedContactView(first.ContactId, first.Centre, ContactView.Accepted, row.CommandId));
    }

    /// <summary>A contact id or command id that one client's Idempotency-Key always gives, and no other client's.</summary>
    private static Guid IdFor(string client, string key, string what) =>
        new(SHA256.HashData(Encoding.UTF8.GetBytes(what == "contact" ? $"{client}\n{key}" : $"{client}\n{key}\n{what}")).AsSpan(0, 16));

    /// <summary>An agent reads only a contact that is or was theirs; team leads and the exchange read any.</summary>
    private static async Task<Results<Ok<ContactView>, ProblemHttpResult>> Get([MaxLength(MaxContactIdLength)] string contactId, ClaimsPrincipal user, RouterDbContext db, TimeProvider time)
    {
        var contact = await db.Contacts.AsNoTracking().FirstOrDefaultAsync(c => c.Id == contactId);
        var accepted = contact is null ? await AcceptedNotYetQueued(db, contactId) : null;
        if ((contact ?? accepted) is not { } known) return Answers.UnknownContact(contactId);
        if (!user.IsInRole(StaffRoles.TeamLead) && !user.HasScope(Scopes.ReadContacts) && known.AgentId != user.AgentId())
            return Answers.NotYourContact(contactId);
        var view = ContactView.Of(known, time.GetUtcNow());
        return TypedResults.Ok(contact is null ? view with { Status = ContactView.Accepted } : view);
    }

    /// <summary>
    /// The caller hung up. Also right after the 202, before the centre has taken the contact: the abandon then goes to
    /// the centre the contact was sent to, behind its queueing on the same queue, and is applied in that order.
    /// </summary>
    private static async Task<Results<Ok<ContactView>, Accepted<CommandView>, ProblemHttpResult>> Abandon(
        [MaxLength(MaxContactIdLength)] string contactId, ClaimsPrincipal user, RouterDbContext db, CentreClient centres, IServiceProvider sp)
    {
        var contact = await db.Contacts.AsNoTracking().FirstOrDefaultAsync(c => c.Id == contactId);
        if (contact is not null && Finished(contact) is { } finished) return finished;
        var centre = contact?.Centre ?? await db.AcceptedCommands.AsNoTracking()
            // Answered or not: the centre may have taken it between the two reads.
            .Where(c => c.ContactId == contactId && c.MessageType == nameof(QueueContact))
            .OrderByDescending(c => c.Sequence).Select(c => c.Centre).FirstOrDefaultAsync();
        if (centre is null) return Answers.UnknownContact(contactId);
        return await centres.Ask(new AbandonContact { Centre = centre, ContactId = contactId }, user, () => Read(sp, contactId));
    }

    /// <summary>Only the agent connected to the contact completes it.</summary>
    private static async Task<Results<Ok<ContactView>, Accepted<CommandView>, ProblemHttpResult>> Complete([MaxLength(MaxContactIdLength)] string contactId, HttpRequest request, ClaimsPrincipal user, RouterDbContext db, CentreClient centres, IServiceProvider sp)
    {
        var (body, problem) = await JsonBody.Read<CompleteContactRequest>(request);
        if (problem is not null) return problem;
        if (body!.Summary is { Length: > MaxSummaryLength }) return Problems.Invalid("summary", $"A summary is at most {MaxSummaryLength} characters.");
        var contact = await db.Contacts.AsNoTracking().FirstOrDefaultAsync(c => c.Id == contactId);
        if (contact is null) return Answers.UnknownContact(contactId);
        if (contact.AgentId is null || contact.AgentId != user.AgentId()) return Answers.NotYourContact(contactId);
        // An outbound callback ends in reached or not reached; an inbound contact in how it was resolved.
        var outcomes = contact.Channel == CallbackScheduler.Channel ? CallbackOutcomes : Outcomes;
        if (body.Outcome is null || !outcomes.Contains(body.Outcome)) return Problems.Invalid("outcome", $"Outcome must be one of {string.Join(", ", outcomes)}.");
        if (Finished(contact) is { } finished) return finished;
        return await centres.Ask(new CompleteContact { Centre = contact.Centre, ContactId = contactId, Outcome = body.Outcome, Summary = body.Summary?.Trim() },
            user, () => Read(sp, contactId));
    }

    /// <summary>
    /// A team lead moves a caller queued at their centre to one of its neighbours (as the overflow router would, within
    /// the same hop limit). The command is recorded with the team lead's name in the ledger, and logged.
    /// </summary>
    private static async Task<Results<Ok<ContactView>, Accepted<CommandView>, ProblemHttpResult>> Move([MaxLength(MaxContactIdLength)] string contactId,
        HttpRequest request, ClaimsPrincipal user, RouterDbContext db, CentreClient centres, IOptions<OverflowOptions> overflow, ILoggerFactory logs, IServiceProvider sp)
    {
        var (body, problem) = await JsonBody.Read<MoveContactRequest>(request);
        if (problem is not null) return problem;
        var to = body!.Centre?.Trim().ToLowerInvariant();
        if (string.IsNullOrEmpty(to)) return Problems.Invalid("centre", "Say where to: centre is required.");
        if (!CentreCatalog.IsKnown(to)) return Answers.UnknownCentre("centre", to);
        var (contact, refusal) = await SteeredContact(db, contactId, user);
        if (refusal is not null) return refusal;
        if (!overflow.Value.NeighboursOf(contact!.Centre).Contains(to))
            return Problems.Invalid("centre", $"{to} is not a neighbour of {contact.Centre}; neighbours are {string.Join(", ", overflow.Value.NeighboursOf(contact.Centre))}.");
        logs.CreateLogger(typeof(ContactsApi)).LogInformation("{User} moves contact {ContactId} from {From} to {To}",
            AccessLog.Clip(user.Who(), 64), contact.Id, contact.Centre, to);
        return await centres.Ask(new TransferContact { Centre = contact.Centre, ContactId = contact.Id, ToCentre = to }, user, () => Read(sp, contact.Id));
    }

    /// <summary>A team lead raises the priority of a caller waiting at their centre (only up; recorded and logged as a move is).</summary>
    private static async Task<Results<Ok<ContactView>, Accepted<CommandView>, ProblemHttpResult>> RaisePriority([MaxLength(MaxContactIdLength)] string contactId,
        HttpRequest request, ClaimsPrincipal user, RouterDbContext db, CentreClient centres, ILoggerFactory logs, IServiceProvider sp)
    {
        var (body, problem) = await JsonBody.Read<RaisePriorityRequest>(request);
        if (problem is not null) return problem;
        if (body!.Priority is not { } priority) return Problems.Invalid("priority", "Give the new priority.");
        if (priority is < RoutingOptions.MinPriority or > RoutingOptions.MaxPriority)
            return Problems.Invalid("priority", $"Priority must be {RoutingOptions.MinPriority}–{RoutingOptions.MaxPriority}.");
        var (contact, refusal) = await SteeredContact(db, contactId, user);
        if (refusal is not null) return refusal;
        logs.CreateLogger(typeof(ContactsApi)).LogInformation("{User} raises contact {ContactId} at {Centre} to priority {Priority}",
            AccessLog.Clip(user.Who(), 64), contact!.Id, contact.Centre, priority);
        return await centres.Ask(new RaisePriority { Centre = contact.Centre, ContactId = contact.Id, Priority = priority }, user, () => Read(sp, contact.Id));
    }

    /// <summary>A live contact at the centre the team lead steers, or why not.</summary>
    private static async Task<(Contact? Contact, ProblemHttpResult? Refusal)> SteeredContact(RouterDbContext db, string contactId, ClaimsPrincipal user)
    {
        var contact = await db.Contacts.AsNoTracking().FirstOrDefaultAsync(c => c.Id == contactId);
        if (contact is null) return (null, Answers.UnknownContact(contactId));
        if (contact.Centre != user.Centre())
            return (null, Problems.Forbidden("contactId", $"Contact {contact.Id} waits at {contact.Centre}; you steer {user.Centre() ?? "no centre"}.", "caller-not-your-centre"));
        if (Finished(contact) is { } finished) return (null, finished);
        return (contact, null);
    }

    /// <summary>
    /// A contact whose 202 was given but whose centre has not taken it yet (the worker lags, or a restarted host is still
    /// delivering what it accepted): "accepted", as the accepted command says. It exists, so it is not a 404; it keeps
    /// its place, as its centre takes commands in the order they were accepted.
    /// </summary>
    private static async Task<Contact?> AcceptedNotYetQueued(RouterDbContext db, string contactId)
    {
        var row = await db.AcceptedCommands.AsNoTracking()
            .Where(c => c.ContactId == contactId && c.MessageType == nameof(QueueContact) && c.AnsweredAt == null)
            .OrderByDescending(c => c.Sequence).FirstOrDefaultAsync();
        if (row is null || CommandLedger.Read(row) is not QueueContact m) return null;
        return EventMapping.ContactOf(m);
    }

    /// <summary>The contact as the worker left it: a fresh scope, as the request's context may have read it before.</summary>
    private static async Task<Results<Ok<ContactView>, ProblemHttpResult>> Read(IServiceProvider sp, string contactId)
    {
        await using var scope = sp.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RouterDbContext>();
        var now = scope.ServiceProvider.GetRequiredService<TimeProvider>().GetUtcNow();
        var contact = await db.Contacts.AsNoTracking().FirstOrDefaultAsync(c => c.Id == contactId);
        return contact is null ? Answers.UnknownContact(contactId) : TypedResults.Ok(ContactView.Of(contact, now));
    }

    /// <summary>Completed and abandoned are final, so the store's answer is safe to give without asking the worker.</summary>
    private static ProblemHttpResult? Finished(Contact contact) => contact.Status is ContactStatus.Completed or ContactStatus.Abandoned
        ? Problems.Conflict("contactId", $"Contact {contact.Id} is already {ContactView.Lower(contact.Status)}.")
        : null;
}
