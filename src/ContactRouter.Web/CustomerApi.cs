using System.ComponentModel.DataAnnotations;
using System.Net.Mail;
using System.Security.Claims;
using ContactRouter.Routing;
using ContactRouter.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;

namespace ContactRouter.Web;

public sealed record PartyView(string PhoneNumber, string? Name, string? Email, string? Bsn, DateTimeOffset FirstSeenAt)
{
    /// <summary>The BSN leaves the API only masked to its last 4 digits.</summary>
    public static PartyView Of(Party p) => new(p.PhoneNumber, p.Name, p.Email, p.Bsn is null ? null : Routing.Bsn.Mask(p.Bsn), p.FirstSeenAt);
}

public sealed record ContactMomentView(
    string ContactId, string Centre, string HomeCentre, string Channel, string? Subject, DateTimeOffset At,
    DateTimeOffset? AnsweredAt, DateTimeOffset? EndedAt, string? AgentId, string? Outcome, string? Summary, bool Overflowed)
{
    public static ContactMomentView Of(ContactMoment m) =>
        new(m.ContactId, m.Centre, m.HomeCentre, m.Channel, m.Subject, m.At, m.AnsweredAt, m.EndedAt, m.AgentId, m.Outcome, m.Summary, m.Overflowed);
}

public sealed record CustomerView(PartyView Customer, IReadOnlyList<ContactMomentView> Contacts, IReadOnlyList<CallbackView> Callbacks);

/// <summary>Every field optional: one left out keeps what the customer view already holds.</summary>
public sealed record PutCustomerRequest(
    [property: MaxLength(Limits.Name)] string? Name,
    [property: MaxLength(Limits.Email)] string? Email,
    [property: Length(Routing.Bsn.Digits, Routing.Bsn.Digits)] string? Bsn);

/// <summary>
/// The shared customer view across all centres. Every read is written to the access log (the signed-in user and their
/// role, when, why, which customer) before the answer leaves, as the Dutch government's "Logboek Dataverwerkingen"
/// asks. Reception and team leads state a reason; an agent reads only the caller ringing at or connected to them.
/// </summary>
public static class CustomerApi
{
    public static IEndpointRouteBuilder MapCustomerApi(this IEndpointRouteBuilder app)
    {
        var customers = app.MapGroup("/api/customers").WithTags("Customers").Refusals(400);
        customers.MapGet("/{phone}", GetCustomer).RequireAuthorization(Policies.CustomerView).Refusals(404);
        customers.MapPut("/{phone}", PutCustomer).RequireAuthorization(Policies.Reception).Accepts<PutCustomerRequest>("application/json");
        return app;
    }

    private const int MaxReasonLength = 200;

    /// <summary>The number of recent contacts an agent sees with an offer.</summary>
    public const int OfferSummarySize = 5;

    private static async Task<Results<Ok<CustomerView>, ProblemHttpResult>> GetCustomer(
        [MaxLength(PhoneNumber.MaxInputLength), RegularExpression(PhoneNumber.InputPattern)] string phone,
        [MaxLength(MaxReasonLength)] string? reason, ClaimsPrincipal user, RouterDbContext db, TimeProvider time)
    {
        if (!PhoneNumber.TryNormalise(phone, out var e164)) return Answers.InvalidPhone("phone", phone);
        string why;
        if (user.IsInRole(StaffRoles.Reception) || user.IsInRole(StaffRoles.TeamLead))
        {
            if (string.IsNullOrWhiteSpace(reason)) return Problems.Invalid("reason", "Say why you look this customer up; the reason is logged.");
            if (reason.Length > MaxReasonLength) return Problems.Invalid("reason", $"A reason is at most {MaxReasonLength} characters.");
            why = reason.Trim();
        }
        else if (await RingingOrConnected(db, user, e164) is { } contactId)
            why = $"contact {contactId}";
        else
            return Problems.Forbidden("phone", "An agent sees a customer only while their call rings at or is connected to them.", "not-your-caller");
        var view = await Read(db, e164, take: null);
        if (view is null) return Problems.NotFound("phone", $"No customer with phone number {e164}.");
        await LogAccess(db, e164, user, why, time);
        return TypedResults.Ok(view);
    }

