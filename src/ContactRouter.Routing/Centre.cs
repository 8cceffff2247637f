namespace ContactRouter.Routing;

/// <summary>
/// One domain service centre: its waiting contacts, its agents and its day's counters. It is the
/// single writer of that state (the worker feeds it one command at a time), so there are no locks.
/// Every command first applies what time has done (offer timeouts, wrap-up ends), then checks its
/// input, changes state only when valid, and finally matches waiting contacts to free agents.
/// </summary>
public sealed class Centre
{
    private readonly Dictionary<string, Contact> _contacts = new();
    private readonly Dictionary<string, Agent> _agents = new();
    private readonly List<RoutingEvent> _events = new();
    private readonly Dictionary<string, Contact> _changedContacts = new();
    private readonly HashSet<string> _changedAgents = new();
    // Reused buffers: Match runs after every command, so its hot path allocates nothing (the simulator
    // drives millions of commands through here). Safe because a centre is used by one thread at a time.
    private readonly List<WaitingEntry> _order = new();
    private readonly PriorityQueue<Contact, WaitingKey> _queued = new(RoutingOrder.Instance);
    /// <summary>The head of a long queue while it is picked: its top is the last of the head in routing order.</summary>
    private readonly PriorityQueue<Contact, WaitingKey> _head = new(Comparer<WaitingKey>.Create(static (x, y) => RoutingOrder.Instance.Compare(y, x)));
    private readonly List<Agent> _free = new();
    private readonly TimeProvider _time;
    private readonly TimeZoneInfo _zone;
    private DailyStatistics _today;
    private bool _statisticsChanged;

    // What lets a command skip the walks over every agent and contact (the simulator runs millions of commands, and a
    // worker with thousands waiting runs every command through them). Each is exact or a safe bound, so the decisions are
    // the same as walking every time; the routing and simulator specs hold them to that.
    /// <summary>
    /// The contacts in <see cref="_contacts"/> whose status is queued: Match has nothing to offer while there are none, and
    /// looks only at these, not at the ringing and connected ones beside them (most of a busy centre's contacts).
    /// </summary>
    private readonly Dictionary<string, Contact> _queuedContacts = new();
    /// <summary>
    /// No offer expires, no wrap-up ends and no decline cools down before this (a lower bound: a deadline cleared early
    /// only costs one walk too many). ApplyTime walks agents and contacts only from then on.
    /// </summary>
    private DateTimeOffset _deadlineWatch = DateTimeOffset.MinValue;
    /// <summary>
    /// Counts changes of agents' facts and contacts (every one goes through <see cref="Changed"/> or <see cref="Record"/>).
    /// Match remembers the count at which it last found nothing more to offer: until it changes, or a deadline may have
    /// passed, Match would find nothing again and does not walk the agents (it runs before and after every command).
    /// </summary>
    private long _version, _matchedAt = -1;
    /// <summary>No agent's derived status changes by time alone (a wrap-up ending) before this; a lower bound too.</summary>
    private DateTimeOffset _statusWatch = DateTimeOffset.MinValue;
    /// <summary>The time of the last status report: a clock set back makes the next report look at every agent again.</summary>
    private DateTimeOffset _reportedAt = DateTimeOffset.MinValue;
    /// <summary>The UTC instants between which <see cref="_today"/> is the municipal day (time zone conversion is costly).</summary>
    private DateTimeOffset _dayStart, _dayEnd;

    public Centre(string id, RoutingOptions options, TimeProvider time)
    {
        // Any id: the simulator runs a single pooled centre beside the four real ones.
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        Id = id;
        Options = options;
        _time = time;
        _zone = TimeZoneInfo.FindSystemTimeZoneById(options.TimeZone);
        _today = new DailyStatistics { Centre = id, Day = DayOf(time.GetUtcNow()) };
        (_dayStart, _dayEnd) = MunicipalDay.Bounds(_today.Day, _zone);
    }

    public string Id { get; }
    public RoutingOptions Options { get; }
    /// <summary>Next arrival number; persisted so a restarted centre keeps numbering where it stopped.</summary>
    public long NextSequence { get; private set; } = 1;

    public IEnumerable<Agent> Agents => _agents.Values;
    public IEnumerable<Contact> LiveContacts => _contacts.Values;
    public DailyStatistics Today => _today;

    public Agent? FindAgent(string agentId) => _agents.GetValueOrDefault(agentId);
    public Contact? FindContact(string contactId) => _contacts.GetValueOrDefault(contactId);

