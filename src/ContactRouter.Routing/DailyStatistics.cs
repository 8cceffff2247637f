namespace ContactRouter.Routing;

/// <summary>
/// A centre's counters for one calendar day: what a team lead looks back on. Every contact counts at the centre whose
/// queue it waited in: <see cref="Arrived"/> (its own callers) plus <see cref="OverflowIn"/> is what the centre was
/// <see cref="Offered"/>, and each of those ends here as answered, abandoned, or moved on (<see cref="OverflowOut"/>),
/// or is still waiting. Summed over the municipality, moves cancel out and every caller counts once (<see cref="Sum"/>).
/// </summary>
public sealed class DailyStatistics
{
    public required string Centre { get; init; }
    public required DateOnly Day { get; init; }
    /// <summary>The centre's own callers: contacts that arrived in its queue first (not moved here by overflow).</summary>
    public int Arrived { get; internal set; }
    public int Answered { get; internal set; }
    /// <summary>Every caller who hung up while waiting here, short abandons included.</summary>
    public int Abandoned { get; internal set; }
    /// <summary>Callers who hung up after <see cref="RoutingOptions.AbandonGrace"/>: the ones the service level counts.</summary>
    public int AbandonedAfterGrace { get; internal set; }
    public int AnsweredWithinTarget { get; internal set; }
    public double TotalSecondsToAnswer { get; internal set; }
    public int OverflowIn { get; set; }
    public int OverflowOut { get; set; }

    /// <summary>Contacts that waited in this centre's queue today: its own callers and those moved here.</summary>
    public int Offered => Arrived + OverflowIn;

    /// <summary>
    /// Answered within the target as a share of the callers who got an answer or gave up after the grace: a caller
    /// who hung up after waiting too long is a miss, not left out (a centre where half hang up is not at 100 %).
    /// Null until one is answered or abandoned.
    /// </summary>
    public double? ServiceLevel => Answered + AbandonedAfterGrace == 0 ? null : (double)AnsweredWithinTarget / (Answered + AbandonedAfterGrace);

    /// <summary>Share of the same callers who hung up after the grace; with the service level and the late answers it makes 100 %.</summary>
    public double? AbandonedShare => Answered + AbandonedAfterGrace == 0 ? null : (double)AbandonedAfterGrace / (Answered + AbandonedAfterGrace);

    public double AverageSpeedOfAnswerSeconds => Answered == 0 ? 0 : TotalSecondsToAnswer / Answered;

    internal void CountArrived() => Arrived++;

    internal void CountAnswered(TimeSpan waited, TimeSpan target)
    {
        Answered++;
        TotalSecondsToAnswer += waited.TotalSeconds;
        if (waited <= target) AnsweredWithinTarget++;
    }

    internal void CountAbandoned(TimeSpan waited, TimeSpan grace)
    {
        Abandoned++;
        if (waited > grace) AbandonedAfterGrace++;
    }

    /// <summary>
    /// The municipality's day ("one face"): the centres' counters added up. Overflow in and out cancel, so
    /// <see cref="Offered"/> of the sum counts each caller once, at the centre where they first arrived.
    /// </summary>
    public static DailyStatistics Sum(string name, DateOnly day, IEnumerable<DailyStatistics> centres)
    {
        var sum = new DailyStatistics { Centre = name, Day = day };
        foreach (var c in centres)
        {
            sum.Arrived += c.Arrived;
            sum.Answered += c.Answered;
            sum.Abandoned += c.Abandoned;
            sum.AbandonedAfterGrace += c.AbandonedAfterGrace;
            sum.AnsweredWithinTarget += c.AnsweredWithinTarget;
            sum.TotalSecondsToAnswer += c.TotalSecondsToAnswer;
        }
        return sum;
    }
}
