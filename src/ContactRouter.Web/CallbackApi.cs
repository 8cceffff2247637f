using System.ComponentModel.DataAnnotations;
using ContactRouter.Components;
using ContactRouter.Routing;
using ContactRouter.Routing.Callbacks;
using ContactRouter.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ContactRouter.Web;

public sealed record BookCallbackRequest(
    [property: Required, OneOf(typeof(CentreCatalog), nameof(CentreCatalog.All))] string? Centre,
    [property: Required, MaxLength(PhoneNumber.MaxInputLength), RegularExpression(PhoneNumber.InputPattern)] string? Caller,
    [property: MaxLength(Limits.Name)] string? Name,
    [property: Required, MaxLength(CallbackApi.MaxQuestionLength)] string? Question,
    [property: Range(typeof(DateTimeOffset), Days.FirstInstant, Days.EndInstant, MaximumIsExclusive = true)] DateTimeOffset? NotBefore,
    [property: Range(typeof(DateTimeOffset), Days.FirstInstant, Days.EndInstant, MaximumIsExclusive = true)] DateTimeOffset? NotAfter,
    [property: MaxLength(5), RegularExpression(CallbackApi.ClockTimePattern)] string? From = null,
    [property: MaxLength(5), RegularExpression(CallbackApi.ClockTimePattern)] string? Until = null);