    /// <summary>Waiting contacts (queued or offered) in routing order: effective priority, then arrival.</summary>
    public IReadOnlyList<Contact> WaitingInOrder()
    {
        SortWaiting(queuedOnly: false, _time.GetUtcNow());
        var ordered = new List<Contact>(_order.Count);
        foreach (var entry in _order) ordered.Add(entry.Contact);
        return ordered;
    }

    public TimeSpan LongestWait() => Waiting().Since is { } since ? _time.GetUtcNow() - since : TimeSpan.Zero;

    /// <summary>
    /// How many wait (queued or ringing) and since when the longest of them: one walk that allocates nothing (the worker
    /// reports it after every batch, with ten thousand waiting too).
    /// </summary>
    public (int Count, DateTimeOffset? Since) Waiting()
    {
        var count = 0;
        DateTimeOffset? since = null;
        foreach (var contact in _contacts.Values)
        {
            if (!contact.IsWaiting) continue;
            count++;
            if (since is null || contact.QueuedAt < since) since = contact.QueuedAt;
        }
        return (count, since);
    }

    private static readonly AgentStatus[] Statuses = Enum.GetValues<AgentStatus>();

    /// <summary>Every status with its number of agents (0 included): one walk over the agents, not one per status.</summary>
    public IReadOnlyDictionary<AgentStatus, int> AgentsByStatus()
    {
        var now = _time.GetUtcNow();
        var counts = new int[Statuses.Length];
        foreach (var agent in _agents.Values) counts[(int)agent.StatusAt(now)]++;
        return Statuses.ToDictionary(s => s, s => counts[(int)s]);
    }

    /// <summary>The earliest moment at which time alone changes something (an offer expiring, a wrap-up ending).</summary>
    public DateTimeOffset? NextDeadline()
    {
        var deadlines = _agents.Values.Select(a => a.OfferExpiresAt)
            .Concat(_agents.Values.Select(a => a.WrapUpUntil))
            .Concat(_contacts.Values.Where(c => c.Status == ContactStatus.Queued).SelectMany(c => c.DeclinedUntil.Values.Select(v => (DateTimeOffset?)v)))
            .Where(d => d is not null);
        // Overdue deadlines (a centre restored after downtime) are returned too: the alarm fires at once.
        return deadlines.Min();
    }

    // ---- Restoring from the store ----

    /// <summary>Puts back state saved earlier. Only live contacts belong here; finished ones stay in the store.</summary>
    public void Restore(IEnumerable<Agent> agents, IEnumerable<Contact> liveContacts, DailyStatistics? today, long nextSequence)
    {
        foreach (var agent in agents) _agents[agent.Id] = agent;
        foreach (var contact in liveContacts.Where(c => c.IsLive)) _contacts[contact.Id] = contact;
        if (today is not null && today.Day == _today.Day) _today = today;
        NextSequence = Math.Max(NextSequence, nextSequence);
        // Restored state may hold anything: collect the queued again and look at every deadline and status at the next command.
        _queuedContacts.Clear();
        foreach (var contact in _contacts.Values)
            if (contact.Status == ContactStatus.Queued) _queuedContacts[contact.Id] = contact;
        _deadlineWatch = DateTimeOffset.MinValue;
        _statusWatch = DateTimeOffset.MinValue;
        _version++;
    }

    // ---- Commands ----

    public Refusal? Queue(Contact contact)
    {
        Advance();
        if (_contacts.ContainsKey(contact.Id)) return null; // already here: a duplicate changes nothing
        // A centre takes its own domain's first contacts; others only moved here by overflow. (A pooled
        // centre outside the catalogue, as the simulator's bound, takes everything.)
        if (CentreCatalog.IsKnown(Id) && contact.HomeCentre != Id && contact.Hops == 0)
            return new Refusal(RefusalKind.Invalid, "centre", $"Contact {contact.Id} belongs to {contact.HomeCentre}, not {Id}.", RefusalCodes.WrongCentre);
        contact.Centre = Id;
        contact.Sequence = NextSequence++;
        contact.Status = ContactStatus.Queued;
        _contacts[contact.Id] = contact;
        _queuedContacts[contact.Id] = contact;
        // A contact moved here by the overflow router was offered at its home centre; here it is overflow in.
        if (contact.Hops == 0) _today.CountArrived();
        else _today.OverflowIn++;
        _statisticsChanged = true;
        Record(new ContactWasQueued(contact.Id, Now), contact);
        Match();
        return null;
    }

