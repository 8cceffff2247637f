namespace ContactRouter.Contracts;

/// <summary>"Afspraak is afspraak": this callback will likely not be made before notAfter; tell the customer in time.</summary>
public sealed record CallbackAtRisk
{
    public required string CallbackId { get; init; }
    public required string Centre { get; init; }
    public required DateTimeOffset NotAfter { get; init; }
    public required string Reason { get; init; }
    public required DateTimeOffset At { get; init; }
}
