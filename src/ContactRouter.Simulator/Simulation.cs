using System.Diagnostics;
using System.Globalization;
using ContactRouter.Routing;

namespace ContactRouter.Simulator;

/// <summary>A simulated caller: the routing core's contact plus what only the simulation knows about it.</summary>
public sealed class SimContact
{
    public required Contact Routed { get; init; }
    /// <summary>Index of the home centre in the scenario.</summary>
    public required int Home { get; init; }
    /// <summary>Arrived after the warm-up: counted in the metrics.</summary>
    public required bool Measured { get; init; }
    /// <summary>Drawn at arrival, so every policy sees the very same callers (common random numbers).</summary>
    public required long HandleTicks { get; init; }
}

/// <summary>
/// The event loop. It drives the real <see cref="Centre"/> objects with the commands a worker would send
/// (queue, accept, complete, abandon, tick) and, for <see cref="Policy.Overflow"/>, does what the overflow
/// router does: pictures of all centres → <see cref="OverflowPolicy.Plan"/> → TransferOut + Queue, and a
/// wake-up at <see cref="OverflowPolicy.NextThreshold"/>. Everything it measures comes from the centres' events.
/// </summary>
public sealed class Simulation
{
    // A Monday at midnight UTC; the date only matters to the centres' day counters, which are not used here.
    private static readonly DateTimeOffset Epoch = new(2026, 1, 5, 0, 0, 0, TimeSpan.Zero);
    private const string PooledCentreId = "pooled";

    private readonly Scenario _scenario;
    private readonly Policy _policy;
    private readonly VirtualClock _clock = new(Epoch);
    private readonly EventQueue _events = new();
    private readonly OverflowPolicy? _overflow;
    /// <summary>Where contacts queue: one per scenario centre, or the single pooled centre.</summary>
    private readonly Centre[] _centres;
    private readonly Dictionary<string, int> _centreIndex = new();
    /// <summary>Per routing centre its agents, to see cheaply whether one is free (no LINQ in the hot path).</summary>
    private readonly Agent[][] _agentsOf;
    /// <summary>Agent id → index of the agent's home centre in the scenario (the pooled centre hides it).</summary>
    private readonly Dictionary<string, int> _agentHome = new();
    private readonly Dictionary<string, SimContact> _live = new();
    private readonly CentreMetrics[] _metrics;
    private readonly Random[] _arrivals;
    private readonly Random[] _callers;
    private readonly CentrePicture[] _pictures;
    private readonly long _endTicks;
    private readonly long _warmupTicks;
    private readonly long _answerTicks;
    private readonly long _wrapUpTicks;
    /// <summary>The pending overflow review; an earlier one supersedes it, a fired one clears it.</summary>
    private long? _reviewAt;
    /// <summary>
    /// The last review left a contact past its threshold that no neighbour could take. Contacts only become
    /// due at a threshold, where a review is armed, so while this is false a freed agent cannot change the plan.
    /// </summary>
    private bool _dueWaiting;
    private long _arrived;
    /// <summary>Drain's buffer, reused: Drain runs after every command and is never re-entered.</summary>
    private readonly List<RoutingEvent> _drained = [];

    private Simulation(Scenario scenario, Policy policy)
    {
        _scenario = scenario;
        _policy = policy;
        _endTicks = Ticks(scenario.Hours * 3600);
        _warmupTicks = Ticks(scenario.WarmupHours * 3600);
        _answerTicks = Ticks(scenario.AnswerSeconds);
        _wrapUpTicks = Ticks(scenario.WrapUpSeconds);

        var routing = new RoutingOptions
        {
            ServiceLevelTarget = scenario.ServiceLevelTarget,
            WrapUp = TimeSpan.FromSeconds(scenario.WrapUpSeconds),
            // Simulated agents always pick up (after answerSeconds), so an offer must never time out.
            OfferTimeout = TimeSpan.FromDays(365),
            OverflowMinimumSkillLevel = scenario.OverflowMinimumSkillLevel,
        };
        if (policy == Policy.Overflow) _overflow = new OverflowPolicy(OverflowOptionsFor(scenario), routing);

        // Separate random streams per centre, seeded from the one seed: arrivals and callers' handle and
        // patience times do not depend on the policy, so policies are compared on identical traffic.
        var master = new Random(scenario.Seed);
        _arrivals = scenario.Centres.Select(_ => new Random(master.Next())).ToArray();
        _callers = scenario.Centres.Select(_ => new Random(master.Next())).ToArray();
        _metrics = scenario.Centres.Select(_ => new CentreMetrics(scenario.ServiceLevelTarget)).ToArray();

        _centres = policy == Policy.Pooled
            ? [new Centre(PooledCentreId, routing, _clock)]
            : scenario.Centres.Select(c => new Centre(c.Id, routing, _clock)).ToArray();
        for (var i = 0; i < _centres.Length; i++) _centreIndex[_centres[i].Id] = i;
        _pictures = new CentrePicture[_centres.Length];
        _agentsOf = RegisterAgents();
    }