    /// <summary>Adds an agent to this centre or updates name and skills of one already here.</summary>
    public Refusal? RegisterAgent(string agentId, string name, IReadOnlyDictionary<string, int> skills)
    {
        Advance();
        foreach (var (centre, level) in skills)
        {
            if (!CentreCatalog.IsKnown(centre)) return new Refusal(RefusalKind.Invalid, $"skills.{centre}", $"Unknown centre '{centre}'.", RefusalCodes.UnknownCentre);
            if (level is < RoutingOptions.MinSkill or > RoutingOptions.MaxSkill)
                return new Refusal(RefusalKind.Invalid, $"skills.{centre}", $"Skill level must be {RoutingOptions.MinSkill}–{RoutingOptions.MaxSkill}, was {level}.", RefusalCodes.SkillOutOfRange);
        }
        if (CentreCatalog.IsKnown(Id) && !skills.ContainsKey(Id))
            return new Refusal(RefusalKind.Invalid, $"skills.{Id}", $"An agent of {Id} needs a skill level for {Id}.", RefusalCodes.HomeSkillMissing);

        if (!_agents.TryGetValue(agentId, out var agent))
        {
            agent = new Agent { Id = agentId, HomeCentre = Id, IdleSince = Now, ReportedStatus = AgentStatus.Offline, StatusSince = Now };
            _agents[agentId] = agent;
        }
        agent.Name = name;
        agent.Skills = new Dictionary<string, int>(skills);
        Changed(agentId);
        Match();
        return null;
    }

    public Refusal? SetPresence(string agentId, AgentPresence presence)
    {
        Advance();
        if (!_agents.TryGetValue(agentId, out var agent)) return UnknownAgent(agentId);
        var before = agent.StatusAt(Now);

        switch (presence)
        {
            case AgentPresence.Available:
                agent.LoggedIn = true;
                agent.OnBreak = false;
                agent.NotResponding = false;
                // Asking for "available" during wrap-up ends it early, as agents expect from a ready button.
                if (agent.WrapUpUntil > Now) agent.WrapUpUntil = null;
                if (before is AgentStatus.Offline or AgentStatus.Break or AgentStatus.NotResponding or AgentStatus.WrapUp)
                    agent.IdleSince = Now;
                break;
            case AgentPresence.Break:
                // A break asked for during a call takes effect after the call and its wrap-up (derived status).
                agent.LoggedIn = true;
                agent.OnBreak = true;
                agent.NotResponding = false;
                ReturnOffer(agent, RequeueReason.AgentLeft);
                break;
            case AgentPresence.Offline:
                if (agent.ConnectedContactId is not null)
                    return new Refusal(RefusalKind.Conflict, "status", $"Agent {agentId} is connected to contact {agent.ConnectedContactId}; complete it before going offline.", RefusalCodes.AgentInCall);
                ReturnOffer(agent, RequeueReason.AgentLeft);
                agent.LoggedIn = false;
                agent.OnBreak = false;
                agent.NotResponding = false;
                agent.WrapUpUntil = null;
                break;
        }
        Changed(agentId);
        Match();
        return null;
    }

    /// <summary>
    /// Whether anyone is at the agent's desk (their console is open). Gone: a ringing offer goes back to the queue at
    /// once, keeping the caller's place, rather than ringing on to its timeout: the console was already gone for the
    /// grace, so nobody can answer, and the timeout would only make the caller wait longer and mark the agent not
    /// responding. Back: the agent has exactly the presence they had before.
    /// </summary>
    public Refusal? SetReachable(string agentId, bool reachable)
    {
        Advance();
        if (!_agents.TryGetValue(agentId, out var agent)) return UnknownAgent(agentId);
        if (agent.Unreachable == !reachable) return null;
        agent.Unreachable = !reachable;
        if (!reachable) ReturnOffer(agent, RequeueReason.AgentLeft);
        // Back at the desk: in line again as if they had just become free, not ahead of those who waited meanwhile.
        else if (agent.StatusAt(Now) == AgentStatus.Available) agent.IdleSince = Now;
        Changed(agentId);
        Match();
        return null;
    }

    public Refusal? Accept(string agentId, string contactId)
    {
        Advance();
        if (!_agents.TryGetValue(agentId, out var agent)) return UnknownAgent(agentId);
        if (agent.OfferedContactId != contactId)
            return new Refusal(RefusalKind.Conflict, "contactId", $"Contact {contactId} is not offered to agent {agentId}.", RefusalCodes.NotOffered);
        var contact = _contacts[contactId];
        agent.OfferedContactId = null;
        agent.OfferExpiresAt = null;
        agent.ConnectedContactId = contactId;
        contact.Status = ContactStatus.Connected;
        contact.AnsweredAt = Now;
        var waited = Now - contact.QueuedAt;
        _today.CountAnswered(waited, Options.ServiceLevelTarget);
        _statisticsChanged = true;
        Changed(agentId);
        Record(new ContactWasAnswered(contactId, agentId, waited, Now), contact);
        Match();
        return null;
    }

