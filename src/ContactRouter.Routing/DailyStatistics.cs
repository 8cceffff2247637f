namespace ContactRouter.Routing;

/// <summary>A centre's counters for one calendar day: what a team lead looks back on.</summary>
public sealed class DailyStatistics
{
    public required string Centre { get; init; }
    public required DateOnly Day { get; init; }
    /// <summary>Contacts that arrived in the centre's queue.</summary>
    public int Offered { get; internal set; }
    public int Answered { get; internal set; }
    public int Abandoned { get; internal set; }
    public int AnsweredWithinTarget { get; internal set; }
    public double TotalSecondsToAnswer { get; internal set; }
    public int OverflowIn { get; set; }
    public int OverflowOut { get; set; }

    /// <summary>Share of the day's answered contacts answered within the target; null until one is answered.</summary>
    public double? ServiceLevel => Answered == 0 ? null : (double)AnsweredWithinTarget / Answered;
    /// <summary>Share of the callers who left the queue that hung up rather than being answered; null until one left.</summary>
    public double? AbandonedShare => Answered + Abandoned == 0 ? null : (double)Abandoned / (Answered + Abandoned);
    public double AverageSpeedOfAnswerSeconds => Answered == 0 ? 0 : TotalSecondsToAnswer / Answered;

    internal void CountAnswered(TimeSpan waited, TimeSpan target)
    {
        Answered++;
        TotalSecondsToAnswer += waited.TotalSeconds;
        if (waited <= target) AnsweredWithinTarget++;
    }
}
