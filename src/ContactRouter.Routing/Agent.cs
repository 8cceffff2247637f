namespace ContactRouter.Routing;

/// <summary><see cref="Away"/>: signed on, but their console has been gone longer than the grace (<see cref="Agent.Unreachable"/>).</summary>
public enum AgentStatus { Offline, Available, Offered, Busy, WrapUp, Break, NotResponding, Away }

/// <summary>The statuses an agent can ask for; the others follow from what the agent is doing.</summary>
public enum AgentPresence { Available, Break, Offline }

/// <summary>
/// An agent of one home centre, with a skill level 1–5 per centre. The agent's status is never stored:
/// it is derived from facts (logged in, on break, an offer or contact in flight, wrap-up end) in
/// <see cref="StatusAt"/>, so it cannot stick at busy after its contact is gone.
/// </summary>
public sealed class Agent
{
    public required string Id { get; init; }
    public required string HomeCentre { get; init; }
    public string Name { get; internal set; } = "";
    public Dictionary<string, int> Skills { get; internal set; } = new();

    // Facts.
    public bool LoggedIn { get; internal set; }
    public bool OnBreak { get; internal set; }
    public bool NotResponding { get; internal set; }
    /// <summary>
    /// Their console (later also their phone) has been gone for longer than the grace: nobody is at the desk to
    /// answer, so nothing is offered. Apart from the presence they asked for, so coming back restores it.
    /// </summary>
    public bool Unreachable { get; internal set; }
    public string? OfferedContactId { get; internal set; }
    public DateTimeOffset? OfferExpiresAt { get; internal set; }
    public string? ConnectedContactId { get; internal set; }
    public DateTimeOffset? WrapUpUntil { get; internal set; }
    /// <summary>When the agent last became free; the longest-idle agent gets the next offer.</summary>
    public DateTimeOffset IdleSince { get; internal set; }

    /// <summary>The status last reported in an event, to notice derived changes (wrap-up ending) once.</summary>
    public AgentStatus ReportedStatus { get; internal set; }

    /// <summary>
    /// Since when the agent is in <see cref="ReportedStatus"/> (the team lead's "Pauze sinds 10:42"): set with the event
    /// that reported it, on the centre's clock. Null for an agent saved before it was kept.
    /// </summary>
    public DateTimeOffset? StatusSince { get; internal set; }

    public int SkillFor(string centre) => Skills.TryGetValue(centre, out var level) ? level : 0;

    public AgentStatus StatusAt(DateTimeOffset now)
    {
        if (!LoggedIn) return AgentStatus.Offline;
        if (OfferedContactId is not null) return AgentStatus.Offered;
        if (ConnectedContactId is not null) return AgentStatus.Busy;
        if (WrapUpUntil > now) return AgentStatus.WrapUp;
        if (Unreachable) return AgentStatus.Away;
        if (NotResponding) return AgentStatus.NotResponding;
        if (OnBreak) return AgentStatus.Break;
        return AgentStatus.Available;
    }
}
