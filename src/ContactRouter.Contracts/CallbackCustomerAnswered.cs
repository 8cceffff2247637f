namespace ContactRouter.Contracts;

/// <summary>
/// The SIP front saw a callback's customer pick up the agent's call: the attempt reached them. Recorded on the
/// appointment by the front's word, not typed by hand; the agent still completes the contact with a summary.
/// </summary>
public sealed record CallbackCustomerAnswered
{
    public required string ContactId { get; init; }
    public required DateTimeOffset At { get; init; }
}
