namespace ContactRouter.Routing;

/// <summary>Overflow settings of one centre.</summary>
public sealed record CentreOverflowSettings
{
    /// <summary>Centres whose agents may help this centre's callers (they need a skill for this centre).</summary>
    public List<string> Neighbours { get; init; } = [];

    /// <summary>
    /// After this wait at home a contact may also be answered by a neighbour. Never above the service-level
    /// target: a contact moved after the target has already missed it.
    /// </summary>
    public TimeSpan OverflowAfter { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Per-priority exceptions to <see cref="OverflowAfter"/>, e.g. urgent contacts overflow sooner.</summary>
    public Dictionary<int, TimeSpan> OverflowAfterByPriority { get; init; } = new();
}

/// <summary>
/// The overflow router's settings. The default is a ring of neighbours (burgerzaken ↔ fysiek ↔ sociaal ↔
/// bedrijfsvoering ↔ burgerzaken): a chain of neighbours gets most of the pooling gain (Jordan &amp; Graves)
/// while each agent needs to know only two other domains.
/// </summary>
public sealed record OverflowOptions
{
    public bool Enabled { get; init; } = true;
    public Dictionary<string, CentreOverflowSettings> Centres { get; init; } = DefaultRing();

    /// <summary>How often a contact may move; 1 means no ping-pong between neighbours.</summary>
    public int MaxHops { get; init; } = 1;

    public static Dictionary<string, CentreOverflowSettings> DefaultRing()
    {
        var ring = CentreCatalog.All;
        return ring.Select((centre, i) => (centre, settings: new CentreOverflowSettings
        {
            Neighbours = [ring[(i + ring.Count - 1) % ring.Count], ring[(i + 1) % ring.Count]],
        })).ToDictionary(p => p.centre, p => p.settings);
    }

    public IReadOnlyList<string> NeighboursOf(string centre) =>
        Centres.TryGetValue(centre, out var settings) ? settings.Neighbours : [];

    public TimeSpan ThresholdFor(string homeCentre, int priority)
    {
        if (!Centres.TryGetValue(homeCentre, out var settings)) return TimeSpan.MaxValue;
        return settings.OverflowAfterByPriority.TryGetValue(priority, out var byPriority) ? byPriority : settings.OverflowAfter;
    }

    /// <summary>Problems with the settings, empty when they are sound.</summary>
    public IEnumerable<string> Problems(TimeSpan serviceLevelTarget)
    {
        if (MaxHops < 0) yield return "MaxHops must be 0 or more.";
        foreach (var (centre, settings) in Centres)
        {
            if (settings.OverflowAfter < TimeSpan.Zero || settings.OverflowAfter > serviceLevelTarget)
                yield return $"{centre}: OverflowAfter must be between 0 and the service-level target ({serviceLevelTarget.TotalSeconds:0} s).";
            foreach (var (priority, after) in settings.OverflowAfterByPriority)
                if (after < TimeSpan.Zero || after > serviceLevelTarget)
                    yield return $"{centre}: OverflowAfterByPriority[{priority}] must be between 0 and the service-level target.";
            foreach (var neighbour in settings.Neighbours)
            {
                if (neighbour == centre) yield return $"{centre} cannot be its own neighbour.";
                else if (!CentreCatalog.IsKnown(neighbour)) yield return $"{centre}: neighbour '{neighbour}' is not a centre.";
            }
        }
    }
}

public sealed record WaitingContact(string ContactId, string HomeCentre, int Priority, DateTimeOffset QueuedAt, int Hops);

/// <summary>A centre as the overflow policy sees it: queued contacts in routing order and its free agents' skills.</summary>
public sealed record CentrePicture(string Centre, IReadOnlyList<WaitingContact> Waiting, IReadOnlyList<IReadOnlyDictionary<string, int>> FreeAgentSkills);

public sealed record Transfer(string ContactId, string FromCentre, string ToCentre);

/// <summary>
/// Timed escalation to a wider pool (as Twilio TaskRouter, Amazon Connect and Genesys "bullseye" do): a
/// contact that has waited its threshold at home may go to a neighbour with a free agent who holds a skill
/// for the contact's centre. Home agents keep first claim, because a centre matches its own free agents
/// at once: a contact still queued at home means no home agent is free for it.
/// </summary>
public sealed class OverflowPolicy(OverflowOptions overflow, RoutingOptions routing)
{
    public OverflowOptions Options => overflow;
    public RoutingOptions Routing => routing;

