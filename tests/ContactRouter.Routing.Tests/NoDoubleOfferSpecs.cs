namespace ContactRouter.Routing.Tests;

/// <summary>
/// Property-style: thousands of random but reproducible operations (fixed seeds) on one centre with
/// several agents, checking after every step that no contact or agent is ever double-booked.
/// </summary>
public sealed class When_many_agents_and_contacts_meet_at_random : CentreSpec
{
    private static readonly string[] AgentIds = ["anna", "bram", "cees", "dewi", "emre", "fleur", "gijs"];

    private readonly List<string> _contactIds = [];
    private readonly Dictionary<string, int> _tally = new();
    private Random _random = null!;

    [Theory]
    [InlineData(20261123, false)]
    [InlineData(31337, true)]
    [InlineData(4, false)]
    public void No_contact_is_ever_offered_twice_and_no_agent_ever_holds_two_things(int seed, bool preferHigherSkill)
    {
        _random = new Random(seed);
        Use(new RoutingOptions { PreferHigherSkill = preferHigherSkill, MinimumSkillLevel = 2 });
        foreach (var id in AgentIds)
        {
            var skills = Skills(_random.Next(1, 6));
            if (_random.Next(2) == 0) skills[CentreCatalog.Burgerzaken] = _random.Next(1, 6);
            Centre.RegisterAgent(id, id, skills).Should().BeNull();
        }

        for (var step = 0; step < 4000; step++)
        {
            var (operation, refusal) = Step();
            Tally(refusal is null ? operation : operation + " refused");
            ShouldHoldInvariants(step, operation, settled: refusal is null);
        }

        // The run only proves something if it went through all the situations it is meant to mix.
        foreach (var operation in new[] { "queue", "accept", "reject", "complete", "abandon", "time", "presence", "accept refused", "offer timed out" })
            _tally.GetValueOrDefault(operation).Should().BeGreaterThan(20, $"the run should exercise '{operation}' (seen: {string.Join(", ", _tally)})");
        Centre.Today.Answered.Should().BeGreaterThan(100);
    }

    private void Tally(string operation) => _tally[operation] = _tally.GetValueOrDefault(operation) + 1;

    private T Pick<T>(IReadOnlyList<T> items) => items[_random.Next(items.Count)];

    private string AnyContactId() => _contactIds.Count == 0 ? "niemand" : Pick(_contactIds);

    /// <summary>One random operation: mostly sensible ones, with stale and wrong ones mixed in as real clients send them.</summary>
    private (string Operation, Refusal? Refusal) Step()
    {
        var agentId = Pick(AgentIds);
        var offered = AgentOf(agentId).OfferedContactId;
        switch (_random.Next(100))
        {
            case < 20:
                var id = $"c{_contactIds.Count + 1}";
                _contactIds.Add(id);
                var overflowed = _random.Next(5) == 0;
                var contact = NewContact(id, Now, _random.Next(RoutingOptions.MinPriority, RoutingOptions.MaxPriority + 1),
                    overflowed ? CentreCatalog.Burgerzaken : Home, overflowed ? 1 : 0);
                return ("queue", Centre.Queue(contact));
            case < 23:
                return ("duplicate", Centre.Queue(NewContact(AnyContactId(), Now)));
            case < 38:
                return ("accept", Centre.Accept(agentId, _random.Next(4) == 0 || offered is null ? AnyContactId() : offered));
            case < 45:
                return ("reject", Centre.Reject(agentId, _random.Next(4) == 0 || offered is null ? AnyContactId() : offered));
            case < 57:
                var connected = Centre.LiveContacts.Where(c => c.Status == ContactStatus.Connected).Select(c => c.Id).ToList();
                return ("complete", Centre.Complete(_random.Next(4) == 0 || connected.Count == 0 ? AnyContactId() : Pick(connected), "resolved", null));
            case < 63:
                return ("abandon", Centre.Abandon(AnyContactId()));
            case < 80:
                return ("presence", Centre.SetPresence(agentId, _random.Next(10) switch
                {
                    < 7 => AgentPresence.Available,
                    < 9 => AgentPresence.Break,
                    _ => AgentPresence.Offline,
                }));
            case < 82:
                return ("register", Centre.RegisterAgent(agentId, agentId, Skills(_random.Next(1, 6), (CentreCatalog.Burgerzaken, _random.Next(1, 6)))));
            case < 84:
                Centre.TakeChanges();
                return ("take changes", null);
            default:
                var timedOut = Centre.Agents.Count(a => a.OfferExpiresAt is { } until && until <= Now.AddSeconds(20));
                Time.Advance(TimeSpan.FromSeconds(_random.Next(0, 21)));
                var before = Centre.Agents.Count(a => a.OfferedContactId is not null);
                Centre.Tick();
                if (Centre.Agents.Count(a => a.NotResponding) > 0 && timedOut > 0) Tally("offer timed out");
                return ("time", null);
        }
    }

