namespace ContactRouter.Routing.Tests;

/// <summary>
/// Base for the overflow specifications on hand-built pictures: the policy is a pure function of what the
/// centres report, so these specs draw that report by hand and ask what the policy plans at a given second.
/// </summary>
public abstract class OverflowPlanSpec
{
    protected const string Burgerzaken = CentreCatalog.Burgerzaken;
    protected const string Fysiek = CentreCatalog.Fysiek;
    protected const string Sociaal = CentreCatalog.Sociaal;
    protected const string Bedrijfsvoering = CentreCatalog.Bedrijfsvoering;
    protected static readonly DateTimeOffset T0 = new(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);

    /// <summary>A moment <paramref name="seconds"/> after <see cref="T0"/>.</summary>
    protected static DateTimeOffset At(double seconds) => T0.AddSeconds(seconds);

    /// <summary>A caller queued <paramref name="queuedAt"/> seconds after <see cref="T0"/>.</summary>
    protected static WaitingContact Caller(string id, string home, double queuedAt = 0, int priority = 0, int hops = 0) =>
        new(id, home, priority, At(queuedAt), hops);

    /// <summary>The skills of a free agent of <paramref name="centre"/> (level 5 there) with these cross-skills.</summary>
    protected static IReadOnlyDictionary<string, int> FreeAgent(string centre, params (string Centre, int Level)[] others)
    {
        var skills = new Dictionary<string, int> { [centre] = 5 };
        foreach (var (other, level) in others) skills[other] = level;
        return skills;
    }

    protected static CentrePicture Picture(string centre, IEnumerable<WaitingContact>? waiting = null, IEnumerable<IReadOnlyDictionary<string, int>>? free = null) =>
        new(centre, (waiting ?? []).ToList(), (free ?? []).ToList());

    /// <summary>All four centres: the ones given, and an empty picture (nobody waiting, nobody free) for the rest.</summary>
    protected static IReadOnlyCollection<CentrePicture> Ring(params CentrePicture[] pictures) =>
        CentreCatalog.All.Select(c => pictures.SingleOrDefault(p => p.Centre == c) ?? Picture(c)).ToList();

    protected static OverflowPolicy Policy(OverflowOptions? overflow = null, RoutingOptions? routing = null) =>
        new(overflow ?? new OverflowOptions(), routing ?? new RoutingOptions());

    /// <summary>The default ring with one centre's settings replaced.</summary>
    protected static OverflowOptions RingWith(string centre, CentreOverflowSettings settings)
    {
        var centres = OverflowOptions.DefaultRing();
        centres[centre] = settings;
        return new OverflowOptions { Centres = centres };
    }

    /// <summary>The ring's own neighbours of a centre, with other thresholds.</summary>
    protected static CentreOverflowSettings RingSettings(string centre, TimeSpan? after = null, Dictionary<int, TimeSpan>? byPriority = null) => new()
    {
        Neighbours = OverflowOptions.DefaultRing()[centre].Neighbours,
        OverflowAfter = after ?? TimeSpan.FromSeconds(20),
        OverflowAfterByPriority = byPriority ?? new(),
    };
}

/// <summary>
/// Base for the overflow specifications on real centres: the four domain centres on one virtual clock
/// (the <see cref="CentreSpec"/> centre is Sociaal Domein, the other three are built beside it). Pictures come
/// from <c>Centre.Picture()</c>, and transfers are carried out as the worker does: TransferOut at
/// the source, then Queue at the target.
/// </summary>
public abstract class OverflowSpec : CentreSpec
{
    protected const string Burgerzaken = CentreCatalog.Burgerzaken;
    protected const string Fysiek = CentreCatalog.Fysiek;
    protected const string Sociaal = CentreCatalog.Sociaal;
    protected const string Bedrijfsvoering = CentreCatalog.Bedrijfsvoering;

    private Dictionary<string, Centre> _centres = null!;

    protected OverflowSpec()
    {
        Start = Now;
        Build();
    }

    /// <summary>The moment the spec began.</summary>
    protected DateTimeOffset Start { get; }

    /// <summary>Starts over with four new, empty centres that route by these options (same clock).</summary>
    protected void UseEverywhere(RoutingOptions options)
    {
        Use(options);
        Build();
    }

    private void Build() =>
        _centres = CentreCatalog.All.ToDictionary(id => id, id => id == Home ? Centre : new Centre(id, Centre.Options, Time));

    protected Centre At(string centre) => _centres[centre];
    protected IEnumerable<Centre> AllCentres => CentreCatalog.All.Select(At);

    /// <summary>Registers an agent at a centre (level 5 there, plus these cross-skills) and makes them available.</summary>
    protected Agent AvailableAt(string centre, string agentId, params (string Centre, int Level)[] others) =>
        AvailableAt(centre, agentId, 5, others);

    protected Agent AvailableAt(string centre, string agentId, int homeLevel, params (string Centre, int Level)[] others)
    {
        var skills = new Dictionary<string, int> { [centre] = homeLevel };
        foreach (var (other, level) in others) skills[other] = level;
        At(centre).RegisterAgent(agentId, agentId, skills).Should().BeNull();
        At(centre).SetPresence(agentId, AgentPresence.Available).Should().BeNull();
        return At(centre).FindAgent(agentId)!;
    }

