using System.Text.Json.Serialization;

namespace ContactRouter.Simulator;

/// <summary>What one run measured. Serialised as the program's JSON output (camelCase).</summary>
public sealed record SimulationResult(
    string Policy,
    int Seed,
    double Hours,
    double WarmupHours,
    double ServiceLevelSeconds,
    double? OverflowAfterSeconds,
    CentreFigures Total,
    IReadOnlyList<CentreFigures> Centres,
    ErlangCReport ErlangC,
    IReadOnlyList<string> Warnings)
{
    /// <summary>Wall-clock figures: not part of the JSON, which must be identical for the same seed.</summary>
    [JsonIgnore]
    public Throughput Throughput { get; init; } = new(0, TimeSpan.Zero);

    public CentreFigures Centre(string id) => Centres.Single(c => c.Centre == id);
}

/// <param name="ServiceLevel">Answered within the target, as a share of answered + abandoned.</param>
/// <param name="ServedByOtherCentre">Share of answered contacts answered by an agent of another home centre.</param>
/// <param name="Moved">Contacts moved to another centre's queue by the overflow router.</param>
public sealed record CentreFigures(
    string Centre,
    int Agents,
    double CallsPerHour,
    double Load,
    int Offered,
    int Answered,
    int Abandoned,
    double ServiceLevel,
    double AsaSeconds,
    double P95WaitSeconds,
    double ServedByOtherCentre,
    int Moved);

/// <param name="Contacts">Every contact that arrived, warm-up included: the work the routing core did.</param>
/// <param name="Allocated">Bytes the run's thread allocated meanwhile: most of the core's cost beside its walks.</param>
public sealed record Throughput(long Contacts, TimeSpan Wall, long Allocated = 0)
{
    public double ContactsPerSecond => Wall <= TimeSpan.Zero ? 0 : Contacts / Wall.TotalSeconds;
    public double BytesPerContact => Contacts == 0 ? 0 : Allocated / (double)Contacts;
}