    public IReadOnlyList<Transfer> Plan(IReadOnlyCollection<CentrePicture> pictures, DateTimeOffset now)
    {
        if (!overflow.Enabled || !AnyMovable(pictures, now)) return [];
        var free = pictures.ToDictionary(p => p.Centre, p => p.FreeAgentSkills.ToList());
        // Plain loops and one sort, not LINQ: the simulator plans after most reviews. The most urgent first (effective
        // priority, then arrival); the index keeps equals in the order given, as a stable sort does.
        var due = new List<(double Urgency, DateTimeOffset QueuedAt, int Index, string Centre, WaitingContact Contact)>();
        foreach (var picture in pictures)
            foreach (var contact in picture.Waiting)
                if (contact.Hops < overflow.MaxHops && now - contact.QueuedAt >= overflow.ThresholdFor(contact.HomeCentre, contact.Priority))
                    due.Add((contact.Priority + routing.AgingPointsPerMinute * (now - contact.QueuedAt).TotalMinutes, contact.QueuedAt, due.Count, picture.Centre, contact));
        due.Sort(static (x, y) =>
        {
            var c = y.Urgency.CompareTo(x.Urgency);
            if (c != 0) return c;
            c = x.QueuedAt.CompareTo(y.QueuedAt);
            return c != 0 ? c : x.Index.CompareTo(y.Index);
        });

        var transfers = new List<Transfer>();
        foreach (var (_, _, _, centre, contact) in due)
        {
            var minimum = routing.MinimumSkillLevelFor(contact.HomeCentre, "");
            // The neighbour with the most eligible free agents first (the first of equals): it has the most room.
            string? target = null;
            var most = 0;
            foreach (var neighbour in overflow.NeighboursOf(centre))
            {
                if (!free.TryGetValue(neighbour, out var agents)) continue;
                var eligible = 0;
                foreach (var skills in agents)
                    if (skills.GetValueOrDefault(contact.HomeCentre) >= minimum) eligible++;
                if (eligible > most) (target, most) = (neighbour, eligible);
            }
            if (target is null) continue;
            // Reserve the agent the neighbour will most likely use, so one free agent is not promised twice.
            Reserve(free[target], contact.HomeCentre);
            transfers.Add(new Transfer(contact.ContactId, centre, target));
        }
        return transfers;
    }

    /// <summary>
    /// Whether the plan could move anything: a contact past its threshold, and a free agent anywhere. Usually not (a
    /// router looks after every change), so the common answer comes from two plain walks instead of the plan's sort.
    /// </summary>
    private bool AnyMovable(IReadOnlyCollection<CentrePicture> pictures, DateTimeOffset now)
    {
        var anyFree = false;
        foreach (var picture in pictures) anyFree |= picture.FreeAgentSkills.Count > 0;
        if (!anyFree) return false;
        foreach (var picture in pictures)
            foreach (var contact in picture.Waiting)
                if (contact.Hops < overflow.MaxHops && now - contact.QueuedAt >= overflow.ThresholdFor(contact.HomeCentre, contact.Priority))
                    return true;
        return false;
    }

    /// <summary>
    /// The pictures as they will be once the transfers are done: the moved contacts gone from their centres and
    /// the agents reserved for them no longer free, so a router can decide again before the centres report back.
    /// </summary>
    public IReadOnlyList<CentrePicture> AfterTransfers(IReadOnlyCollection<CentrePicture> pictures, IReadOnlyList<Transfer> transfers)
    {
        var moved = transfers.Select(t => t.ContactId).ToHashSet();
        var homes = pictures.SelectMany(p => p.Waiting).Where(w => moved.Contains(w.ContactId)).ToDictionary(w => w.ContactId, w => w.HomeCentre);
        return pictures.Select(p =>
        {
            var free = p.FreeAgentSkills.ToList();
            foreach (var transfer in transfers.Where(t => t.ToCentre == p.Centre)) Reserve(free, homes[transfer.ContactId]);
            return p with { Waiting = p.Waiting.Where(w => !moved.Contains(w.ContactId)).ToList(), FreeAgentSkills = free };
        }).ToList();
    }

    private void Reserve(List<IReadOnlyDictionary<string, int>> free, string homeCentre)
    {
        var minimum = routing.MinimumSkillLevelFor(homeCentre, "");
        free.RemoveAt(free.FindIndex(s => s.GetValueOrDefault(homeCentre) >= minimum));
    }

    /// <summary>
    /// The next moment a waiting contact reaches its threshold, so the router can look again then. Plain loops: the
    /// simulator asks after every overflow review.
    /// </summary>
    public DateTimeOffset? NextThreshold(IReadOnlyCollection<CentrePicture> pictures, DateTimeOffset now)
    {
        if (!overflow.Enabled) return null;
        DateTimeOffset? next = null;
        foreach (var picture in pictures)
            foreach (var c in picture.Waiting)
            {
                if (c.Hops >= overflow.MaxHops || !overflow.Centres.ContainsKey(c.HomeCentre)) continue;
                var at = c.QueuedAt + overflow.ThresholdFor(c.HomeCentre, c.Priority);
                if (at > now && (next is null || at < next)) next = at;
            }
        return next;
    }
}
