namespace ContactRouter.Web;

// Request bodies as the API contract names them. Fields are nullable so a missing one gets a named problem.

public sealed record QueueContactRequest(string? Centre, string? Channel, string? Caller, int? Priority, string? Topic);
public sealed record CompleteContactRequest(string? Outcome, string? Summary);
public sealed record PutAgentRequest(string? Name, string? Centre, Dictionary<string, int>? Skills);
public sealed record AgentStatusRequest(string? Status);
public sealed record OfferActionRequest(string? ContactId);
