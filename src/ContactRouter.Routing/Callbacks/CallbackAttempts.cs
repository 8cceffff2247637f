namespace ContactRouter.Routing.Callbacks;

/// <summary>
/// Where a booked, not yet reached callback stands. <see cref="Centre"/> is the centre that calls (a neighbour
/// when the appointment was placed there); <see cref="LastAttemptAt"/> is when the last unsuccessful call started.
/// </summary>
public sealed record CallbackProgress(string Centre, DateTimeOffset SlotStart, DateTimeOffset NotAfter, int AttemptsMade, DateTimeOffset? LastAttemptAt);

/// <summary>What to do next with an unreached callback.</summary>
public abstract record AttemptDecision
{
    private AttemptDecision() { }

    /// <summary>Call (attempt number <see cref="Attempt"/>, 1-based) at <see cref="At"/>.</summary>
    public sealed record Due(DateTimeOffset At, int Attempt) : AttemptDecision;

    /// <summary>No further attempt is allowed or possible in time; the appointment has failed.</summary>
    public sealed record Failed(string Reason) : AttemptDecision;
}

/// <summary>
/// The retry and at-risk rules for callback appointments, for the scheduler to call. Pure: it gets the
/// appointment's state and "now" and returns a decision; it books and calls nothing itself.
/// </summary>
public sealed class CallbackAttempts(CallbackCalendar calendar)
{
    private CallbackOptions Options => calendar.Options;

    /// <summary>
    /// The first attempt is due at the slot start. After an attempt that did not reach the customer the next
    /// one is due <see cref="CallbackOptions.RetryInterval"/> later, moved to the centre's next opening when that
    /// falls outside opening hours (nobody is there to call) — but only while fewer than
    /// <see cref="CallbackOptions.MaxAttempts"/> were made and the attempt starts before notAfter, because a call
    /// after the promised time breaks the promise anyway; otherwise the appointment has failed.
    /// </summary>
    public AttemptDecision Next(CallbackProgress progress)
    {
        if (progress.AttemptsMade <= 0)
            return progress.SlotStart < progress.NotAfter
                ? new AttemptDecision.Due(progress.SlotStart, 1)
                : new AttemptDecision.Failed($"The slot ({progress.SlotStart:O}) does not start before notAfter ({progress.NotAfter:O}).");
        if (progress.AttemptsMade >= Options.MaxAttempts)
            return new AttemptDecision.Failed($"{progress.AttemptsMade} attempts made; at most {Options.MaxAttempts} are allowed.");

        var retry = (progress.LastAttemptAt ?? progress.SlotStart) + Options.RetryInterval;
        var at = calendar.NextOpening(progress.Centre, retry);
        if (at is null || at >= progress.NotAfter)
            return new AttemptDecision.Failed(
                $"The next attempt could start at {(at ?? retry):O} at the earliest, not before notAfter ({progress.NotAfter:O}).");
        return new AttemptDecision.Due(at.Value, progress.AttemptsMade + 1);
    }

    /// <summary>
    /// An unreached appointment is at risk when the promise will likely not be kept: no attempt is possible
    /// before notAfter any more, or less than <see cref="CallbackOptions.AtRiskMargin"/> is left. Reported then
    /// so the customer can still be told in time ("afspraak is afspraak").
    /// </summary>
    public bool IsAtRisk(DateTimeOffset now, CallbackProgress progress) =>
        now >= progress.NotAfter - Options.AtRiskMargin || Next(progress) is AttemptDecision.Failed;
}
