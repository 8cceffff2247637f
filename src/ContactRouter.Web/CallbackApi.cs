using ContactRouter.Components;
using ContactRouter.Routing;
using ContactRouter.Routing.Callbacks;
using ContactRouter.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ContactRouter.Web;

public sealed record BookCallbackRequest(string? Centre, string? Caller, string? Name, string? Question, DateTimeOffset? NotBefore, DateTimeOffset? NotAfter);

public sealed record CallbackView(
    string CallbackId, string HomeCentre, string Centre, string Caller, string? Name, string Question, string Status,
    DateTimeOffset SlotStart, DateTimeOffset NotBefore, DateTimeOffset NotAfter, DateTimeOffset BookedAt, string Reason,
    int Attempts, DateTimeOffset? NextAttemptAt, string? Outcome, bool AtRisk)
{
    public static CallbackView Of(CallbackAppointment c) => new(
        c.Id, c.HomeCentre, c.Centre, c.Caller, c.Name, c.Question, c.Status, c.SlotStart, c.NotBefore, c.NotAfter, c.BookedAt,
        c.PlacedReason, c.Attempts, c.Status == CallbackStatus.Booked ? c.NextAttemptAt : null, c.Outcome, c.AtRiskSince is not null);
}

public sealed record AlternativeSlot(string Centre, DateTimeOffset SlotStart, DateTimeOffset SlotEnd, int Free);

/// <summary>Reception books, reads and cancels callback appointments ("terugbelafspraken") for any centre.</summary>
public static class CallbackApi
{
    /// <summary>A notBefore this little in the past is taken as "now": the desk's clock and the request's trip.</summary>
    private static readonly TimeSpan ClockSlack = TimeSpan.FromMinutes(1);

    public static IEndpointRouteBuilder MapCallbackApi(this IEndpointRouteBuilder app)
    {
        var callbacks = app.MapGroup("/api/callbacks").WithTags("Callbacks").RequireAuthorization(Policies.Reception).Refusals(400, 401, 403, 404, 409);
        callbacks.MapPost("", Book).Accepts<BookCallbackRequest>("application/json");
        callbacks.MapGet("/{callbackId}", Get);
        callbacks.MapGet("", List);
        callbacks.MapDelete("/{callbackId}", Cancel);
        return app;
    }

    private static async Task<Results<Created<CallbackView>, ProblemHttpResult>> Book(HttpRequest request, CallbackCalendar calendar, CallbackBooking booking, TimeProvider time)
    {
        var (body, problem) = await JsonBody.Read<BookCallbackRequest>(request);
        if (problem is not null) return problem;
        var centre = body!.Centre?.Trim().ToLowerInvariant();
        if (centre is null) return Problems.Invalid("centre", "Say which centre should call back.");
        if (!PhoneNumber.TryNormalise(body.Caller, out var caller)) return Answers.InvalidPhone("caller", body.Caller);
        if (string.IsNullOrWhiteSpace(body.Question)) return Problems.Invalid("question", "The question to call back about is required.");
        if (body.Question.Length > 1000) return Problems.Invalid("question", "A question is at most 1000 characters.");
        if (body.Name is { Length: > 200 }) return Problems.Invalid("name", "A name is at most 200 characters.");
        var key = request.Headers["Idempotency-Key"].FirstOrDefault();
        if (key is { Length: > 100 }) return Problems.Invalid("Idempotency-Key", "An Idempotency-Key is at most 100 characters.");

        // The calendar counts working days on from notBefore: near the end of DateTimeOffset's range (9999) that overflows.
        if (body.NotBefore?.Year > Days.Last.Year) return Problems.Invalid("notBefore", $"A callback is booked before {Days.Last.Year + 1}.");

        var now = time.GetUtcNow();
        var notBefore = body.NotBefore is { } asked && asked < now && asked >= now - ClockSlack ? now : body.NotBefore;
        var callback = calendar.WithDefaults(centre, now, notBefore, body.NotAfter);
        if (calendar.Check(callback, now) is { } refusal) return Problems.Invalid(refusal.Field, refusal.Detail);

        var result = await booking.Book(callback, caller, body.Name?.Trim(), body.Question.Trim(), key, request.HttpContext.RequestAborted);
        switch (result.Decision)
        {
            case BookingDecision.Booked when result.Appointment is { } appointment:
                request.HttpContext.Response.Headers["Idempotent-Replayed"] = result.Replayed ? "true" : "false";
                return TypedResults.Created($"/api/callbacks/{appointment.Id}", CallbackView.Of(appointment));
            case BookingDecision.NoRoom noRoom:
                return TypedResults.Problem(
                    title: "No callback slot fits the window.",
                    detail: noRoom.Reason,
                    statusCode: StatusCodes.Status409Conflict,
                    extensions: new Dictionary<string, object?>
                    {
                        ["field"] = "notAfter",
                        ["errors"] = new Dictionary<string, string[]> { ["notAfter"] = [noRoom.Reason] },
                        ["alternatives"] = noRoom.Alternatives.Select(a => new AlternativeSlot(a.Centre, a.Start, a.End, a.Free)).ToList(),
                    });
            case BookingDecision.Refused refused:
                return Problems.Invalid(refused.Refusal.Field, refused.Refusal.Detail);
            default:
                throw new InvalidOperationException($"Unexpected booking decision {result.Decision.GetType().Name}.");
        }
    }

