namespace ContactRouter.Routing;

/// <summary>
/// The stable names of the reasons a command is refused (<see cref="Refusal.Code"/>). The API gives them as the problem's
/// <c>code</c>; the consoles say each in Dutch (wwwroot/js/text/nl.js, <c>problem.code.*</c>; a test holds the two in step).
/// </summary>
public static class RefusalCodes
{
    /// <summary>A first contact queued at a centre that is not its home.</summary>
    public const string WrongCentre = "wrong-centre";
    /// <summary>A centre id that is not one of the four.</summary>
    public const string UnknownCentre = "unknown-centre";
    /// <summary>A skill level outside 1–5.</summary>
    public const string SkillOutOfRange = "skill-out-of-range";
    /// <summary>An agent without a skill for their own centre.</summary>
    public const string HomeSkillMissing = "home-skill-missing";
    /// <summary>Going offline while connected to a caller.</summary>
    public const string AgentInCall = "agent-in-call";
    /// <summary>Accepting or rejecting a contact that is not (any longer) offered to this agent.</summary>
    public const string NotOffered = "not-offered";
    /// <summary>A contact the centre no longer holds.</summary>
    public const string ContactNotLive = "contact-not-live";
    /// <summary>Completing a contact that is not connected.</summary>
    public const string ContactNotConnected = "contact-not-connected";
    /// <summary>Abandoning a contact that no longer waits.</summary>
    public const string ContactNotWaiting = "contact-not-waiting";
    /// <summary>Moving a contact that is not queued.</summary>
    public const string ContactNotQueued = "contact-not-queued";
    /// <summary>Moving a contact to the centre it is at.</summary>
    public const string AlreadyAtCentre = "already-at-centre";
    /// <summary>An agent not registered at the centre.</summary>
    public const string UnknownAgent = "unknown-agent";
    /// <summary>A callback window that starts in the past.</summary>
    public const string InThePast = "in-the-past";
    /// <summary>A callback window that ends before it starts.</summary>
    public const string WindowReversed = "window-reversed";
    /// <summary>A callback window longer than the calendar allows.</summary>
    public const string WindowTooLong = "window-too-long";
    /// <summary>Queueing a contact that the store knows as finished or moved on.</summary>
    public const string AlreadyKnown = "already-known";
    /// <summary>A presence that does not exist.</summary>
    public const string UnknownStatus = "unknown-status";
    /// <summary>Moving a contact that has moved as often as allowed.</summary>
    public const string HopLimit = "hop-limit";
    /// <summary>Moving a callback that is being called, done or cancelled.</summary>
    public const string CallbackNotBooked = "callback-not-booked";
    /// <summary>A priority outside 0–9.</summary>
    public const string PriorityOutOfRange = "priority-out-of-range";
    /// <summary>Raising a priority to one that is not higher (a team lead only raises).</summary>
    public const string PriorityNotHigher = "priority-not-higher";
}
