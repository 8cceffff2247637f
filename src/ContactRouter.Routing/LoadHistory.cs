namespace ContactRouter.Routing;

/// <summary>When a contact arrived, was answered and was abandoned: all the team lead's chart needs of it.</summary>
public readonly record struct ContactTimes(DateTimeOffset QueuedAt, DateTimeOffset? AnsweredAt, DateTimeOffset? AbandonedAt);

/// <summary>One interval of a centre's chart: contacts waiting at its end, and how the interval's answered contacts fared.</summary>
public readonly record struct LoadPoint(DateTimeOffset At, int Waiting, int Answered, int AnsweredWithinTarget, int Abandoned)
{
    /// <summary>Share of the interval's answered contacts answered within the target; null when none was answered.</summary>
    public double? ServiceLevel => Answered == 0 ? null : (double)AnsweredWithinTarget / Answered;
}

/// <summary>
/// The last hours of a centre, rebuilt from the contacts' own times rather than from samples, so the chart is
/// whole after a restart and needs no table of its own. The caller picks a centre's contacts: the API takes the
/// centre that holds a contact now, so a contact that overflowed shows in its new centre's past as well.
/// </summary>
public static class LoadHistory
{
    /// <summary>The intervals ending at <paramref name="from"/> + k × <paramref name="step"/> up to <paramref name="to"/>.</summary>
    public static IReadOnlyList<LoadPoint> Of(IEnumerable<ContactTimes> contacts, DateTimeOffset from, DateTimeOffset to, TimeSpan step, TimeSpan target)
    {
        if (step <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(step), "An interval is longer than zero.");
        var count = Math.Max(0, (int)Math.Ceiling((to - from) / step));
        var waiting = new int[count];
        var answered = new int[count];
        var withinTarget = new int[count];
        var abandoned = new int[count];
        foreach (var c in contacts)
        {
            var left = c.AnsweredAt ?? c.AbandonedAt;
            // Waiting at the end of interval i when it arrived before that end and had not left by then.
            for (var i = 0; i < count; i++)
            {
                var end = from + step * (i + 1);
                if (c.QueuedAt <= end && (left is null || left > end)) waiting[i]++;
            }
            if (c.AnsweredAt is { } answeredAt && Interval(answeredAt) is { } a)
            {
                answered[a]++;
                if (answeredAt - c.QueuedAt <= target) withinTarget[a]++;
            }
            else if (c.AbandonedAt is { } abandonedAt && Interval(abandonedAt) is { } b) abandoned[b]++;
        }
        return Enumerable.Range(0, count)
            .Select(i => new LoadPoint(from + step * (i + 1), waiting[i], answered[i], withinTarget[i], abandoned[i]))
            .ToList();

        int? Interval(DateTimeOffset at) => at <= from || at > from + step * count ? null : (int)Math.Ceiling((at - from) / step) - 1;
    }
}