    public Refusal? Reject(string agentId, string contactId)
    {
        Advance();
        if (!_agents.TryGetValue(agentId, out var agent)) return UnknownAgent(agentId);
        if (agent.OfferedContactId != contactId)
            return new Refusal(RefusalKind.Conflict, "contactId", $"Contact {contactId} is not offered to agent {agentId}.", RefusalCodes.NotOffered);
        var cooldownEnd = Now + Options.RejectCooldown;
        _contacts[contactId].DeclinedUntil[agentId] = cooldownEnd;
        Watch(cooldownEnd);
        ReturnOffer(agent, RequeueReason.Rejected);
        // The agent who declined goes to the back of the idle line.
        agent.IdleSince = Now;
        Match();
        return null;
    }

    public Refusal? Complete(string contactId, string outcome, string? summary)
    {
        Advance();
        if (!_contacts.TryGetValue(contactId, out var contact))
            return new Refusal(RefusalKind.NotFound, "contactId", $"Contact {contactId} is not live at {Id}.", RefusalCodes.ContactNotLive);
        if (contact.Status != ContactStatus.Connected)
            return new Refusal(RefusalKind.Conflict, "contactId", $"Contact {contactId} is {contact.Status.ToString().ToLowerInvariant()}, not connected.", RefusalCodes.ContactNotConnected);
        var agent = _agents[contact.AgentId!];
        agent.ConnectedContactId = null;
        var wrapUpEnds = Now + Options.WrapUp;
        agent.IdleSince = wrapUpEnds;
        // Without a wrap-up (a setting of 0) there is nothing to end later: a deadline of now would only make the next
        // command walk every agent and contact to clear it.
        agent.WrapUpUntil = wrapUpEnds > Now ? wrapUpEnds : null;
        if (agent.WrapUpUntil is { } until)
        {
            Watch(until);
            // While it lasts the agent shows "wrap-up"; its end changes the status without a command.
            if (until < _statusWatch) _statusWatch = until;
        }
        Changed(agent.Id);
        contact.Status = ContactStatus.Completed;
        contact.CompletedAt = Now;
        contact.Outcome = outcome;
        contact.Summary = summary;
        Finish(contact, new ContactWasCompleted(contactId, agent.Id, outcome, Now));
        Match();
        return null;
    }

    public Refusal? Abandon(string contactId)
    {
        Advance();
        if (!_contacts.TryGetValue(contactId, out var contact))
            return new Refusal(RefusalKind.NotFound, "contactId", $"Contact {contactId} is not live at {Id}.", RefusalCodes.ContactNotLive);
        if (!contact.IsWaiting)
            return new Refusal(RefusalKind.Conflict, "contactId", $"Contact {contactId} is {contact.Status.ToString().ToLowerInvariant()}; only a waiting contact can be abandoned.", RefusalCodes.ContactNotWaiting);
        if (contact.Status == ContactStatus.Offered && _agents.TryGetValue(contact.AgentId!, out var agent))
        {
            // The caller hung up during the ring: the agent is free again without losing their place.
            agent.OfferedContactId = null;
            agent.OfferExpiresAt = null;
            Changed(agent.Id);
        }
        _queuedContacts.Remove(contact.Id);
        contact.Status = ContactStatus.Abandoned;
        contact.AbandonedAt = Now;
        contact.AgentId = null;
        _today.CountAbandoned(Now - contact.QueuedAt, Options.AbandonGrace);
        _statisticsChanged = true;
        Finish(contact, new ContactWasAbandoned(contactId, Now - contact.QueuedAt, Now));
        Match();
        return null;
    }

