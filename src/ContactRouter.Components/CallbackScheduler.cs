using ContactRouter.Contracts;
using ContactRouter.Routing.Callbacks;
using ContactRouter.Store;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ContactRouter.Components;

/// <summary>
/// Turns due callback appointments into outbound contacts on their centre's queue, and raises
/// <see cref="CallbackAtRisk"/> in time. Runs on <see cref="TimeProvider"/>, so tests use a virtual clock;
/// appointments that fell due while the host was down are made on its first round after start.
/// </summary>
public sealed class CallbackScheduler(IServiceScopeFactory scopes, TimeProvider time, ILogger<CallbackScheduler> log) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(15);
    public const string Channel = "callback";

    /// <summary>
    /// The contact of a callback's attempt: the appointment's id, a dash and the attempt. Other contacts' ids are 32 hex
    /// digits (the API's) or whatever a test names them, but only these are ever an appointment's current contact.
    /// </summary>
    public static string ContactIdOf(string callbackId, int attempt) => $"{callbackId}-{attempt}";

    /// <summary>Whether a contact could be a callback's attempt: without a dash it cannot (<see cref="ContactIdOf"/>).</summary>
    public static bool MayBeContactOfCallback(string contactId) => contactId.Contains('-');

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        do
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await RunOnce(scope.ServiceProvider, stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Another scheduler took the same appointment (version clash) or the store hiccuped: next round.
                log.LogWarning(ex, "Callback round failed; trying again in {Interval}", Interval);
            }
        } while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>One round: queue what is due, warn about what is at risk. Returns how many calls were queued.</summary>
    public static async Task<int> RunOnce(IServiceProvider services, CancellationToken ct)
    {
        var db = services.GetRequiredService<RouterDbContext>();
        var outbox = services.GetRequiredService<OutboxPublisher>();
        var calendar = services.GetRequiredService<CallbackCalendar>();
        var attempts = services.GetRequiredService<CallbackAttempts>();
        var bus = services.GetRequiredService<IBus>();
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();

        var due = await db.Callbacks.Where(c => c.Status == CallbackStatus.Booked && c.NextAttemptAt <= now)
            .OrderBy(c => c.NextAttemptAt).Take(200).ToListAsync(ct);
        foreach (var c in due)
        {
            c.Attempts++;
            c.Status = CallbackStatus.Due;
            c.LastAttemptAt = now;
            c.CurrentContactId = ContactIdOf(c.Id, c.Attempts);
            c.Version++;
            outbox.StageSend(db, new QueueContact
            {
                Centre = c.Centre, ContactId = c.CurrentContactId, HomeCentre = c.HomeCentre, Channel = Channel, Caller = c.Caller,
                Priority = calendar.Options.OutboundPriority, Topic = Channel, QueuedAt = now,
                // Placed at a neighbour by the overflow policy at booking: it arrives there as overflow.
                Hops = c.Centre == c.HomeCentre ? 0 : 1,
            });
            outbox.Stage(db, c.Centre, [new CallbackDue { CallbackId = c.Id, Centre = c.Centre, ContactId = c.CurrentContactId, Attempt = c.Attempts, At = now }]);
        }

        var open = await db.Callbacks.Where(c => (c.Status == CallbackStatus.Booked || c.Status == CallbackStatus.Due) && c.AtRiskSince == null)
            .ToListAsync(ct);
        foreach (var c in open.Where(c => attempts.IsAtRisk(now, Progress(c))))
        {
            c.AtRiskSince = now;
            c.Version++;
            outbox.Stage(db, c.Centre, [new CallbackAtRisk
            {
                CallbackId = c.Id, Centre = c.Centre, NotAfter = c.NotAfter, At = now,
                Reason = now >= c.NotAfter - calendar.Options.AtRiskMargin ? "less than the margin left before notAfter" : "no further attempt fits before notAfter",
            }]);
        }

        await db.SaveChangesAsync(ct);
        await outbox.PublishStaged(db, bus, bus, ct);
        return due.Count;
    }

    public static CallbackProgress Progress(CallbackAppointment c) => new(c.Centre, c.SlotStart, c.NotAfter, c.Attempts, c.LastAttemptAt);
}

/// <summary>
/// Follows the outbound contacts of callbacks: answered → calling; reached (completed so, or the customer picking up the
/// agent's call as the SIP front saw it) → done; not reached → retry or failed.
/// </summary>
public sealed class CallbackConsumer(RouterDbContext db, CallbackAttempts attempts, TimeProvider time, ILogger<CallbackConsumer> log) :
    IConsumer<ContactAnswered>, IConsumer<ContactCompleted>, IConsumer<ContactAbandoned>, IConsumer<CallbackCustomerAnswered>
{
    public const string QueueName = "callbacks";

    public Task Consume(ConsumeContext<ContactAnswered> context) =>
        Update(context, context.Message.ContactId, c => c.Status = CallbackStatus.Calling);

    public Task Consume(ConsumeContext<ContactCompleted> context) =>
        Update(context, context.Message.ContactId, c => Finish(c, reached: context.Message.Outcome == "reached", context));

    public Task Consume(ConsumeContext<CallbackCustomerAnswered> context) =>
        Update(context, context.Message.ContactId, c => Finish(c, reached: true, context));

    public Task Consume(ConsumeContext<ContactAbandoned> context) =>
        Update(context, context.Message.ContactId, c => Finish(c, reached: false, context));

    private void Finish(CallbackAppointment c, bool reached, ConsumeContext context)
    {
        if (reached)
        {
            c.Status = CallbackStatus.Done;
            c.Outcome = "reached";
            return;
        }
        switch (attempts.Next(CallbackScheduler.Progress(c)))
        {
            case AttemptDecision.Due due:
                c.Status = CallbackStatus.Booked;
                c.NextAttemptAt = due.At;
                c.Outcome = "notreached";
                break;
            case AttemptDecision.Failed failed:
                c.Status = CallbackStatus.Failed;
                c.Outcome = failed.Reason;
                log.LogWarning("Callback {CallbackId} failed: {Reason}", c.Id, failed.Reason);
                break;
        }
    }

    private async Task Update(ConsumeContext context, string contactId, Action<CallbackAppointment> change)
    {
        // Only outbound callback contacts have an appointment; every other contact passes by, most without a look in the
        // store (two looks per call otherwise: answered and completed).
        if (!CallbackScheduler.MayBeContactOfCallback(contactId)) return;
        var c = await db.Callbacks.FirstOrDefaultAsync(x => x.CurrentContactId == contactId, context.CancellationToken);
        if (c is null || !CallbackStatus.Open.Contains(c.Status)) return;
        var before = c.Status;
        change(c);
        c.Version++;
        await db.SaveChangesAsync(context.CancellationToken);
        if (c.Status is CallbackStatus.Done or CallbackStatus.Failed && before != c.Status)
            await context.Publish(new CallbackFinished { CallbackId = c.Id, Centre = c.Centre, Status = c.Status, At = time.GetUtcNow() }, context.CancellationToken);
    }
}

public sealed class CallbackConsumerDefinition : ConsumerDefinition<CallbackConsumer>
{
    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpoint, IConsumerConfigurator<CallbackConsumer> consumer, IRegistrationContext context)
    {
        endpoint.ConcurrentMessageLimit = 1;
        endpoint.UseMessageRetry(r => r.Intervals(100, 500, 2000));
    }
}
