namespace ContactRouter.Store;

// The shared customer view ("klantbeeld"), named after VNG's Klantinteracties API (Open Klant 2) so it can
// later sync with it: a party (partij) has contact moments (klantcontacten), each with a subject and an
// outcome; a callback is an internal task (interne taak). Fed by the centres' events, read by all centres.

/// <summary>A customer, known by phone number (E.164). The BSN is stored for matching only and never leaves unmasked.</summary>
public sealed class Party
{
    public required string PhoneNumber { get; init; }
    public string? Name { get; set; }
    public string? Email { get; set; }
    public string? Bsn { get; set; }
    public required DateTimeOffset FirstSeenAt { get; init; }
}

/// <summary>One contact moment (klantcontact) of a party with any centre.</summary>
public sealed class ContactMoment
{
    public required string ContactId { get; init; }
    public required string PhoneNumber { get; set; }
    public required string HomeCentre { get; set; }
    /// <summary>The centre that holds or held the contact (a neighbour after overflow).</summary>
    public required string Centre { get; set; }
    public required string Channel { get; set; }
    /// <summary>The subject (onderwerp): the topic the caller chose, if any.</summary>
    public string? Subject { get; set; }
    public required DateTimeOffset At { get; set; }
    public DateTimeOffset? AnsweredAt { get; set; }
    public DateTimeOffset? EndedAt { get; set; }
    public string? AgentId { get; set; }
    /// <summary>resolved, transferred, callback, abandoned; null while open.</summary>
    public string? Outcome { get; set; }
    public string? Summary { get; set; }
    public bool Overflowed { get; set; }
}
