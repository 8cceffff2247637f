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
    /// <summary>False after time moved silently, until a command or tick applies it.</summary>
    private bool _timeApplied = true;

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
            if (operation is not ("time passes" or "take changes")) _timeApplied = true;
            // Commands that went through, and ticks, must leave nobody free next to a contact they may take.
            // Refused commands and absorbed duplicates are left out of that check here: that they skip matching
            // is pinned on its own by When_an_offer_times_out.Whatever_command_comes_next_applies_the_timeout_….
            var matched = refusal is null && operation is not ("duplicate" or "time passes" or "take changes");
            ShouldHoldInvariants(step, operation, matched);
        }

        // The run only proves something if it went through all the situations it is meant to mix.
        foreach (var operation in new[] { "queue", "accept", "reject", "complete", "abandon", "tick", "time passes", "presence", "accept refused", "offer timed out" })
            _tally.GetValueOrDefault(operation).Should().BeGreaterThan(20, $"the run should exercise '{operation}' (seen: {string.Join(", ", _tally)})");
        Centre.Today.Answered.Should().BeGreaterThan(100, $"seen: {string.Join(", ", _tally)}, live {Centre.LiveContacts.Count()}");
        Centre.Today.Abandoned.Should().BeGreaterThan(30);
    }

    private void Tally(string operation) => _tally[operation] = _tally.GetValueOrDefault(operation) + 1;

    private T Pick<T>(IReadOnlyList<T> items) => items[_random.Next(items.Count)];

    private string AnyContactId() => _contactIds.Count == 0 ? "niemand" : Pick(_contactIds);

    /// <summary>One random operation: mostly sensible ones, with stale and wrong ones mixed in as real clients send them.</summary>
    private (string Operation, Refusal? Refusal) Step()
    {
        // Mostly an agent with an offer, as those are the ones who click accept or reject.
        var withOffer = Centre.Agents.Where(a => a.OfferedContactId is not null).Select(a => a.Id).ToList();
        var agentId = withOffer.Count > 0 && _random.Next(5) > 0 ? Pick(withOffer) : Pick(AgentIds);
        var offered = AgentOf(agentId).OfferedContactId;
        switch (_random.Next(100))
        {
            case < 10:
                var id = $"c{_contactIds.Count + 1}";
                _contactIds.Add(id);
                var overflowed = _random.Next(5) == 0;
                var contact = NewContact(id, Now, _random.Next(RoutingOptions.MinPriority, RoutingOptions.MaxPriority + 1),
                    overflowed ? CentreCatalog.Burgerzaken : Home, overflowed ? 1 : 0);
                return ("queue", Centre.Queue(contact));
            case < 12:
                return ("duplicate", Centre.Queue(NewContact(AnyContactId(), Now)));
            case < 30:
                return ("accept", Centre.Accept(agentId, _random.Next(4) == 0 || offered is null ? AnyContactId() : offered));
            case < 36:
                return ("reject", Centre.Reject(agentId, _random.Next(4) == 0 || offered is null ? AnyContactId() : offered));
            case < 50:
                var connected = Centre.LiveContacts.Where(c => c.Status == ContactStatus.Connected).Select(c => c.Id).ToList();
                return ("complete", Centre.Complete(_random.Next(4) == 0 || connected.Count == 0 ? AnyContactId() : Pick(connected), "resolved", null));
            case < 55:
                return ("abandon", Centre.Abandon(AnyContactId()));
            case < 75:
                return ("presence", Centre.SetPresence(agentId, _random.Next(10) switch
                {
                    < 7 => AgentPresence.Available,
                    < 9 => AgentPresence.Break,
                    _ => AgentPresence.Offline,
                }));
            case < 77:
                return ("register", Centre.RegisterAgent(agentId, agentId, Skills(_random.Next(1, 6), (CentreCatalog.Burgerzaken, _random.Next(1, 6)))));
            case < 80:
                Centre.TakeChanges();
                return ("take changes", null);
            case < 85:
                // Time moves on without an alarm: the next command has to apply it.
                Time.Advance(TimeSpan.FromSeconds(_random.Next(0, 11)));
                _timeApplied = false;
                return ("time passes", null);
            default:
                Time.Advance(TimeSpan.FromSeconds(_random.Next(0, 21)));
                foreach (var _ in Centre.Agents.Where(a => a.OfferExpiresAt <= Now)) Tally("offer timed out");
                Centre.Tick();
                return ("tick", null);
        }
    }

    private void ShouldHoldInvariants(int step, string operation, bool matched)
    {
        var violations = Violations(matched).ToList();
        violations.Should().BeEmpty($"after step {step} ({operation}) on a centre of {Centre.LiveContacts.Count()} live contacts");
    }

    /// <summary>Plain checks (thousands per step), turned into one assertion so a failure lists all that went wrong.</summary>
    private IEnumerable<string> Violations(bool matched)
    {
        var agents = Centre.Agents.ToList();
        var live = Centre.LiveContacts.ToList();

        foreach (var agent in agents)
        {
            if (agent.OfferedContactId is not null && agent.ConnectedContactId is not null)
                yield return $"agent {agent.Id} holds offer {agent.OfferedContactId} and connected {agent.ConnectedContactId}";
            if (agent.OfferedContactId is { } offeredId)
            {
                var contact = Centre.FindContact(offeredId);
                if (contact is null || contact.Status != ContactStatus.Offered || contact.AgentId != agent.Id)
                    yield return $"agent {agent.Id} holds offer {offeredId}, which is {contact?.Status.ToString() ?? "gone"} for {contact?.AgentId}";
                if (_timeApplied && !(agent.OfferExpiresAt > Now))
                    yield return $"agent {agent.Id} keeps an expired offer ({agent.OfferExpiresAt:O})";
            }
            if (agent.ConnectedContactId is { } connectedId
                && (Centre.FindContact(connectedId) is not { Status: ContactStatus.Connected } connected || connected.AgentId != agent.Id))
                yield return $"agent {agent.Id} is connected to {connectedId}, which is not connected to them";
            if (agent.StatusAt(Now) == AgentStatus.Busy && agent.ConnectedContactId is null)
                yield return $"agent {agent.Id} is busy without a contact";
        }

        foreach (var contact in live)
        {
            var holders = agents.Count(a => a.OfferedContactId == contact.Id || a.ConnectedContactId == contact.Id);
            if (holders > 1) yield return $"contact {contact.Id} is held by {holders} agents";
            var agent = contact.AgentId is null ? null : Centre.FindAgent(contact.AgentId);
            switch (contact.Status)
            {
                case ContactStatus.Offered when agent?.OfferedContactId != contact.Id:
                    yield return $"offered contact {contact.Id} names {contact.AgentId}, whose offer is {agent?.OfferedContactId}";
                    break;
                case ContactStatus.Connected when agent?.ConnectedContactId != contact.Id:
                    yield return $"connected contact {contact.Id} names {contact.AgentId}, who is connected to {agent?.ConnectedContactId}";
                    break;
                case ContactStatus.Queued when holders > 0:
                    yield return $"queued contact {contact.Id} is held by an agent";
                    break;
            }
        }

        var today = Centre.Today;
        // Contacts moved here by overflow count as overflow in, not as arrivals: together they are what the centre was offered.
        if (today.Offered != today.Arrived + today.OverflowIn || today.Offered != today.Answered + today.Abandoned + live.Count(c => c.IsWaiting))
            yield return $"offered {today.Offered} (arrivals {today.Arrived} + {today.OverflowIn}) != answered {today.Answered} + abandoned {today.Abandoned} + waiting {live.Count(c => c.IsWaiting)}";

        if (!matched) yield break;
        // After a command that went through (or a tick) nobody free is left idle next to a contact they may take.
        var free = agents.Where(a => a.StatusAt(Now) == AgentStatus.Available).ToList();
        foreach (var contact in live.Where(c => c.Status == ContactStatus.Queued))
        foreach (var agent in free)
            if (agent.SkillFor(contact.HomeCentre) >= Centre.Options.MinimumSkillLevel
                && !(contact.DeclinedUntil.TryGetValue(agent.Id, out var until) && until > Now))
                yield return $"queued contact {contact.Id} waits while eligible agent {agent.Id} is free";
    }
}
