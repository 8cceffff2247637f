namespace ContactRouter.Contracts;

public sealed record ContactAbandoned
{
    public required string ContactId { get; init; }
    public required string Centre { get; init; }
    public required DateTimeOffset AbandonedAt { get; init; }
    public required double WaitedSeconds { get; init; }
}