    /// <summary>
    /// Moves a waiting contact to a neighbouring centre (overflow). Only a queued contact moves, never one
    /// that is ringing or connected. It keeps its arrival time, priority and history and counts one hop more.
    /// </summary>
    public Refusal? TransferOut(string contactId, string toCentre, out Contact? moved)
    {
        moved = null;
        Advance();
        if (!_contacts.TryGetValue(contactId, out var contact))
            return new Refusal(RefusalKind.NotFound, "contactId", $"Contact {contactId} is not live at {Id}.", RefusalCodes.ContactNotLive);
        if (contact.Status != ContactStatus.Queued)
            return new Refusal(RefusalKind.Conflict, "contactId", $"Contact {contactId} is {contact.Status.ToString().ToLowerInvariant()}; only a queued contact moves.", RefusalCodes.ContactNotQueued);
        if (toCentre == Id)
            return new Refusal(RefusalKind.Invalid, "toCentre", $"Contact {contactId} is already at {Id}.", RefusalCodes.AlreadyAtCentre);
        // A move to a queue nobody serves would lose the caller.
        if (string.IsNullOrWhiteSpace(toCentre) || (CentreCatalog.IsKnown(Id) && !CentreCatalog.IsKnown(toCentre)))
            return new Refusal(RefusalKind.Invalid, "toCentre", $"'{toCentre}' is not a centre.", RefusalCodes.UnknownCentre);
        contact.Centre = toCentre;
        contact.Hops++;
        contact.DeclinedUntil.Clear();
        _queuedContacts.Remove(contact.Id); // it leaves queued, for the neighbour's queue
        _today.OverflowOut++;
        _statisticsChanged = true;
        Finish(contact, new ContactWasTransferred(contactId, Id, toCentre, contact.Hops, Now));
        moved = contact;
        return null;
    }

    /// <summary>
    /// A team lead raises a waiting caller's priority (queued or ringing; the ringing offer stays). Only up: lowering
    /// would let a team lead push someone to the back, which is not what the button is for.
    /// </summary>
    public Refusal? RaisePriority(string contactId, int priority)
    {
        Advance();
        if (!_contacts.TryGetValue(contactId, out var contact))
            return new Refusal(RefusalKind.NotFound, "contactId", $"Contact {contactId} is not live at {Id}.", RefusalCodes.ContactNotLive);
        if (!contact.IsWaiting)
            return new Refusal(RefusalKind.Conflict, "contactId", $"Contact {contactId} is {contact.Status.ToString().ToLowerInvariant()}; only a waiting caller's priority is raised.", RefusalCodes.ContactNotWaiting);
        if (priority is < RoutingOptions.MinPriority or > RoutingOptions.MaxPriority)
            return new Refusal(RefusalKind.Invalid, "priority", $"A priority is {RoutingOptions.MinPriority}–{RoutingOptions.MaxPriority}; {priority} is not.", RefusalCodes.PriorityOutOfRange);
        if (priority <= contact.Priority)
            return new Refusal(RefusalKind.Conflict, "priority", $"Contact {contactId} already has priority {contact.Priority}; a priority is only raised.", RefusalCodes.PriorityNotHigher);
        contact.Priority = priority;
        Record(new ContactPriorityWasRaised(contactId, priority, Now), contact);
        return null;
    }

    /// <summary>
    /// What the overflow policy needs to know of this centre: its queued contacts in routing order (only the first
    /// <paramref name="head"/>, if given: a load event shows the head of a long line, and picking it takes a walk, not a
    /// sort of the whole line and an object for every caller in it) and the free agents' skills.
    /// </summary>
    public CentrePicture Picture(int head = int.MaxValue)
    {
        var now = Now;
        if (head >= _queuedContacts.Count) SortWaiting(queuedOnly: true, now);
        else PickHead(head, now);
        var waiting = new List<WaitingContact>(_order.Count);
        foreach (var (_, c) in _order) waiting.Add(new WaitingContact(c.Id, c.HomeCentre, c.Priority, c.QueuedAt, c.Hops));
        var free = new List<IReadOnlyDictionary<string, int>>();
        foreach (var agent in _agents.Values)
            if (agent.StatusAt(now) == AgentStatus.Available) free.Add(agent.Skills);
        return new CentrePicture(Id, waiting, free);
    }

    /// <summary>Applies what time alone has done, then matches. The worker calls this when a deadline passes.</summary>
    public void Tick() => Advance();

    /// <summary>Events and changed entities since the last call, for the worker to persist and publish.</summary>
    public CentreChanges TakeChanges()
    {
        ReportAgentStatusChanges();
        // Nothing happened (the simulator asks after every command until a call comes back empty): nothing to allocate.
        if (_events.Count == 0 && _changedContacts.Count == 0 && _changedAgents.Count == 0 && !_statisticsChanged) return CentreChanges.None;
        var agents = new Agent[_changedAgents.Count];
        var i = 0;
        foreach (var id in _changedAgents) agents[i++] = _agents[id];
        var changes = new CentreChanges(
            _events.ToArray(),
            _changedContacts.Values.ToArray(),
            agents,
            _statisticsChanged ? _today : null);
        ForgetChanges();
        return changes;
    }

