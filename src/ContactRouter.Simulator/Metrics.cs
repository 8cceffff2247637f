namespace ContactRouter.Simulator;

/// <summary>
/// Counts of one home centre (contacts are counted where they belong, not where they were answered, so a
/// centre's service level says what its callers experienced). Only contacts that arrived after the
/// warm-up and before the end are counted.
/// </summary>
public sealed class CentreMetrics(TimeSpan serviceLevelTarget)
{
    private readonly List<double> _answeredWaits = [];
    private int _answeredWithinTarget;
    private int _servedByOther;
    private double _totalWait;

    public int Offered { get; private set; }
    public int Answered => _answeredWaits.Count;
    public int Abandoned { get; private set; }
    public int Moved { get; private set; }

    public void CountOffered() => Offered++;

    public void CountAnswered(TimeSpan waited, bool byOtherCentre)
    {
        var seconds = waited.TotalSeconds;
        _answeredWaits.Add(seconds);
        _totalWait += seconds;
        // Same rule as DailyStatistics: a wait equal to the target is within it.
        if (waited <= serviceLevelTarget) _answeredWithinTarget++;
        if (byOtherCentre) _servedByOther++;
    }

    public void CountAbandoned() => Abandoned++;

    public void CountMoved() => Moved++;

    public void Add(CentreMetrics other)
    {
        Offered += other.Offered;
        Abandoned += other.Abandoned;
        Moved += other.Moved;
        _answeredWaits.AddRange(other._answeredWaits);
        _answeredWithinTarget += other._answeredWithinTarget;
        _servedByOther += other._servedByOther;
        _totalWait += other._totalWait;
    }

    public CentreFigures Figures(string centre, int agents, double callsPerHour, double load)
    {
        var finished = Answered + Abandoned;
        return new CentreFigures(
            centre, agents, Round(callsPerHour, 2), Round(load, 3),
            Offered, Answered, Abandoned,
            // Abandoned callers count as missed: with no abandonment this is Erlang C's P(wait ≤ t).
            ServiceLevel: finished == 0 ? 0 : Round((double)_answeredWithinTarget / finished, 4),
            AsaSeconds: Answered == 0 ? 0 : Round(_totalWait / Answered, 2),
            P95WaitSeconds: Round(Percentile(0.95), 2),
            ServedByOtherCentre: Answered == 0 ? 0 : Round((double)_servedByOther / Answered, 4),
            Moved);
    }

    /// <summary>Nearest-rank percentile of the answered contacts' waits.</summary>
    private double Percentile(double p)
    {
        if (_answeredWaits.Count == 0) return 0;
        _answeredWaits.Sort();
        var rank = (int)Math.Ceiling(p * _answeredWaits.Count);
        return _answeredWaits[Math.Clamp(rank - 1, 0, _answeredWaits.Count - 1)];
    }

    // Rounded once, here, so the JSON and the table show the same figures and stay byte-identical per seed.
    private static double Round(double value, int digits) => Math.Round(value, digits, MidpointRounding.AwayFromZero);
}
