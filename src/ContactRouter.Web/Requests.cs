using System.ComponentModel.DataAnnotations;
using ContactRouter.Routing;

namespace ContactRouter.Web;

// Request bodies as the API contract names them. Fields are nullable so a missing one gets a named problem; what the
// OpenAPI document calls required is what carries [Required], and the other attributes name the limits the endpoint
// checks with (ApiDocument maps them). None of them validates by itself: the endpoint does, with the same constants.

public sealed record QueueContactRequest(
    [property: OneOf(typeof(CentreCatalog), nameof(CentreCatalog.All))] string? Centre,
    [property: Required, OneOf(typeof(ContactsApi), nameof(ContactsApi.Channels))] string? Channel,
    [property: Required, MaxLength(PhoneNumber.MaxInputLength), RegularExpression(PhoneNumber.InputPattern)] string? Caller,
    [property: Range(RoutingOptions.MinPriority, RoutingOptions.MaxPriority)] int? Priority,
    [property: MaxLength(ContactsApi.MaxTopicLength)] string? Topic);

public sealed record CompleteContactRequest(
    [property: Required, OneOf(typeof(ContactsApi), nameof(ContactsApi.Outcomes), nameof(ContactsApi.CallbackOutcomes))] string? Outcome,
    [property: MaxLength(ContactsApi.MaxSummaryLength)] string? Summary);

public sealed record PutAgentRequest(
    [property: Required, MaxLength(Limits.Name)] string? Name,
    [property: Required, OneOf(typeof(CentreCatalog), nameof(CentreCatalog.All))] string? Centre,
    [property: Required, OneOf(typeof(CentreCatalog), nameof(CentreCatalog.All)), Range(RoutingOptions.MinSkill, RoutingOptions.MaxSkill)]
    Dictionary<string, int>? Skills);

public sealed record AgentStatusRequest([property: Required, OneOf(typeof(AgentsApi), nameof(AgentsApi.Presences))] string? Status);

public sealed record OfferActionRequest([property: Required, MaxLength(Limits.Id)] string? ContactId);

public sealed record MoveContactRequest([property: Required, OneOf(typeof(CentreCatalog), nameof(CentreCatalog.All))] string? Centre);

public sealed record RaisePriorityRequest([property: Required, Range(RoutingOptions.MinPriority, RoutingOptions.MaxPriority)] int? Priority);