    /// <summary>The contact of this caller that rings at or is connected to the signed-in agent, if any.</summary>
    private static async Task<string?> RingingOrConnected(RouterDbContext db, ClaimsPrincipal user, string e164)
    {
        if (user.AgentId() is not { } agentId) return null;
        var agent = await db.Agents.AsNoTracking().FirstOrDefaultAsync(a => a.Id == agentId);
        string?[] mine = [agent?.OfferedContactId, agent?.ConnectedContactId];
        foreach (var contactId in mine.OfType<string>())
            if (await db.Contacts.AsNoTracking().AnyAsync(c => c.Id == contactId && c.Caller == e164))
                return contactId;
        return null;
    }

    private static async Task<Results<Ok<PartyView>, ProblemHttpResult>> PutCustomer(
        [MaxLength(PhoneNumber.MaxInputLength), RegularExpression(PhoneNumber.InputPattern)] string phone, HttpRequest request, RouterDbContext db, TimeProvider time)
    {
        if (!PhoneNumber.TryNormalise(phone, out var e164)) return Answers.InvalidPhone("phone", phone);
        var (body, problem) = await JsonBody.Read<PutCustomerRequest>(request);
        if (problem is not null) return problem;
        if (body!.Name is { Length: > Limits.Name }) return Problems.Invalid("name", $"A name is at most {Limits.Name} characters.");
        if (body.Email is { Length: > Limits.Email }) return Problems.Invalid("email", $"An e-mail address is at most {Limits.Email} characters.");
        if (body.Email is { } email && !MailAddress.TryCreate(email, out _)) return Problems.Invalid("email", "Not an e-mail address.");
        // Never echo a rejected BSN back: the detail names the rule, not the number.
        if (body.Bsn is { } bsn && !Routing.Bsn.IsValid(bsn)) return Problems.Invalid("bsn", "A BSN is 9 digits that pass the elfproef.");

        var party = await db.Set<Party>().FindAsync(e164);
        if (party is null)
        {
            party = new Party { PhoneNumber = e164, FirstSeenAt = time.GetUtcNow() };
            db.Set<Party>().Add(party);
        }
        party.Name = body.Name?.Trim() ?? party.Name;
        party.Email = body.Email?.Trim() ?? party.Email;
        party.Bsn = body.Bsn ?? party.Bsn;
        await db.SaveChangesAsync();
        return TypedResults.Ok(PartyView.Of(party));
    }

    /// <summary>The customer view of a phone number, newest first; null when the number is unknown.</summary>
    /// <param name="openCallbacksOnly">An agent's offer shows only the callbacks still to be made; the full view shows all.</param>
    public static async Task<CustomerView?> Read(RouterDbContext db, string e164, int? take, string? exceptContactId = null, bool openCallbacksOnly = false)
    {
        var party = await db.Set<Party>().AsNoTracking().FirstOrDefaultAsync(p => p.PhoneNumber == e164);
        if (party is null) return null;
        var query = db.Set<ContactMoment>().AsNoTracking()
            .Where(m => m.PhoneNumber == e164 && m.ContactId != exceptContactId)
            .OrderByDescending(m => m.At).AsQueryable();
        if (take is { } n) query = query.Take(n);
        var moments = await query.ToListAsync();
        var callbacks = db.Callbacks.AsNoTracking().Where(c => c.Caller == e164);
        if (openCallbacksOnly) callbacks = callbacks.Where(c => CallbackStatus.Open.Contains(c.Status));
        var appointments = await callbacks.OrderByDescending(c => c.BookedAt).ToListAsync();
        return new CustomerView(PartyView.Of(party), moments.Select(ContactMomentView.Of).ToList(), appointments.Select(CallbackView.Of).ToList());
    }

    /// <summary>Writes one access-log line for the signed-in reader; <paramref name="once"/> skips it when they already logged the same reason.</summary>
    public static async Task LogAccess(RouterDbContext db, string e164, ClaimsPrincipal reader, string why, TimeProvider time, bool once = false)
    {
        var who = reader.Who();
        if (once && await db.AccessLog.AnyAsync(a => a.PhoneNumber == e164 && a.Who == who && a.Why == why)) return;
        db.AccessLog.Add(AccessLog.Entry(time.GetUtcNow(), who, reader.RoleList(), AccessActions.Read, e164, why));
        await db.SaveChangesAsync();
    }
}