    public static SimulationResult Run(Scenario scenario, Policy? policy = null) =>
        new Simulation(scenario, policy ?? scenario.ParsedPolicy).Execute();

    /// <summary>The router's overflow settings for this scenario: its neighbours (ring by default) and thresholds.</summary>
    public static OverflowOptions OverflowOptionsFor(Scenario scenario)
    {
        var centres = OverflowOptions.DefaultRing();
        foreach (var c in scenario.Centres)
        {
            centres[c.Id] = new CentreOverflowSettings
            {
                Neighbours = [.. scenario.NeighboursOf(c.Id)],
                OverflowAfter = TimeSpan.FromSeconds(c.OverflowAfterSeconds ?? scenario.OverflowAfter.TotalSeconds),
            };
        }
        return new OverflowOptions { Centres = centres, MaxHops = scenario.MaxHops };
    }

    private SimulationResult Execute()
    {
        var watch = Stopwatch.StartNew();
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < _scenario.Centres.Count; i++) ScheduleNextArrival(i);
        // Arrivals stop at the end; the loop then serves whoever is still waiting, so nobody measured is cut off.
        while (_events.TryNext(out var e, out var ticks))
        {
            _clock.MoveTo(ticks);
            switch (e.Kind)
            {
                case EventKind.Arrival: Arrive(e.Centre); break;
                case EventKind.Answer: Answer(e.Contact!, e.AgentId!); break;
                case EventKind.Completion: Complete(e.Contact!); break;
                case EventKind.Patience: Abandon(e.Contact!); break;
                case EventKind.Tick: Tick(e.Centre); break;
                case EventKind.OverflowReview:
                    if (_reviewAt != ticks) break; // superseded by an earlier review, which re-armed the next one
                    _reviewAt = null;
                    Review();
                    break;
            }
        }
        watch.Stop();
        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
        if (_live.Count > 0) throw new InvalidOperationException($"{_live.Count} contacts were never answered or abandoned.");
        return Result() with { Throughput = new Throughput(_arrived, watch.Elapsed, allocated) };
    }

    // ---- Events ----

    private void ScheduleNextArrival(int home)
    {
        var perHour = _scenario.Centres[home].CallsPerHour;
        if (perHour <= 0) return;
        var at = _clock.Ticks + Ticks(Exponential(_arrivals[home], 3600 / perHour));
        if (at < _endTicks) _events.Schedule(at, new SimEvent(EventKind.Arrival, home));
    }

    private void Arrive(int home)
    {
        ScheduleNextArrival(home);
        var spec = _scenario.Centres[home];
        var callers = _callers[home];
        var handle = Ticks(Exponential(callers, spec.HandleSeconds));
        long? patience = spec.PatienceSeconds is { } mean ? Ticks(Exponential(callers, mean)) : null;

        var at = _policy == Policy.Pooled ? 0 : home;
        var contact = new Contact
        {
            Id = string.Create(CultureInfo.InvariantCulture, $"c{++_arrived}"),
            HomeCentre = spec.Id,
            Centre = _centres[at].Id,
            Channel = "phone",
            Caller = "+31000000000",
            QueuedAt = _clock.Now,
        };
        var sim = new SimContact { Routed = contact, Home = home, Measured = _clock.Ticks >= _warmupTicks, HandleTicks = handle };
        _live[contact.Id] = sim;
        if (sim.Measured) _metrics[home].CountOffered();

        Check(_centres[at].Queue(contact));
        Drain(at);
        if (patience is { } p) _events.Schedule(_clock.Ticks + p, new SimEvent(EventKind.Patience, at, sim));

        // No home agent was free: the router looks at it again when it reaches its threshold.
        if (_overflow is not null && contact.Status == ContactStatus.Queued && contact.Hops < _overflow.Options.MaxHops)
        {
            var threshold = _overflow.Options.ThresholdFor(spec.Id, contact.Priority);
            if (threshold == TimeSpan.MaxValue) return;
            if (threshold <= TimeSpan.Zero) Review();
            else ArmReview(_clock.Ticks + threshold.Ticks);
        }
    }

    private void Answer(SimContact sim, string agentId)
    {
        // The caller may have hung up while it rang.
        if (sim.Routed.Status != ContactStatus.Offered || sim.Routed.AgentId != agentId) return;
        var at = Holding(sim);
        Check(_centres[at].Accept(agentId, sim.Routed.Id));
        Drain(at);
    }

    private void Complete(SimContact sim)
    {
        var at = Holding(sim);
        Check(_centres[at].Complete(sim.Routed.Id, "resolved", null));
        Drain(at);
        if (_wrapUpTicks == 0) AgentMayBeFree(at);
    }

    private void Abandon(SimContact sim)
    {
        if (!sim.Routed.IsWaiting) return; // answered (or abandoned) already
        var ringing = sim.Routed.Status == ContactStatus.Offered;
        var at = Holding(sim);
        Check(_centres[at].Abandon(sim.Routed.Id));
        Drain(at);
        if (ringing) AgentMayBeFree(at);
    }

    /// <summary>A wrap-up ended: the centre learns it only when told, like the worker's deadline alarm.</summary>
    private void Tick(int at)
    {
        _centres[at].Tick();
        Drain(at);
        AgentMayBeFree(at);
    }

    /// <summary>
    /// Reads what the centre did, as the worker does after each command, and plays the agents' and callers'
    /// part: a ringing agent picks up, an answered call ends after its handle time.
    /// </summary>
    private void Drain(int at)
    {
        var centre = _centres[at];
        var events = _drained;
        while (true)
        {
            events.Clear();
            centre.TakeEvents(events);
            if (events.Count == 0) return;
            // By index: the handlers below give the centre commands, whose events the next round takes.
            for (var i = 0; i < events.Count; i++)
            {
                var e = events[i];
                switch (e)
                {
                    case ContactWasOffered offered:
                        if (_answerTicks == 0) Check(centre.Accept(offered.AgentId, offered.ContactId));
                        else _events.Schedule(_clock.Ticks + _answerTicks, new SimEvent(EventKind.Answer, at, _live[offered.ContactId], offered.AgentId));
                        break;
                    case ContactWasAnswered answered:
                    {
                        var sim = _live[answered.ContactId];
                        if (sim.Measured) _metrics[sim.Home].CountAnswered(answered.Waited, _agentHome[answered.AgentId] != sim.Home);
                        _events.Schedule(_clock.Ticks + sim.HandleTicks, new SimEvent(EventKind.Completion, at, sim));
                        break;
                    }
                    case ContactWasAbandoned abandoned:
                        if (_live.Remove(abandoned.ContactId, out var gone) && gone.Measured) _metrics[gone.Home].CountAbandoned();
                        break;
                    case ContactWasCompleted completed:
                        _live.Remove(completed.ContactId);
                        if (_wrapUpTicks > 0) _events.Schedule(_clock.Ticks + _wrapUpTicks, new SimEvent(EventKind.Tick, at));
                        break;
                    case ContactWasTransferred transferred:
                        var moved = _live[transferred.ContactId];
                        if (moved.Measured) _metrics[moved.Home].CountMoved();
                        break;
                }
            }
        }
    }

    // ---- Overflow: what the overflow router does ----

    /// <summary>
    /// A freed agent is new room for a neighbour's waiting contact. If the agent took its own centre's next
    /// contact, or no contact is past its threshold, Plan would move nothing, so it is not asked: the same
    /// decisions as a router that looks after every event, with far fewer pictures.
    /// </summary>
    private void AgentMayBeFree(int at)
    {
        if (_overflow is null || !_dueWaiting) return;
        var now = _clock.Now;
        foreach (var agent in _agentsOf[at])
        {
            if (agent.StatusAt(now) != AgentStatus.Available) continue;
            Review();
            return;
        }
    }

    private void Review()
    {
        var policy = _overflow!;
        var now = _clock.Now;
        while (true)
        {
            for (var i = 0; i < _centres.Length; i++) _pictures[i] = _centres[i].Picture();
            var transfers = policy.Plan(_pictures, now);
            if (transfers.Count == 0) break;
            foreach (var transfer in transfers)
            {
                var from = _centreIndex[transfer.FromCentre];
                var to = _centreIndex[transfer.ToCentre];
                Check(_centres[from].TransferOut(transfer.ContactId, transfer.ToCentre, out var moved));
                Drain(from);
                Check(_centres[to].Queue(moved!));
                Drain(to);
            }
            // Look again: the neighbour may have offered a moved contact to another agent than the policy
            // reserved, leaving room the first plan did not count. The real router sees that in the next load event.
        }
        _dueWaiting = AnyDue(policy.Options, now);
        if (policy.NextThreshold(_pictures, now) is { } next) ArmReview((next - Epoch).Ticks);
    }

    /// <summary>Whether the pictures (of the final, transfer-free plan) still hold a contact the policy would move.</summary>
    private bool AnyDue(OverflowOptions options, DateTimeOffset now)
    {
        foreach (var picture in _pictures)
            foreach (var c in picture.Waiting)
                if (c.Hops < options.MaxHops && now - c.QueuedAt >= options.ThresholdFor(c.HomeCentre, c.Priority)) return true;
        return false;
    }

    private void ArmReview(long ticks)
    {
        if (_reviewAt is { } armed && armed <= ticks) return; // an earlier review will re-arm this one
        _reviewAt = ticks;
        _events.Schedule(ticks, new SimEvent(EventKind.OverflowReview, -1));
    }

    // ---- Set-up ----

    private Agent[][] RegisterAgents()
    {
        var agents = _centres.Select(_ => new List<Agent>()).ToArray();
        for (var home = 0; home < _scenario.Centres.Count; home++)
        {
            var spec = _scenario.Centres[home];
            var at = _policy == Policy.Pooled ? 0 : home;
            for (var k = 0; k < spec.Agents; k++)
            {
                var agentId = $"{spec.Id}-{k + 1:000}";
                var skills = _policy == Policy.Pooled
                    // Pooled: everyone takes everything, at full skill.
                    ? _scenario.Centres.ToDictionary(c => c.Id, _ => RoutingOptions.MaxSkill)
                    : SkillsOf(spec, k);
                Check(_centres[at].RegisterAgent(agentId, agentId, skills));
                Check(_centres[at].SetPresence(agentId, AgentPresence.Available));
                _agentHome[agentId] = home;
                agents[at].Add(_centres[at].FindAgent(agentId)!);
            }
        }
        foreach (var centre in _centres) centre.TakeChanges(); // registration events are not traffic
        return agents.Select(a => a.ToArray()).ToArray();
    }

    /// <summary>Home skill 5; the first crossSkilledAgents also hold crossSkill for each centre they help.</summary>
    private Dictionary<string, int> SkillsOf(CentreScenario spec, int agent)
    {
        if (spec.AgentSkills is { } explicitSkills && agent < explicitSkills.Count) return new Dictionary<string, int>(explicitSkills[agent]);
        var skills = new Dictionary<string, int> { [spec.Id] = RoutingOptions.MaxSkill };
        if (agent < (spec.CrossSkilledAgents ?? spec.Agents))
            foreach (var helped in _scenario.CentresHelpedBy(spec.Id))
                skills[helped] = spec.CrossSkill ?? _scenario.CrossSkill;
        return skills;
    }

    // ---- Result ----

    private SimulationResult Result()
    {
        var centres = _scenario.Centres
            .Select((c, i) => _metrics[i].Figures(c.Id, c.Agents, c.CallsPerHour, c.Load))
            .ToList();
        var all = new CentreMetrics(_scenario.ServiceLevelTarget);
        foreach (var m in _metrics) all.Add(m);
        var total = all.Figures("total", _scenario.Centres.Sum(c => c.Agents), _scenario.Centres.Sum(c => c.CallsPerHour), _scenario.Centres.Sum(c => c.Load));
        return new SimulationResult(
            _policy.ToString().ToLowerInvariant(), _scenario.Seed, _scenario.Hours, _scenario.WarmupHours, _scenario.ServiceLevelSeconds,
            _policy == Policy.Overflow ? _scenario.OverflowAfter.TotalSeconds : null,
            total, centres, ErlangCReport.For(_scenario), Warnings());
    }

    /// <summary>Overload is reported, not hidden: an unstable queue's figures only say how long the run was.</summary>
    private List<string> Warnings()
    {
        var warnings = new List<string>();
        var load = _scenario.Centres.Sum(c => c.Load);
        var agents = _scenario.Centres.Sum(c => c.Agents);
        if (load >= agents)
            warnings.Add(FormattableString.Invariant($"all centres: offered load {load:0.00} Erlang on {agents} agents (≥ 100 %): unstable under any policy; waits grow with the run length."));
        foreach (var c in _scenario.Centres.Where(c => c.Load >= c.Agents))
        {
            warnings.Add(_policy == Policy.Separate
                ? FormattableString.Invariant($"{c.Id}: offered load {c.Load:0.00} Erlang on {c.Agents} agents ({c.Load / c.Agents:0 %}): UNSTABLE without overflow — its queue grows for as long as the run lasts, so its figures depend on the run length; Erlang C has no steady state for it.")
                : FormattableString.Invariant($"{c.Id}: offered load {c.Load:0.00} Erlang on {c.Agents} agents ({c.Load / c.Agents:0 %}): stable only because other centres' agents take part of its traffic."));
        }
        return warnings;
    }

    // ---- Helpers ----

    private int Holding(SimContact sim) => _centreIndex[sim.Routed.Centre];

    private static double Exponential(Random random, double mean) => -mean * Math.Log(1.0 - random.NextDouble());

    private static long Ticks(double seconds) => (long)Math.Round(seconds * TimeSpan.TicksPerSecond);

    /// <summary>The simulator only sends valid commands; a refusal means the simulation (or the core) is wrong.</summary>
    private static void Check(Refusal? refusal)
    {
        if (refusal is not null) throw new InvalidOperationException($"The routing core refused a simulated command: {refusal.Kind} {refusal.Field}: {refusal.Detail}");
    }
}
