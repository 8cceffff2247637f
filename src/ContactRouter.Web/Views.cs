using ContactRouter.Routing;

namespace ContactRouter.Web;

// What the API answers. Names follow api-contract.md; statuses are lower case.

/// <summary>The 202 to a queued caller: the contact, its centre, and the command that queues it (GET /api/commands/{id}).</summary>
public sealed record QueuedContactView(string ContactId, string Centre, string Status, Guid CommandId);

public sealed record ContactView(
    string ContactId, string HomeCentre, string Centre, string Status, string Channel, string? Topic, int Priority,
    string? AgentId, DateTimeOffset QueuedAt, DateTimeOffset? AnsweredAt, DateTimeOffset? CompletedAt, DateTimeOffset? AbandonedAt,
    double? WaitedSeconds, string? Outcome, string? Summary, bool Overflowed, int Hops)
{
    public static ContactView Of(Contact c, DateTimeOffset now) => new(
        c.Id, c.HomeCentre, c.Centre, Lower(c.Status), c.Channel, c.Topic, c.Priority, c.AgentId, c.QueuedAt, c.AnsweredAt, c.CompletedAt,
        c.AbandonedAt, c.WaitedAt(now).TotalSeconds, c.Outcome, c.Summary, c.Overflowed, c.Hops);

    /// <summary>
    /// The router has the caller (the 202 was given) but their centre has not placed them in its queue yet: the status
    /// in the 202 and until the centre's worker takes the command.
    /// </summary>
    public const string Accepted = "accepted";

    internal static string Lower<T>(T value) where T : struct, Enum => value.ToString().ToLowerInvariant();
}

/// <summary>
/// A ringing offer (or the connected contact), with the caller's customer view (recent contacts at any centre) so the
/// agent knows who calls. Caller, customer and callback are shown only to the agent themselves.
/// </summary>
public sealed record OfferView(
    string ContactId, string HomeCentre, string Centre, string Channel, string? Caller, string? Topic, int Priority,
    DateTimeOffset QueuedAt, DateTimeOffset? OfferedAt, DateTimeOffset? ExpiresAt, bool Overflowed, CustomerView? Customer,
    CallbackView? Callback);

public sealed record AgentView(
    string AgentId, string Name, string Centre, IReadOnlyDictionary<string, int> Skills, string Status,
    OfferView? Offer, string? ContactId, OfferView? Connected, DateTimeOffset? WrapUpUntil, bool BreakPending = false);

public sealed record AgentSummaryView(string AgentId, string Name, string Centre, string Status);

/// <param name="Away">Signed on, but their console has been gone longer than Router:ConsoleGrace: offered nothing.</param>
public sealed record AgentCounts(int Available, int Busy, int Wrapup, int Break, int Offered, int NotResponding, int Offline, int Away);

/// <summary>
/// A centre now and today. The day's counts add up as README "The day's numbers" says: <c>offered</c> = <c>arrived</c>
/// (its own callers) + <c>overflowIn</c>, and each offered contact is answered, abandoned, moved on (<c>overflowOut</c>) or
/// still waiting. <c>serviceLevel</c> = <c>answeredWithinTarget</c> ÷ (<c>answered</c> + <c>abandonedAfterGrace</c>).
/// </summary>
public sealed record CentreView(
    string Centre, string Name, int Waiting, double LongestWaitSeconds, AgentCounts Agents,
    int Offered, int Answered, int Abandoned, double? ServiceLevel, double ServiceLevelTargetSeconds,
    double ServiceLevelGoal, string? ServiceLevelColour, double? AbandonedShare, double AbandonedGoal,
    double AverageSpeedOfAnswerSeconds, int OverflowIn, int OverflowOut,
    int CallbacksOpen, int CallbacksAtRisk, int CallbacksFailed,
    int Arrived, int AnsweredWithinTarget, int AbandonedAfterGrace);

/// <summary>
/// The municipality's day as one face: the four centres added up. Overflow moves cancel out, so <c>offered</c> counts
/// every caller once, at the centre they first reached.
/// </summary>
public sealed record MunicipalityView(
    DateOnly Day, int Waiting, int Offered, int Answered, int AnsweredWithinTarget, int Abandoned, int AbandonedAfterGrace,
    double? ServiceLevel, double ServiceLevelTargetSeconds, double ServiceLevelGoal, string? ServiceLevelColour,
    double? AbandonedShare, double AbandonedGoal, double AverageSpeedOfAnswerSeconds);

/// <summary>The dashboard's live view (<c>GET /api/centres/stream</c>): the centres' rows and the municipality's day, read together.</summary>
public sealed record CentresLiveView(IReadOnlyList<CentreView> Centres, MunicipalityView Municipality);

public sealed record LoadPointView(DateTimeOffset At, int Waiting, int Answered, int Abandoned, double? ServiceLevel)
{
    public static LoadPointView Of(LoadPoint p) => new(p.At, p.Waiting, p.Answered, p.Abandoned, p.ServiceLevel);
}

public sealed record CentreHistoryView(string Centre, string Name, int IntervalMinutes, IReadOnlyList<LoadPointView> Points);