    /// <summary>
    /// The events since the last call, added to <paramref name="into"/>, for a caller that saves no rows (the simulator):
    /// the same events as <see cref="TakeChanges"/> without the copies of changed entities the worker saves — copies that
    /// were most of what the simulator allocated per contact.
    /// </summary>
    public void TakeEvents(List<RoutingEvent> into)
    {
        ReportAgentStatusChanges();
        into.AddRange(_events);
        ForgetChanges();
    }

    private void ForgetChanges()
    {
        _events.Clear();
        _changedContacts.Clear();
        _changedAgents.Clear();
        _statisticsChanged = false;
    }

    // ---- Rules ----

    private DateTimeOffset Now => _time.GetUtcNow();

    /// <summary>
    /// Applies what time has done, then matches, before any command looks at its input: so even a command
    /// that is refused leaves a timed-out contact offered to the next free agent.
    /// </summary>
    private void Advance()
    {
        ApplyTime();
        Match();
    }

    private void ApplyTime()
    {
        var now = Now;
        if (now < _dayStart || now >= _dayEnd)
        {
            var day = DayOf(now);
            if (day != _today.Day)
            {
                _today = new DailyStatistics { Centre = Id, Day = day };
                _statisticsChanged = true;
            }
            (_dayStart, _dayEnd) = MunicipalDay.Bounds(day, _zone);
            // A zone whose day does not hold this instant (none we know): ask again at every command, as before.
            if (now < _dayStart || now >= _dayEnd) (_dayStart, _dayEnd) = (now, now);
        }
        if (now < _deadlineWatch) return; // nothing is due yet: the walks below would change nothing

        // (Neither loop changes the dictionary it walks: ReturnOffer only changes agents and contacts.)
        var next = DateTimeOffset.MaxValue;
        foreach (var agent in _agents.Values)
        {
            if (!(agent.OfferExpiresAt <= now))
            {
                if (agent.OfferExpiresAt < next) next = agent.OfferExpiresAt.Value;
                continue;
            }
            // No answer in time: the agent is marked not responding until they say they are available.
            ReturnOffer(agent, RequeueReason.OfferTimedOut);
            agent.NotResponding = true;
        }
        foreach (var agent in _agents.Values)
        {
            if (!(agent.WrapUpUntil <= now))
            {
                if (agent.WrapUpUntil < next) next = agent.WrapUpUntil.Value;
                continue;
            }
            agent.WrapUpUntil = null;
            Changed(agent.Id);
        }
        foreach (var contact in _contacts.Values)
        {
            if (contact.DeclinedUntil.Count == 0) continue; // the usual case: nothing to expire, nothing to allocate
            var expired = contact.DeclinedUntil.Where(d => d.Value <= now).Select(d => d.Key).ToList();
            foreach (var agentId in expired) contact.DeclinedUntil.Remove(agentId);
            if (expired.Count > 0)
            {
                _changedContacts[contact.Id] = contact;
                _version++;
            }
            foreach (var until in contact.DeclinedUntil.Values)
                if (until < next) next = until;
        }
        _deadlineWatch = next;
    }

    /// <summary>A deadline was set: ApplyTime looks again once it may be due.</summary>
    private void Watch(DateTimeOffset deadline)
    {
        if (deadline < _deadlineWatch) _deadlineWatch = deadline;
    }

    /// <summary>Offers waiting contacts, in routing order, to the best free eligible agent; never two at once.</summary>
    private void Match()
    {
        if (_queuedContacts.Count == 0) return; // nothing to offer: no need to look for free agents
        var now = Now;
        // Nothing changed since the last match found no more to offer, and no deadline (a wrap-up's end, a decline's
        // cool-down) can have freed anyone: it would find nothing again.
        if (_matchedAt == _version && now < _deadlineWatch) return;
        MatchQueued(now);
        // Whichever way it ended, nothing more can be offered now (its own offers counted in the version).
        _matchedAt = _version;
    }

    private void MatchQueued(DateTimeOffset now)
    {
        var free = _free;
        free.Clear();
        foreach (var agent in _agents.Values)
            if (agent.StatusAt(now) == AgentStatus.Available) free.Add(agent);
        if (free.Count == 0) return;
        // One free agent or one queued contact (a call ending, a caller arriving: the usual commands) make at most one
        // offer: a single walk finds it, no heap needed.
        if (free.Count == 1 || _queuedContacts.Count == 1)
        {
            OfferFirstEligible(free, now);
            return;
        }
        // A heap, not a sort: Match usually needs only as many contacts as there are free agents (often one),
        // while an overloaded centre's queue is long. Contacts come out in exactly the routing order.
        _queued.Clear();
        var index = 0;
        foreach (var contact in _queuedContacts.Values) _queued.Enqueue(contact, KeyOf(contact, now, index++));
        while (_queued.TryDequeue(out var contact, out _))
        {
            var agent = BestAgentFor(contact, free, now);
            if (agent is null) continue;
            Offer(contact, agent);
            free.Remove(agent);
            if (free.Count == 0) return;
        }
    }