    private void ShouldHoldInvariants(int step, string operation, bool settled)
    {
        var because = $"after step {step} ({operation})";
        var agents = Centre.Agents.ToList();
        var live = Centre.LiveContacts.ToList();

        foreach (var agent in agents)
        {
            (agent.OfferedContactId is not null && agent.ConnectedContactId is not null)
                .Should().BeFalse($"agent {agent.Id} never holds an offer and a connected contact at once {because}");

            if (agent.OfferedContactId is { } offeredId)
            {
                var contact = Centre.FindContact(offeredId);
                contact.Should().NotBeNull($"agent {agent.Id} is offered a live contact {because}");
                contact!.Status.Should().Be(ContactStatus.Offered, because);
                contact.AgentId.Should().Be(agent.Id, because);
                agent.OfferExpiresAt.Should().BeAfter(Now, $"an expired offer is never left standing {because}");
            }
            if (agent.ConnectedContactId is { } connectedId)
            {
                var contact = Centre.FindContact(connectedId);
                contact.Should().NotBeNull(because);
                contact!.Status.Should().Be(ContactStatus.Connected, because);
                contact.AgentId.Should().Be(agent.Id, because);
            }
            if (agent.StatusAt(Now) == AgentStatus.Busy)
                agent.ConnectedContactId.Should().NotBeNull($"{agent.Id} is busy only with a contact {because}");
        }

        foreach (var contact in live)
        {
            var holders = agents.Where(a => a.OfferedContactId == contact.Id || a.ConnectedContactId == contact.Id).ToList();
            holders.Count.Should().BeLessThanOrEqualTo(1, $"contact {contact.Id} is held by at most one agent {because}");
            switch (contact.Status)
            {
                case ContactStatus.Offered:
                    contact.AgentId.Should().NotBeNull(because);
                    Centre.FindAgent(contact.AgentId!)!.OfferedContactId.Should().Be(contact.Id, $"offered contact {contact.Id} {because}");
                    break;
                case ContactStatus.Connected:
                    Centre.FindAgent(contact.AgentId!)!.ConnectedContactId.Should().Be(contact.Id, $"connected contact {contact.Id} {because}");
                    break;
                case ContactStatus.Queued:
                    holders.Should().BeEmpty(because);
                    break;
            }
        }

        var today = Centre.Today;
        today.Offered.Should().Be(today.Answered + today.Abandoned + live.Count(c => c.IsWaiting),
            $"every arrival is answered, abandoned or still waiting {because}");

        if (!settled) return;
        // After a command that went through (or a tick) nobody free is left idle next to a contact they may take.
        var free = agents.Where(a => a.StatusAt(Now) == AgentStatus.Available).ToList();
        foreach (var contact in live.Where(c => c.Status == ContactStatus.Queued))
            free.Should().NotContain(a => a.SkillFor(contact.HomeCentre) >= Centre.Options.MinimumSkillLevel
                                           && !(contact.DeclinedUntil.ContainsKey(a.Id) && contact.DeclinedUntil[a.Id] > Now),
                $"queued contact {contact.Id} has an eligible free agent {because}");
    }
}