/// <summary>A new window for a booked appointment: a day's instants, or times of day in Amsterdam (or neither: the soonest).</summary>
public sealed record MoveCallbackRequest(
    [property: Range(typeof(DateTimeOffset), Days.FirstInstant, Days.EndInstant, MaximumIsExclusive = true)] DateTimeOffset? NotBefore,
    [property: Range(typeof(DateTimeOffset), Days.FirstInstant, Days.EndInstant, MaximumIsExclusive = true)] DateTimeOffset? NotAfter,
    [property: MaxLength(5), RegularExpression(CallbackApi.ClockTimePattern)] string? From = null,
    [property: MaxLength(5), RegularExpression(CallbackApi.ClockTimePattern)] string? Until = null);

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

    public const int MaxQuestionLength = 1000;

    /// <summary>A wall-clock time in Amsterdam as the desk types it, "14:00".</summary>
    public const string ClockTimePattern = @"^([01][0-9]|2[0-3]):[0-5][0-9]$";

    public static IEndpointRouteBuilder MapCallbackApi(this IEndpointRouteBuilder app)
    {
        var callbacks = app.MapGroup("/api/callbacks").WithTags("Callbacks").RequireAuthorization(Policies.Reception);
        callbacks.MapPost("", Book).Accepts<BookCallbackRequest>("application/json").Refusals(400, 409);
        callbacks.MapGet("/{callbackId}", Get).Refusals(404);
        callbacks.MapGet("", List);
        callbacks.MapDelete("/{callbackId}", Cancel).Refusals(404, 409);
        callbacks.MapPut("/{callbackId}/window", Move).Accepts<MoveCallbackRequest>("application/json").Refusals(400, 404, 409);
        return app;
    }

    private static async Task<Results<Created<CallbackView>, ProblemHttpResult>> Book(
        [FromHeader(Name = "Idempotency-Key"), Length(1, Limits.IdempotencyKey)] string? idempotencyKey,
        HttpRequest request, CallbackCalendar calendar, CallbackBooking booking, TimeProvider time)
    {
        var (body, problem) = await JsonBody.Read<BookCallbackRequest>(request);
        if (problem is not null) return problem;
        var centre = body!.Centre?.Trim().ToLowerInvariant();
        if (centre is null) return Problems.Invalid("centre", "Say which centre should call back.");
        if (!PhoneNumber.TryNormalise(body.Caller, out var caller)) return Answers.InvalidPhone("caller", body.Caller);
        if (string.IsNullOrWhiteSpace(body.Question)) return Problems.Invalid("question", "The question to call back about is required.");
        if (body.Question.Length > MaxQuestionLength) return Problems.Invalid("question", $"A question is at most {MaxQuestionLength} characters.");
        if (body.Name is { Length: > Limits.Name }) return Problems.Invalid("name", $"A name is at most {Limits.Name} characters.");
        // A key sent empty binds as none: it is refused instead, as the document's minLength says (the length limit was
        // checked with the parameter's attribute).
        var key = request.Headers.ContainsKey("Idempotency-Key") ? idempotencyKey ?? "" : null;
        if (key is { Length: 0 }) return Problems.Invalid("Idempotency-Key", $"An Idempotency-Key is 1–{Limits.IdempotencyKey} characters.");

        var (callback, badWindow) = Window(centre, body.NotBefore, body.NotAfter, body.From, body.Until, calendar, time.GetUtcNow());
        if (badWindow is not null) return badWindow;

        var result = await booking.Book(callback!, caller, body.Name?.Trim(), body.Question.Trim(), key, request.HttpContext.RequestAborted);
        switch (result.Decision)
        {
            case BookingDecision.Booked when result.Appointment is { } appointment:
                request.HttpContext.Response.Headers["Idempotent-Replayed"] = result.Replayed ? "true" : "false";
                return TypedResults.Created($"/api/callbacks/{appointment.Id}", CallbackView.Of(appointment));
            default:
                return NotBooked(result.Decision);
        }
    }

    /// <summary>
    /// Moves a booked appointment to a new window, placed again by the same calendar rules (its own old place counts as
    /// free): 200 with where it landed, 409 with the nearest free slots (or "closed") when nothing fits.
    /// </summary>
    private static async Task<Results<Ok<CallbackView>, ProblemHttpResult>> Move(
        [MaxLength(Limits.Id)] string callbackId, HttpRequest request, RouterDbContext db, CallbackCalendar calendar, CallbackBooking booking, TimeProvider time)
    {
        var (body, problem) = await JsonBody.Read<MoveCallbackRequest>(request);
        if (problem is not null) return problem;
        var home = await db.Callbacks.AsNoTracking().Where(c => c.Id == callbackId).Select(c => c.HomeCentre).FirstOrDefaultAsync();
        if (home is null) return UnknownCallback(callbackId);
        var (callback, badWindow) = Window(home, body!.NotBefore, body.NotAfter, body.From, body.Until, calendar, time.GetUtcNow());
        if (badWindow is not null) return badWindow;

        var (result, refusal) = await booking.Reschedule(callbackId, callback!, request.HttpContext.RequestAborted);
        if (refusal is not null) return Problems.Conflict(refusal.Field, refusal.Detail, refusal.Code);
        if (result is null) return UnknownCallback(callbackId);
        return result.Appointment is { } moved ? TypedResults.Ok(CallbackView.Of(moved)) : NotBooked(result.Decision);
    }

    /// <summary>
    /// The window a desk asked for, as the calendar's request: instants, or wall-clock times without a day (the desk heard
    /// "after two" and means the first day that can still keep it), or neither (the soonest the calendar allows).
    /// </summary>
    private static (CallbackRequest? Request, ProblemHttpResult? Problem) Window(
        string centre, DateTimeOffset? askedFrom, DateTimeOffset? askedUntil, string? from, string? until, CallbackCalendar calendar, DateTimeOffset now)
    {
        // The calendar counts working days on from notBefore: near the end of DateTimeOffset's range (9999) that overflows.
        if (askedFrom is { } f && !Days.Holds(f)) return (null, Days.OutOfRange("notBefore"));
        if (askedUntil is { } u && !Days.Holds(u)) return (null, Days.OutOfRange("notAfter"));
        var notBefore = askedFrom is { } asked && asked < now && asked >= now - ClockSlack ? now : askedFrom;
        var notAfter = askedUntil;
        if (from is not null || until is not null)
        {
            if (askedFrom is not null || askedUntil is not null)
                return (null, Problems.Invalid(from is not null ? "from" : "until", "Give either from/until (times, Amsterdam) or notBefore/notAfter (instants), not both."));
            if (!CentreCatalog.IsKnown(centre)) return (null, Answers.UnknownCentre("centre", centre));
            if (!TryClockTime(from, out var fromTime)) return (null, Problems.Invalid("from", "from is a time of day in Amsterdam, HH:mm (14:00)."));
            if (!TryClockTime(until, out var untilTime)) return (null, Problems.Invalid("until", "until is a time of day in Amsterdam, HH:mm (15:00)."));
            (notBefore, notAfter) = calendar.WindowWithoutDay(centre, now, fromTime, untilTime);
        }
        var callback = calendar.WithDefaults(centre, now, notBefore, notAfter);
        if (calendar.Check(callback, now) is { } refusal) return (null, Problems.Invalid(refusal.Field, refusal.Detail, refusal.Code));
        return (callback, null);
    }

    /// <summary>The calendar found no place: 409 with the nearest free slots, or said closed; or the request itself was wrong.</summary>
    private static ProblemHttpResult NotBooked(BookingDecision decision)
    {
        switch (decision)
        {
            case BookingDecision.NoRoom noRoom:
                return TypedResults.Problem(
                    title: "No callback slot fits the window.",
                    detail: noRoom.Reason,
                    statusCode: StatusCodes.Status409Conflict,
                    extensions: new Dictionary<string, object?>
                    {
                        ["field"] = "notAfter",
                        // The consoles say it in Dutch by this code: a closed day is not a full one.
                        ["code"] = noRoom.Closed ? "closed" : "no-room",
                        ["errors"] = new Dictionary<string, string[]> { ["notAfter"] = [noRoom.Reason] },
                        ["alternatives"] = noRoom.Alternatives.Select(a => new AlternativeSlot(a.Centre, a.Start, a.End, a.Free)).ToList(),
                    });
            case BookingDecision.Refused refused:
                return Problems.Invalid(refused.Refusal.Field, refused.Refusal.Detail, refused.Refusal.Code);
            default:
                throw new InvalidOperationException($"Unexpected booking decision {decision.GetType().Name}.");
        }
    }

    private static async Task<Results<Ok<CallbackView>, ProblemHttpResult>> Get([MaxLength(Limits.Id)] string callbackId, RouterDbContext db)
    {
        var c = await db.Callbacks.AsNoTracking().FirstOrDefaultAsync(x => x.Id == callbackId);
        return c is null ? UnknownCallback(callbackId) : TypedResults.Ok(CallbackView.Of(c));
    }

    /// <summary>A day's callbacks (default today, the municipality's day), optionally of one centre: the reception's list.</summary>
    private static async Task<Results<Ok<List<CallbackView>>, ProblemHttpResult>> List(
        [OneOf(typeof(CentreCatalog), nameof(CentreCatalog.All))] string? centre,
        [Range(typeof(DateOnly), Days.FirstDay, Days.LastDay, ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true)] string? date,
        RouterDbContext db, CallbackCalendar calendar, TimeProvider time)
    {
        if (centre is not null && !CentreCatalog.IsKnown(centre)) return Answers.UnknownCentre("centre", centre);
        if (Days.Read(date, time, calendar.TimeZone, out var day) is { } badDate) return badDate;
        var (start, end) = MunicipalDay.Bounds(day, calendar.TimeZone);
        // Booked for that day, or to be tried (again) that day: a retry after "not reached" moves to the day it will be
        // made, so the desk finds it where it will happen (and still under its own day, with its attempts).
        var query = db.Callbacks.AsNoTracking().Where(c => (c.SlotStart >= start && c.SlotStart < end)
            || (c.Status == CallbackStatus.Booked && c.NextAttemptAt >= start && c.NextAttemptAt < end));
        if (centre is not null) query = query.Where(c => c.Centre == centre);
        var rows = await query.ToListAsync();
        return TypedResults.Ok(rows.OrderBy(c => c.Status == CallbackStatus.Booked && c.NextAttemptAt >= start ? c.NextAttemptAt : c.SlotStart)
            .Select(CallbackView.Of).ToList());
    }

    private static async Task<Results<Ok<CallbackView>, ProblemHttpResult>> Cancel([MaxLength(Limits.Id)] string callbackId, RouterDbContext db)
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

    /// <summary>Absent is fine (null); present must be HH:mm, as the document's pattern says.</summary>
    private static bool TryClockTime(string? text, out TimeOnly? time)
    {
        time = null;
        if (text is null) return true;
        if (!System.Text.RegularExpressions.Regex.IsMatch(text, ClockTimePattern)) return false;
        time = TimeOnly.ParseExact(text, "HH:mm", System.Globalization.CultureInfo.InvariantCulture);
        return true;
    }

    private static ProblemHttpResult UnknownCallback(string callbackId) => Problems.NotFound("callbackId", $"No callback {callbackId}.");
}