    /// <summary>
    /// Offers the first queued contact in routing order that one of the free agents may take to its best agent: what
    /// the heap in <see cref="Match"/> does when only one offer can be made.
    /// </summary>
    private void OfferFirstEligible(List<Agent> free, DateTimeOffset now)
    {
        Contact? first = null;
        Agent? agent = null;
        WaitingKey firstKey = default;
        var index = 0;
        foreach (var contact in _queuedContacts.Values)
        {
            var key = KeyOf(contact, now, index++);
            if (first is not null && RoutingOrder.Instance.Compare(key, firstKey) >= 0) continue;
            if (BestAgentFor(contact, free, now) is not { } best) continue;
            (first, firstKey, agent) = (contact, key, best);
        }
        if (first is not null) Offer(first, agent!);
    }

    /// <summary>
    /// The eligible free agent first in (higher skill when preferred,) longest idle, then id: one pass
    /// instead of a sort, since only the first is wanted. Ids are unique, so there are no ties.
    /// </summary>
    private Agent? BestAgentFor(Contact contact, List<Agent> free, DateTimeOffset now)
    {
        var minimum = Options.MinimumSkillLevelFor(contact.HomeCentre, Id);
        Agent? best = null;
        var bestSkill = 0;
        foreach (var agent in free)
        {
            var skill = agent.SkillFor(contact.HomeCentre);
            if (skill < minimum) continue;
            if (contact.DeclinedUntil.Count > 0 && contact.DeclinedUntil.TryGetValue(agent.Id, out var until) && until > now) continue;
            if (best is null || Precedes(agent, skill, best, bestSkill))
            {
                best = agent;
                bestSkill = skill;
            }
        }
        return best;
    }

    private bool Precedes(Agent agent, int skill, Agent best, int bestSkill)
    {
        if (Options.PreferHigherSkill && skill != bestSkill) return skill > bestSkill;
        if (agent.IdleSince != best.IdleSince) return agent.IdleSince < best.IdleSince;
        return string.CompareOrdinal(agent.Id, best.Id) < 0;
    }

    /// <summary>Fills <see cref="_order"/> with the waiting (or only the queued) contacts in routing order.</summary>
    private void SortWaiting(bool queuedOnly, DateTimeOffset now)
    {
        _order.Clear();
        var index = 0;
        foreach (var contact in queuedOnly ? _queuedContacts.Values : _contacts.Values)
        {
            if (!contact.IsWaiting) continue;
            _order.Add(new WaitingEntry(KeyOf(contact, now, index++), contact));
        }
        if (_order.Count > 1) _order.Sort(static (x, y) => RoutingOrder.Instance.Compare(x.Key, y.Key));
    }

    /// <summary>
    /// Fills <see cref="_order"/> with the first <paramref name="head"/> queued contacts in routing order: exactly the start
    /// of what <see cref="SortWaiting"/> gives (the same keys, and no two alike), found by keeping the best so far in a heap.
    /// </summary>
    private void PickHead(int head, DateTimeOffset now)
    {
        _order.Clear();
        if (head <= 0) return;
        var kept = _head;
        kept.Clear();
        var index = 0;
        foreach (var contact in _queuedContacts.Values)
        {
            var key = KeyOf(contact, now, index++);
            if (kept.Count < head) kept.Enqueue(contact, key);
            else if (kept.TryPeek(out _, out var last) && RoutingOrder.Instance.Compare(key, last) < 0) kept.EnqueueDequeue(contact, key);
        }
        while (kept.TryDequeue(out var contact, out var key)) _order.Add(new WaitingEntry(key, contact));
        _order.Reverse();
    }

    /// <param name="index">Enumeration order: the last key, so that sort and heap, which are not stable, give
    /// exactly the order a stable LINQ OrderBy gave.</param>
    private WaitingKey KeyOf(Contact contact, DateTimeOffset now, int index) =>
        new(contact.EffectivePriority(now, Options.AgingPointsPerMinute), contact.QueuedAt, contact.Sequence, index);

    private readonly record struct WaitingKey(double Priority, DateTimeOffset QueuedAt, long Sequence, int Index);

    private readonly record struct WaitingEntry(WaitingKey Key, Contact Contact);

