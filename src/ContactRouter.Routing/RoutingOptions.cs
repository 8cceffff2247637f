namespace ContactRouter.Routing;

/// <summary>How a centre routes. Defaults follow the Dutch service norms in shared/domain.md.</summary>
public sealed record RoutingOptions
{
    /// <summary>An unanswered offer returns to the queue after this; the agent goes to not-responding.</summary>
    public TimeSpan OfferTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>After-call work before the agent is available again.</summary>
    public TimeSpan WrapUp { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Service level counts contacts answered within this wait (common KCC target: 20–30 s).</summary>
    public TimeSpan ServiceLevelTarget { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The share of contacts to answer within <see cref="ServiceLevelTarget"/> (common KCC norm: 70–80 %).</summary>
    public double ServiceLevelGoal { get; init; } = 0.8;

    /// <summary>How far below <see cref="ServiceLevelGoal"/> a service level is amber ("watch it") before it turns red.</summary>
    public double ServiceLevelAmberBand { get; init; } = 0.1;

    /// <summary>
    /// A caller who hangs up within this wait is not counted against the service level or the abandoned share: a
    /// misdial or a caller who heard the menu and knew enough had no chance of an answer (contact centres' "short
    /// abandon"). Counted as abandoned all the same.
    /// </summary>
    public TimeSpan AbandonGrace { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The highest share of callers who hang up while waiting that still meets the norm (≤ 5 %).</summary>
    public double AbandonedGoal { get; init; } = 0.05;

    /// <summary>
    /// The team lead's traffic light for a service level: green at or above the goal, amber within the band
    /// below it, red further down; none until a contact has been answered.
    /// </summary>
    public string? ServiceLevelColour(double? serviceLevel) => serviceLevel switch
    {
        null => null,
        var sl when sl >= ServiceLevelGoal => "green",
        // A hair of tolerance: 0.8 − 0.1 is 0.7000000000000001 in binary, and 70 % must read as amber.
        var sl when sl >= ServiceLevelGoal - ServiceLevelAmberBand - 1e-9 => "amber",
        _ => "red",
    };

    /// <summary>
    /// Priority points a waiting contact gains per minute (FreeSWITCH mod_callcenter style aging),
    /// so a low-priority caller is eventually served before fresh high-priority ones: nothing starves.
    /// </summary>
    public double AgingPointsPerMinute { get; init; } = 1.0;

    /// <summary>When true, a higher skill level wins over idle time; otherwise the longest-idle eligible agent gets the offer.</summary>
    public bool PreferHigherSkill { get; init; }

    /// <summary>Lowest skill level an agent needs for a contact's home centre.</summary>
    public int MinimumSkillLevel { get; init; } = 1;

    /// <summary>
    /// Lowest skill level for a contact of another centre (overflow): agents are only partly trained for
    /// their neighbours' domains, so this may be set higher than <see cref="MinimumSkillLevel"/>.
    /// </summary>
    public int OverflowMinimumSkillLevel { get; init; } = 1;

    public int MinimumSkillLevelFor(string contactHome, string centre) =>
        contactHome == centre ? MinimumSkillLevel : Math.Max(MinimumSkillLevel, OverflowMinimumSkillLevel);

    /// <summary>An agent who rejected a contact is not offered that same contact again for this long.</summary>
    public TimeSpan RejectCooldown { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Statistics are kept per calendar day in this time zone (the municipality's day, not UTC's).</summary>
    public string TimeZone { get; init; } = "Europe/Amsterdam";

    public const int MinSkill = 1;
    public const int MaxSkill = 5;
    public const int MinPriority = 0;
    public const int MaxPriority = 9;
}
