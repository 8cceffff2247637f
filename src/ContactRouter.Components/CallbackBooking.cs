using System.Data;
using System.Data.Common;
using ContactRouter.Contracts;
using ContactRouter.Routing;
using ContactRouter.Routing.Callbacks;
using ContactRouter.Store;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ContactRouter.Components;

public sealed record BookingResult(CallbackAppointment? Appointment, BookingDecision Decision, bool Replayed);

/// <summary>
/// Books callback appointments: the calendar decides, the store keeps them. The slot count is read and the
/// appointment written in one serializable transaction, so two desks booking the last place in a slot at
/// once cannot both get it (the loser retries and lands in the next slot).
/// </summary>
public sealed class CallbackBooking(
    RouterDbContext db,
    CallbackCalendar calendar,
    IOptions<RoutingOptions> routing,
    IOptions<OverflowOptions> overflow,
    OutboxPublisher outbox,
    IBus bus,
    TimeProvider time,
    ILogger<CallbackBooking> log)
{
    // Under serializable isolation a retry fails again only when yet another booking committed meanwhile, so the
    // attempts bound how many desks may book the same centre at the same moment without one getting an error.
    private const int Attempts = 10;

    public async Task<BookingResult> Book(CallbackRequest request, string caller, string? name, string question, string? idempotencyKey, CancellationToken ct)
    {
        if (await Replay(idempotencyKey, ct) is { } earlier) return earlier;
        for (var attempt = 1; ; attempt++)
        {
            BookingResult result;
            try
            {
                result = await BookOnce(request, caller, name, question, idempotencyKey, ct);
            }
            catch (Exception ex) when (attempt < Attempts && ex is DbUpdateException or InvalidOperationException or DbException { IsTransient: true })
            {
                // A concurrent booking won the slot (serialization failure, at save or, on PostgreSQL, at commit)
                // or the same key was booked meanwhile. Nothing of this attempt was committed: its event goes too.
                db.ChangeTracker.Clear();
                outbox.DiscardStaged();
                if (await Replay(idempotencyKey, ct) is { } replayed) return replayed;
                log.LogInformation("Callback booking collided ({Reason}); attempt {Attempt}", ex.GetType().Name, attempt + 1);
                continue;
            }
            // Committed: published outside the retry, so a failure from here on can never book the request twice
            // (an event not published now is left in the outbox for the relay).
            await outbox.PublishStaged(db, bus, bus, ct);
            return result;
        }
    }

    private async Task<BookingResult?> Replay(string? idempotencyKey, CancellationToken ct)
    {
        if (idempotencyKey is null) return null;
        var existing = await db.Callbacks.AsNoTracking().FirstOrDefaultAsync(c => c.IdempotencyKey == idempotencyKey, ct);
        return existing is null ? null : new BookingResult(existing,
            new BookingDecision.Booked(existing.HomeCentre, existing.Centre, existing.SlotStart, existing.SlotStart + calendar.Options.SlotLength, existing.PlacedReason),
            Replayed: true);
    }

    private async Task<BookingResult> BookOnce(CallbackRequest request, string caller, string? name, string question, string? idempotencyKey, CancellationToken ct)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(IsolationLevel.Serializable, ct);
        var decision = await Place(request, movingId: null, ct);
        if (decision is not BookingDecision.Booked booked) return new BookingResult(null, decision, Replayed: false);

        var now = time.GetUtcNow();
        var appointment = new CallbackAppointment
        {
            Id = NewId.NextSequentialGuid().ToString("N"),
            HomeCentre = booked.HomeCentre, Centre = booked.Centre, Caller = caller, Name = name, Question = question,
            NotBefore = request.NotBefore, NotAfter = request.NotAfter, SlotStart = booked.SlotStart, BookedAt = now,
            PlacedReason = booked.Reason, IdempotencyKey = idempotencyKey, NextAttemptAt = booked.SlotStart,
        };
        db.Callbacks.Add(appointment);
        outbox.Stage(db, booked.Centre, [new CallbackBooked
        {
            CallbackId = appointment.Id, HomeCentre = appointment.HomeCentre, Centre = appointment.Centre, Caller = caller,
            SlotStart = appointment.SlotStart, NotAfter = appointment.NotAfter, BookedAt = now,
        }]);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return new BookingResult(appointment, decision, Replayed: false);
    }

    /// <summary>
    /// Moves a booked appointment to a new window ("can you call me tomorrow instead?"): placed again like a new booking,
    /// where its own old place counts as free, and in the same serializable transaction, so it cannot take a place a
    /// desk booked meanwhile. Null when the appointment does not exist; a refusal when it is no longer booked (being
    /// called right now, done or cancelled). The appointment keeps its id, question and attempts made.
    /// </summary>
    public async Task<(BookingResult? Result, Refusal? Refusal)> Reschedule(string callbackId, CallbackRequest request, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var outcome = await RescheduleOnce(callbackId, request, ct);
                if (outcome.Result?.Appointment is not null) await outbox.PublishStaged(db, bus, bus, ct);
                return outcome;
            }
            catch (Exception ex) when (attempt < Attempts && ex is DbUpdateException or InvalidOperationException or DbException { IsTransient: true })
            {
                db.ChangeTracker.Clear();
                outbox.DiscardStaged();
                log.LogInformation("Callback reschedule collided ({Reason}); attempt {Attempt}", ex.GetType().Name, attempt + 1);
            }
        }
    }

    private async Task<(BookingResult? Result, Refusal? Refusal)> RescheduleOnce(string callbackId, CallbackRequest request, CancellationToken ct)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(IsolationLevel.Serializable, ct);
        var appointment = await db.Callbacks.FirstOrDefaultAsync(c => c.Id == callbackId, ct);
        if (appointment is null) return (null, null);
        if (appointment.Status != CallbackStatus.Booked)
            return (null, new Refusal(RefusalKind.Conflict, "callbackId", appointment.Status is CallbackStatus.Due or CallbackStatus.Calling
                ? $"Callback {callbackId} is being called right now; it cannot be moved."
                : $"Callback {callbackId} is already {appointment.Status}.", RefusalCodes.CallbackNotBooked));
        // The appointment's home centre decides, whatever neighbour holds it now.
        request = request with { Centre = appointment.HomeCentre };
        var decision = await Place(request, movingId: callbackId, ct);
        if (decision is not BookingDecision.Booked booked) return (new BookingResult(null, decision, Replayed: false), null);

        var now = time.GetUtcNow();
        appointment.Centre = booked.Centre;
        appointment.NotBefore = request.NotBefore;
        appointment.NotAfter = request.NotAfter;
        appointment.SlotStart = booked.SlotStart;
        appointment.NextAttemptAt = booked.SlotStart;
        appointment.PlacedReason = booked.Reason;
        appointment.AtRiskSince = null;
        // The version check: should the scheduler pick it up this moment, one of the two saves fails and is retried.
        appointment.Version++;
        outbox.Stage(db, booked.Centre, [new CallbackBooked
        {
            CallbackId = appointment.Id, HomeCentre = appointment.HomeCentre, Centre = appointment.Centre, Caller = appointment.Caller,
            SlotStart = appointment.SlotStart, NotAfter = appointment.NotAfter, BookedAt = now,
        }]);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        log.LogInformation("Callback {CallbackId} moved to {SlotStart} at {Centre}", appointment.Id, appointment.SlotStart, appointment.Centre);
        return (new BookingResult(appointment, decision, Replayed: false), null);
    }

    /// <summary>The calendar's decision for a request, with the slots' current bookings (without the one being moved).</summary>
    private async Task<BookingDecision> Place(CallbackRequest request, string? movingId, CancellationToken ct)
    {
        var centres = new[] { request.Centre }.Concat(overflow.Value.NeighboursOf(request.Centre)).ToList();
        // Every slot the calendar may look at, so no slot it offers looks free when it is not.
        var (from, until) = calendar.SearchRange(request);
        var counts = await db.Callbacks.AsNoTracking()
            .Where(c => centres.Contains(c.Centre) && c.Status != CallbackStatus.Cancelled && c.SlotStart >= from && c.SlotStart < until
                        && c.Id != movingId)
            .GroupBy(c => new { c.Centre, c.SlotStart })
            .Select(g => new { g.Key.Centre, g.Key.SlotStart, Count = g.Count() })
            .ToListAsync(ct);
        var load = new SlotLoad(counts.ToDictionary(c => (c.Centre, c.SlotStart), c => c.Count));
        var agents = await db.Agents.AsNoTracking().Where(a => centres.Contains(a.HomeCentre)).ToListAsync(ct);
        bool CanServe(string neighbour) => agents.Any(a => a.HomeCentre == neighbour
            && a.SkillFor(request.Centre) >= routing.Value.MinimumSkillLevelFor(request.Centre, neighbour));
        return calendar.Place(request, load, CanServe);
    }

    private sealed class SlotLoad(Dictionary<(string, DateTimeOffset), int> counts) : ISlotLoad
    {
        public int Booked(string centre, DateTimeOffset slotStart) => counts.GetValueOrDefault((centre, slotStart));
    }
}
