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
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
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
    private const int MaxSummaryLength = 2000;
    private const int MaxTopicLength = 100;
    private const int MaxIdempotencyKeyLength = 100;

    public static IEndpointRouteBuilder MapContactsApi(this IEndpointRouteBuilder app)
    {
        var contacts = app.MapGroup("/api/contacts").WithTags("Contacts").Refusals(400, 401, 403, 404, 409, 503);
        contacts.MapPost("", Queue).RequireAuthorization(Policies.QueueContacts).Accepts<QueueContactRequest>("application/json");
        contacts.MapGet("/{contactId}", Get).RequireAuthorization(Policies.ReadContact);
        contacts.MapPost("/{contactId}/abandon", Abandon).RequireAuthorization(Policies.AbandonContacts);
        contacts.MapPost("/{contactId}/complete", Complete).RequireAuthorization(Policies.Agent).Accepts<CompleteContactRequest>("application/json");
        return app;
    }

    private static async Task<Results<Accepted<QueuedContactView>, ProblemHttpResult>> Queue(
        HttpRequest request, ClaimsPrincipal user, ISendEndpointProvider sender, TimeProvider time, IOptions<HostingOptions> hosting)
    {
        var key = request.Headers["Idempotency-Key"].FirstOrDefault();
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

        // The same key from the same client is the same contact: a telephony retry queues nobody twice (the centre
        // ignores a contact it holds, and refuses one the store knows has finished or moved on).
        var contactId = key is null ? NewId.NextSequentialGuid().ToString("N") : ContactIdFor(user.Who(), key);
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
        return TypedResults.Accepted($"/api/contacts/{contactId}", new QueuedContactView(contactId, centre, "queued"));
    }

    private static string ContactIdFor(string client, string key) =>
        new Guid(SHA256.HashData(Encoding.UTF8.GetBytes($"{client}\n{key}")).AsSpan(0, 16)).ToString("N");

    /// <summary>An agent reads only a contact that is or was theirs; team leads and the exchange read any.</summary>
    private static async Task<Results<Ok<ContactView>, ProblemHttpResult>> Get(string contactId, ClaimsPrincipal user, RouterDbContext db, TimeProvider time)
    {
        var contact = await db.Contacts.AsNoTracking().FirstOrDefaultAsync(c => c.Id == contactId);
        if (contact is null) return Answers.UnknownContact(contactId);
        if (!user.IsInRole(StaffRoles.TeamLead) && !user.HasScope(Scopes.ReadContacts) && contact.AgentId != user.AgentId())
            return Answers.NotYourContact(contactId);
        return TypedResults.Ok(ContactView.Of(contact, time.GetUtcNow()));
    }

    private static async Task<Results<Ok<ContactView>, ProblemHttpResult>> Abandon(string contactId, RouterDbContext db, CentreClient centres, IServiceProvider sp)
    {
        var contact = await db.Contacts.AsNoTracking().FirstOrDefaultAsync(c => c.Id == contactId);
        if (contact is null) return Answers.UnknownContact(contactId);
        if (Finished(contact) is { } finished) return finished;
        return await centres.Ask(new AbandonContact { Centre = contact.Centre, ContactId = contactId }, () => Read(sp, contactId));
    }

    /// <summary>Only the agent connected to the contact completes it.</summary>
    private static async Task<Results<Ok<ContactView>, ProblemHttpResult>> Complete(string contactId, HttpRequest request, ClaimsPrincipal user, RouterDbContext db, CentreClient centres, IServiceProvider sp)
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
            () => Read(sp, contactId));
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