    private static async Task<Results<Ok<CallbackView>, ProblemHttpResult>> Get(string callbackId, RouterDbContext db)
    {
        var c = await db.Callbacks.AsNoTracking().FirstOrDefaultAsync(x => x.Id == callbackId);
        return c is null ? UnknownCallback(callbackId) : TypedResults.Ok(CallbackView.Of(c));
    }

    /// <summary>A day's callbacks (default today, the municipality's day), optionally of one centre: the reception's list.</summary>
    private static async Task<Results<Ok<List<CallbackView>>, ProblemHttpResult>> List(string? centre, string? date, RouterDbContext db, CallbackCalendar calendar, TimeProvider time)
    {
        if (centre is not null && !CentreCatalog.IsKnown(centre)) return Answers.UnknownCentre("centre", centre);
        if (Days.Read(date, time, calendar.TimeZone, out var day) is { } badDate) return badDate;
        var (start, end) = MunicipalDay.Bounds(day, calendar.TimeZone);
        var query = db.Callbacks.AsNoTracking().Where(c => c.SlotStart >= start && c.SlotStart < end);
        if (centre is not null) query = query.Where(c => c.Centre == centre);
        var rows = await query.OrderBy(c => c.SlotStart).ToListAsync();
        return TypedResults.Ok(rows.Select(CallbackView.Of).ToList());
    }

    private static async Task<Results<Ok<CallbackView>, ProblemHttpResult>> Cancel(string callbackId, RouterDbContext db)
    {
        var c = await db.Callbacks.FirstOrDefaultAsync(x => x.Id == callbackId);
        if (c is null) return UnknownCallback(callbackId);
        if (c.Status != CallbackStatus.Booked)
            return Problems.Conflict("callbackId", c.Status is CallbackStatus.Due or CallbackStatus.Calling
                ? $"Callback {callbackId} is being called right now; it cannot be cancelled."
                : $"Callback {callbackId} is already {c.Status}.");
        c.Status = CallbackStatus.Cancelled;
        c.Version++;
        // The version check: if the scheduler queued the call a moment ago, this save fails instead of both happening.
        try
        {
            await db.SaveChangesAsync();
        }
        catch (DbUpdateConcurrencyException)
        {
            return Problems.Conflict("callbackId", $"Callback {callbackId} changed while cancelling; look again.");
        }
        return TypedResults.Ok(CallbackView.Of(c));
    }

    private static ProblemHttpResult UnknownCallback(string callbackId) => Problems.NotFound("callbackId", $"No callback {callbackId}.");
}
