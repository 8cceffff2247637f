namespace ContactRouter.Routing;

/// <summary>What happened in a centre, in order. The worker turns these into bus events.</summary>
public abstract record RoutingEvent(string ContactOrAgentId, DateTimeOffset At);

public sealed record ContactWasQueued(string ContactId, DateTimeOffset At) : RoutingEvent(ContactId, At);
public sealed record ContactWasOffered(string ContactId, string AgentId, DateTimeOffset ExpiresAt, DateTimeOffset At) : RoutingEvent(ContactId, At);
public sealed record ContactWasAnswered(string ContactId, string AgentId, TimeSpan Waited, DateTimeOffset At) : RoutingEvent(ContactId, At);

public enum RequeueReason { Rejected, OfferTimedOut, AgentLeft }
public sealed record ContactWasRequeued(string ContactId, string AgentId, RequeueReason Reason, DateTimeOffset At) : RoutingEvent(ContactId, At);
public sealed record ContactWasCompleted(string ContactId, string AgentId, string Outcome, DateTimeOffset At) : RoutingEvent(ContactId, At);
public sealed record ContactWasAbandoned(string ContactId, TimeSpan Waited, DateTimeOffset At) : RoutingEvent(ContactId, At);
public sealed record ContactWasTransferred(string ContactId, string FromCentre, string ToCentre, int Hops, DateTimeOffset At) : RoutingEvent(ContactId, At);
public sealed record ContactPriorityWasRaised(string ContactId, int Priority, DateTimeOffset At) : RoutingEvent(ContactId, At);
public sealed record AgentStatusWasChanged(string AgentId, AgentStatus Status, DateTimeOffset At) : RoutingEvent(AgentId, At);

/// <summary>
/// Why a command was refused. <see cref="Field"/> names the offending input for the problem answer; <see cref="Code"/> is a
/// stable name for the reason that the consoles put in the user's words (the English <see cref="Detail"/> is for API users).
/// </summary>
public enum RefusalKind { NotFound, Conflict, Invalid }

public sealed record Refusal(RefusalKind Kind, string Field, string Detail, string Code);