    /// <summary>Routing order: effective priority (highest first), then arrival, then sequence.</summary>
    private sealed class RoutingOrder : IComparer<WaitingKey>
    {
        public static readonly RoutingOrder Instance = new();

        public int Compare(WaitingKey x, WaitingKey y)
        {
            var c = y.Priority.CompareTo(x.Priority);
            if (c != 0) return c;
            c = x.QueuedAt.CompareTo(y.QueuedAt);
            if (c != 0) return c;
            c = x.Sequence.CompareTo(y.Sequence);
            return c != 0 ? c : x.Index.CompareTo(y.Index);
        }
    }

    private void Offer(Contact contact, Agent agent)
    {
        _queuedContacts.Remove(contact.Id);
        contact.Status = ContactStatus.Offered;
        contact.AgentId = agent.Id;
        contact.OfferedAt = Now;
        contact.OfferCount++;
        agent.OfferedContactId = contact.Id;
        agent.OfferExpiresAt = Now + Options.OfferTimeout;
        Watch(agent.OfferExpiresAt.Value);
        Changed(agent.Id);
        Record(new ContactWasOffered(contact.Id, agent.Id, agent.OfferExpiresAt.Value, Now), contact);
    }

    /// <summary>Puts an agent's pending offer back in the queue; the contact keeps its arrival time, so its old place.</summary>
    private void ReturnOffer(Agent agent, RequeueReason reason)
    {
        if (agent.OfferedContactId is not { } contactId) return;
        agent.OfferedContactId = null;
        agent.OfferExpiresAt = null;
        Changed(agent.Id);
        if (!_contacts.TryGetValue(contactId, out var contact)) return;
        _queuedContacts[contactId] = contact;
        contact.Status = ContactStatus.Queued;
        contact.AgentId = null;
        contact.OfferedAt = null;
        Record(new ContactWasRequeued(contactId, agent.Id, reason, Now), contact);
    }

    private void Finish(Contact contact, RoutingEvent finished)
    {
        _contacts.Remove(contact.Id);
        Record(finished, contact);
    }

    private void Record(RoutingEvent e, Contact contact)
    {
        _events.Add(e);
        _changedContacts[contact.Id] = contact;
        _version++;
    }

    /// <summary>An agent's facts changed: saved with the next changes, and Match looks at the agents again.</summary>
    private void Changed(string agentId)
    {
        _changedAgents.Add(agentId);
        _version++;
    }

    private void ReportAgentStatusChanges()
    {
        var now = Now;
        // An agent's status changes only with its facts (every change of them marks the agent changed) or when its
        // wrap-up ends. So, with no wrap-up ending and the clock not set back, only the changed agents need a look;
        // with one changed agent there is no order of events to keep, so that one alone is looked at.
        if (now >= _reportedAt && now < _statusWatch && _changedAgents.Count <= 1)
        {
            _reportedAt = now;
            string? changed = null;
            foreach (var id in _changedAgents) changed = id;
            if (changed is not null) Report(_agents[changed], now);
            return;
        }
        _reportedAt = now;
        var next = DateTimeOffset.MaxValue;
        foreach (var agent in _agents.Values)
        {
            if (agent.WrapUpUntil > now && agent.WrapUpUntil < next) next = agent.WrapUpUntil.Value;
            Report(agent, now);
        }
        _statusWatch = next;
    }

    private void Report(Agent agent, DateTimeOffset now)
    {
        var status = agent.StatusAt(now);
        if (status == agent.ReportedStatus) return;
        agent.StatusSince = now;
        agent.ReportedStatus = status;
        _changedAgents.Add(agent.Id);
        _events.Add(new AgentStatusWasChanged(agent.Id, status, now));
    }

    private DateOnly DayOf(DateTimeOffset at) => MunicipalDay.Of(at, _zone);

    private static Refusal UnknownAgent(string agentId) =>
        new(RefusalKind.NotFound, "agentId", $"Agent {agentId} is not registered at this centre.", RefusalCodes.UnknownAgent);
}

/// <summary>What one or more commands changed: events in order, and the entities to save.</summary>
public sealed record CentreChanges(
    IReadOnlyList<RoutingEvent> Events,
    IReadOnlyList<Contact> Contacts,
    IReadOnlyList<Agent> Agents,
    DailyStatistics? Statistics)
{
    /// <summary>No change at all (shared: its lists are empty and read-only).</summary>
    public static readonly CentreChanges None = new([], [], [], null);

    public bool IsEmpty => Events.Count == 0 && Contacts.Count == 0 && Agents.Count == 0 && Statistics is null;
}