    /// <summary>A caller of this centre's domain arriving now.</summary>
    protected Contact QueueAt(string centre, string id, int priority = 0, string caller = "+31612345678")
    {
        var contact = new Contact
        {
            Id = id, HomeCentre = centre, Centre = centre, Channel = "phone", Caller = caller, Priority = priority, QueuedAt = Now,
        };
        At(centre).Queue(contact).Should().BeNull();
        return contact;
    }

    /// <summary>Lets time pass and lets every centre apply it (as their deadline alarms do).</summary>
    protected void Elapse(TimeSpan elapsed)
    {
        Time.Advance(elapsed);
        foreach (var centre in AllCentres) centre.Tick();
    }

    protected void Elapse(int seconds) => Elapse(TimeSpan.FromSeconds(seconds));

    /// <summary>Lets an agent take the contact offered to them.</summary>
    protected void AcceptAt(string centre, string agentId, string contactId) => At(centre).Accept(agentId, contactId).Should().BeNull();

    /// <summary>The agent finishes the contact and says they are ready again at once (ending wrap-up).</summary>
    protected void FinishAndReadyAt(string centre, string agentId, string contactId)
    {
        At(centre).Complete(contactId, "resolved", "uitgelegd").Should().BeNull();
        At(centre).SetPresence(agentId, AgentPresence.Available).Should().BeNull();
    }

    protected string? OfferAt(string centre, string agentId) => At(centre).FindAgent(agentId)!.OfferedContactId;
    protected AgentStatus StatusAt(string centre, string agentId) => At(centre).FindAgent(agentId)!.StatusAt(Now);

    protected IReadOnlyList<CentrePicture> Pictures() => AllCentres.Select(c => c.Picture()).ToList();

    protected OverflowPolicy Policy(OverflowOptions? overflow = null) => new(overflow ?? new OverflowOptions(), Centre.Options);

    /// <summary>What the overflow router would decide now from fresh pictures.</summary>
    protected IReadOnlyList<Transfer> Plan(OverflowOptions? overflow = null) => Policy(overflow).Plan(Pictures(), Now);

    /// <summary>Carries out a transfer as the worker does: out of the source, into the target's queue.</summary>
    protected Contact Move(Transfer transfer) => Move(transfer.ContactId, transfer.FromCentre, transfer.ToCentre);

    protected Contact Move(string contactId, string from, string to)
    {
        At(from).TransferOut(contactId, to, out var moved).Should().BeNull();
        moved.Should().NotBeNull();
        At(to).Queue(moved!).Should().BeNull();
        return moved!;
    }

    /// <summary>The one centre that holds this live contact.</summary>
    protected Centre Holder(string contactId) => AllCentres.Single(c => c.FindContact(contactId) is not null);

    protected IEnumerable<string> WaitingAt(string centre) => At(centre).WaitingInOrder().Select(c => c.Id);

    /// <summary>
    /// Across all four centres: a live contact is at one centre only, held by at most one agent, and no agent
    /// holds two things; per centre every arrival is accounted for (answered, abandoned, moved out or waiting).
    /// </summary>
    protected void ShouldHoldAcrossCentres()
    {
        var problems = new List<string>();
        var live = AllCentres.SelectMany(c => c.LiveContacts.Select(contact => (Centre: c, Contact: contact))).ToList();
        var agents = AllCentres.SelectMany(c => c.Agents).ToList();
        foreach (var group in live.GroupBy(x => x.Contact.Id).Where(g => g.Count() > 1))
            problems.Add($"contact {group.Key} is live at {string.Join(", ", group.Select(x => x.Centre.Id))}");
        foreach (var (centre, contact) in live)
        {
            var holders = agents.Count(a => a.OfferedContactId == contact.Id || a.ConnectedContactId == contact.Id);
            if (holders > 1) problems.Add($"contact {contact.Id} is held by {holders} agents");
            if (contact.Centre != centre.Id) problems.Add($"contact {contact.Id} is at {centre.Id} but says {contact.Centre}");
        }
        foreach (var agent in agents.Where(a => a.OfferedContactId is not null && a.ConnectedContactId is not null))
            problems.Add($"agent {agent.Id} holds offer {agent.OfferedContactId} and contact {agent.ConnectedContactId}");
        foreach (var centre in AllCentres)
        {
            var t = centre.Today;
            var waiting = centre.LiveContacts.Count(c => c.IsWaiting);
            // Offered is its own arrivals plus those moved here; each ends here or moves on, or still waits.
            if (t.Offered != t.Arrived + t.OverflowIn || t.Offered != t.Answered + t.Abandoned + t.OverflowOut + waiting)
                problems.Add($"{centre.Id}: offered {t.Offered} (arrived {t.Arrived} + in {t.OverflowIn}) != answered {t.Answered} + abandoned {t.Abandoned} + out {t.OverflowOut} + waiting {waiting}");
        }
        problems.Should().BeEmpty();
    }
}
