using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using ContactRouter.Components;
using ContactRouter.Routing;
using ContactRouter.Store;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;

namespace ContactRouter.Tests.Cluster;

/// <summary>
/// The drill: the router on a three-node cluster (an API process and Sociaal Domein's worker), a steady stream of callers
/// into Sociaal, agents taking and completing them; then the node that leads centre.sociaal's quorum queue is killed with
/// kill -9 under load. It is also the node both processes are connected to (it comes first in their Bus:Host), so the
/// kill takes the queue's leader and every connection at once: the worst a node can do. Nothing the API accepted may be
/// lost, no contact may ring at two desks, and routing has to come back by itself (the pause is measured and printed).
/// Then the killed node is started again while callers keep coming, rejoins, and the queue is on all three nodes again.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class When_the_node_leading_a_centres_queue_dies(RabbitMqCluster cluster, ITestOutputHelper output) : SharedStoreSpec
{
    private const string Centre = "sociaal";
    private const int Agents = 3;
    /// <summary>Callers per second: well within what three agents on a small, busy machine serve, so a backlog means a pause.</summary>
    private const int CallersPerSecond = 2;
    private const int ServedBeforeTheKill = 10;
    private const int ServedAfterTheKill = 10;
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);
    /// <summary>Three times the API's command timeout (Router:CommandTimeout, 10 s in the test hosts).</summary>
    private static readonly TimeSpan ActionTimeout = TimeSpan.FromSeconds(30);

    private readonly CancellationTokenSource _stop = new();
    private readonly Drill _drill = new();
    /// <summary>Both hosts' log lines, with the drill's time: printed when routing does not come back.</summary>
    private readonly ConcurrentQueue<string> _logs = new();

    public override async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        await base.DisposeAsync();
    }

    private RouterFactory Host(string firstNode, string centres, params (string Key, string Value)[] extra)
    {
        var settings = cluster.Settings(centres, firstNode);
        settings["Routing:WrapUp"] = "00:00:00";
        settings["Router:Overflow"] = "false";
        settings["Router:CustomerView"] = "false";
        settings["Router:Callbacks"] = "false";
        foreach (var (key, value) in extra) settings[key] = value;
        var name = centres == "none" ? "api" : "worker";
        return Start(settings, new CapturingLoggerProvider(_logs, () => $"{_drill.Now.TotalSeconds,7:0.000} s {name}"));
    }

    [Fact]
    public async Task Should_lose_no_accepted_caller_offer_none_twice_and_route_again_by_itself()
    {
        var queue = CentreAddresses.QueueName(Centre);
        var connectedTo = await cluster.LeaderOf(queue);
        var api = Host(connectedTo, "none");
        Host(connectedTo, Centre, ("Router:Api", "false"));
        var admin = api.As(Person.Admin);
        for (var i = 1; i <= Agents; i++)
        {
            var agentId = $"cl-agent-{i}";
            (await admin.PutAgent(agentId, Centre, new { sociaal = 3 })).StatusCode.Should().Be(HttpStatusCode.OK);
            var desk = api.As(Person.Agent(agentId));
            (await desk.SetStatus(agentId, "available")).StatusCode.Should().Be(HttpStatusCode.OK);
            _ = Task.Run(() => Desk(agentId, desk, _stop.Token));
        }
        var callers = Task.Run(() => Callers(api.As(Person.Exchange), _stop.Token));
        var drill = Stopwatch.StartNew();

        await Within(_drill.Served(ServedBeforeTheKill), $"{ServedBeforeTheKill} callers served before the kill");
        // The leader may have moved since the hosts started (it does not, unless a node is in trouble); kill the one now.
        var leader = await cluster.LeaderOf(queue);
        await cluster.Kill(leader);
        var killedAt = _drill.Kill();
        output.WriteLine($"{drill.Elapsed.TotalSeconds:0.0} s: killed {leader}, {_drill.ServedCount} served");

        await Within(_drill.AnsweredAgain, $"an accept sent after {leader} was killed to be answered", () => NotRouting(api, killedAt));
        await Within(_drill.NewCallerRang, $"a caller who arrived after {leader} was killed to ring at a desk", () => NotRouting(api, killedAt));
        output.WriteLine($"{drill.Elapsed.TotalSeconds:0.0} s: routing again, {_drill.ServedCount} served");

        // The killed node comes back and rejoins while callers keep coming.
        var restart = Task.Run(async () =>
        {
            var started = Stopwatch.StartNew();
            await cluster.Start();
            return started.Elapsed;
        });
        await Within(_drill.Served(_drill.ServedCount + ServedAfterTheKill), $"{ServedAfterTheKill} more callers served after the kill");
        var rejoined = await restart;
        output.WriteLine($"{drill.Elapsed.TotalSeconds:0.0} s: node back, {_drill.ServedCount} served");

        // The stream stops; every accepted caller must still reach an agent and be completed.
        _drill.StopCalling();
        await callers;
        var accepted = _drill.Accepted.Keys.ToHashSet();
        IReadOnlyDictionary<string, ContactStatus> statuses = new Dictionary<string, ContactStatus>();
        var drained = await Within(async () =>
        {
            await using var db = api.NewDbContext();
            statuses = await db.Contacts.AsNoTracking().Where(c => c.Centre == Centre).ToDictionaryAsync(c => c.Id, c => c.Status);
            return accepted.All(id => statuses.GetValueOrDefault(id) == ContactStatus.Completed);
        });
        await _stop.CancelAsync();
        var lost = accepted.Where(id => statuses.GetValueOrDefault(id) != ContactStatus.Completed)
            .Select(id => $"{id} ({(statuses.TryGetValue(id, out var status) ? status.ToString() : "unknown to the store")})").ToList();
        if (lost.Count > 0) output.WriteLine(await StuckState(api, accepted.Where(id => statuses.GetValueOrDefault(id) != ContactStatus.Completed)));
        output.WriteLine($"{drill.Elapsed.TotalSeconds:0.0} s: drained, {accepted.Count} accepted, {lost.Count} not completed");

        // The queue is replicated on all three nodes again.
        var replicas = await Api.Eventually(() => cluster.Replicas(queue), r => r.Online.Length == 3, $"{queue} online on all three nodes", 30000);

        Figures.Print(output, "cluster: leader node killed",
            $"kill -9 of {leader} (leader of {queue}{(leader == connectedTo ? ", and the node the router was connected to" : "")}) " +
            $"under {CallersPerSecond} callers/s, {Agents} agents: accepted {accepted.Count}, not accepted {_drill.NotAccepted}, " +
            $"completed {accepted.Count - lost.Count}, lost {lost.Count}, double offers {_drill.DoubleOffers.Count}; time to serve again " +
            $"{(_drill.FirstAnswerAfterKill - killedAt).TotalSeconds:0.0} s (kill → next accept answered), " +
            $"{(_drill.FirstNewCallerRang - killedAt).TotalSeconds:0.0} s (kill → first caller who arrived after it rang; before the kill a caller " +
            $"rang after {_drill.UsualRingDelay.TotalSeconds:0.0} s, median); agent actions answered 202 pending {_drill.PendingActions}, " +
            $"refused {_drill.RefusedActions}, unanswered {_drill.Hung.Count}, failed {_drill.Errors.Count}; console views not 2xx {_drill.FailedViews.Values.Sum()}; killed node started again and rejoined in {rejoined.TotalSeconds:0} s, " +
            $"{queue} on {replicas.Online.Length} nodes again; host warnings and errors: {HostWarnings()}");

        drained.Should().BeTrue($"every accepted caller is served once the stream stops; not completed: {string.Join(", ", lost.Take(10))}");
        lost.Should().BeEmpty("a 202 means the caller is queued, whatever happens to a broker node");
        _drill.DoubleOffers.Should().BeEmpty("a contact rings at one desk at a time, and never again once answered");
        _drill.Hung.Should().BeEmpty("the API answers an agent's action within its command timeout (done, or 202 pending), never leaves it hanging");
        accepted.Count.Should().BeGreaterThanOrEqualTo(ServedBeforeTheKill + ServedAfterTheKill);
        replicas.Members.Should().HaveCount(3, "every centre queue keeps a replica on each node");
    }

    /// <summary>
    /// What a failed drain leaves to go on: each contact not completed as the store has it, what the drill saw of it, and
    /// every agent's row — whether the store, the desks' view or the worker lost track of it.
    /// </summary>
    private async Task<string> StuckState(RouterFactory api, IEnumerable<string> stuck)
    {
        await using var db = api.NewDbContext();
        var lines = new List<string>();
        foreach (var id in stuck)
        {
            var c = await db.Contacts.AsNoTracking().FirstOrDefaultAsync(c => c.Id == id);
            lines.Add(c is null ? $"{id}: not in the store"
                : $"{id}: {c.Status} agent {c.AgentId ?? "-"} offers {c.OfferCount} offered {c.OfferedAt:HH:mm:ss.fff} answered {c.AnsweredAt:HH:mm:ss.fff}; drill: {_drill.Seen(id)}");
            // The commands about it, as the API recorded them and the worker answered them.
            foreach (var row in await db.AcceptedCommands.AsNoTracking().Where(r => r.ContactId == id).OrderBy(r => r.Sequence).ToListAsync())
            {
                var answer = await db.ProcessedCommands.AsNoTracking().FirstOrDefaultAsync(p => p.CommandId == row.CommandId);
                lines.Add($"  {row.MessageType} {row.CommandId} by {row.Requester}: handed over {row.HandedOverAt is not null}, relay from {(row.DeliverAfter - row.AcceptedAt)?.TotalSeconds.ToString("0.#") ?? "-"} s after, " +
                          $"answered {row.AnsweredAt is not null}: {(answer is null ? "no processed row" : answer.Accepted ? "applied" : $"refused {answer.Code}")}");
            }
        }
        lines.AddRange(await Desks(db));
        lines.Add($"console views that failed: {(_drill.FailedViews.IsEmpty ? "none" : string.Join(", ", _drill.FailedViews.Select(f => $"{f.Key}: {f.Value}")))}");
        return string.Join(Environment.NewLine, lines);
    }

    /// <summary>Every agent's row as the store has it, what the agent's desk last sent, and the desks' errors.</summary>
    private async Task<List<string>> Desks(RouterDbContext db)
    {
        var lines = (await db.Agents.AsNoTracking().Where(a => a.HomeCentre == Centre).ToListAsync())
            .Select(a => $"{a.Id}: logged in {a.LoggedIn} break {a.OnBreak} not responding {a.NotResponding} unreachable {a.Unreachable} offer {a.OfferedContactId ?? "-"} " +
                         $"connected {a.ConnectedContactId ?? "-"} reported {a.ReportedStatus}; desk sent accept {_drill.Desks.GetValueOrDefault(a.Id).Accepted ?? "-"} " +
                         $"complete {_drill.Desks.GetValueOrDefault(a.Id).Completed ?? "-"}")
            .ToList();
        lock (_drill.Errors) lines.AddRange(_drill.Errors.Take(10).Select(e => $"desk error: {e}"));
        return lines;
    }

    /// <summary>
    /// What routing that did not come back after the kill leaves to go on: where the centre's commands are (the broker's
    /// queues and consumers, the store's ledger), what the desks saw, and both hosts' warnings and bus lines.
    /// </summary>
    private async Task<string> NotRouting(RouterFactory api, TimeSpan killedAt)
    {
        var lines = new List<string> { $"killed at {killedAt.TotalSeconds:0.000} s; now {_drill.Now.TotalSeconds:0.000} s" };
        await using (var db = api.NewDbContext())
        {
            var contacts = await db.Contacts.AsNoTracking().Where(c => c.Centre == Centre).GroupBy(c => c.Status).Select(g => new { g.Key, Count = g.Count() }).ToListAsync();
            lines.Add("contacts: " + string.Join(", ", contacts.Select(c => $"{c.Key} {c.Count}")));
            var commands = await db.AcceptedCommands.AsNoTracking().Where(r => r.AnsweredAt == null).OrderBy(r => r.Sequence).Take(20).ToListAsync();
            lines.Add($"ledger: commands not answered (first 20): {commands.Count}");
            lines.AddRange(commands.Select(r => $"  {r.MessageType} {r.ContactId ?? "-"} by {r.Requester}: handed over {r.HandedOverAt is not null}"));
            lines.AddRange(await Desks(db));
        }
        lock (_drill.Hung) lines.AddRange(_drill.Hung.Select(h => $"hung: {h}"));
        foreach (var ask in new[]
                 {
                     new[] { "list_queues", "-p", "contactrouter", "name", "leader", "online", "messages_ready", "messages_unacknowledged", "consumers" },
                     ["list_consumers", "-p", "contactrouter", "queue_name", "channel_pid", "consumer_tag", "prefetch_count", "active", "activity_status"],
                 })
            try
            {
                lines.Add($"rabbitmqctl {ask[0]}:{Environment.NewLine}{await cluster.Ctl(ask)}");
            }
            catch (InvalidOperationException ex)
            {
                lines.Add($"rabbitmqctl {ask[0]} failed: {ex.Message}");
            }
        // The hosts' own account: warnings and errors, and what the bus did (connections, endpoints), from a little before the kill.
        lines.Add("host log (warnings, errors, bus):");
        lines.AddRange(_logs.Where(l => l.Contains(" Warning: ") || l.Contains(" Error: ") || l.Contains(" Critical: ") || l.Contains(" MassTransit"))
            .Select(l => l.Length > 600 ? l[..600] + "…" : l).TakeLast(200));
        return string.Join(Environment.NewLine, lines);
    }

    /// <summary>
    /// The hosts' warnings and errors by host, category and level, with a count and the first one's words: what the
    /// router did about the kill (a confirm that never came, a relay that could not deliver) shows in every run, not only
    /// in a failure. Data Protection's warning about unencrypted keys comes at every start and is left out.
    /// </summary>
    private string HostWarnings()
    {
        var kinds = _logs.Select(line => Regex.Match(line, @"^\s*[\d.]+ s (\w+) (?:[\w.]+\.)?(\w+) (Warning|Error|Critical): (.*)$", RegexOptions.Singleline))
            .Where(m => m.Success && m.Groups[2].Value != "XmlKeyManager")
            .GroupBy(m => $"{m.Groups[1].Value} {m.Groups[2].Value} {m.Groups[3].Value}")
            .Select(g => $"{g.Key} ×{g.Count()} (\"{string.Concat(g.First().Groups[4].Value.ReplaceLineEndings(" ").Take(70))}…\"" +
                         $"{(Regex.Match(g.First().Groups[4].Value, @"\b\w+Exception\b") is { Success: true } ex ? $", {ex.Value}" : "")})")
            .ToList();
        return kinds.Count == 0 ? "none" : string.Join("; ", kinds);
    }

    /// <summary>
    /// Waits for something the drill needs; fails with what it waited for after <see cref="Limit"/>, and prints what
    /// <paramref name="explain"/> finds first.
    /// </summary>
    private async Task Within(Task task, string what, Func<Task<string>>? explain = null)
    {
        try
        {
            await task.WaitAsync(Limit);
        }
        catch (TimeoutException)
        {
            if (explain is not null)
                try
                {
                    output.WriteLine(await explain());
                }
                catch (Exception ex)
                {
                    // What was waited for is the failure; a diagnostic that fails must not take its place.
                    output.WriteLine($"(what the drill found could not be gathered: {ex})");
                }
            throw new Xunit.Sdk.XunitException($"Timed out after {Limit.TotalSeconds:0} s waiting for {what}.");
        }
    }

    /// <summary>Polls <paramref name="done"/> on a 100 ms beat until it holds or <see cref="Limit"/> passes.</summary>
    private static async Task<bool> Within(Func<Task<bool>> done)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        var deadline = Stopwatch.StartNew();
        while (!await done())
        {
            if (deadline.Elapsed > Limit) return false;
            await timer.WaitForNextTickAsync();
        }
        return true;
    }

    /// <summary>The telephone exchange: a steady stream of callers, each with its own call id as Idempotency-Key.</summary>
    private async Task Callers(HttpClient exchange, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1.0 / CallersPerSecond));
        var calls = new List<Task>();
        var n = 0;
        while (!_drill.CallingStopped && await timer.WaitForNextTickAsync(ct))
        {
            var call = ++n;
            // Not awaited one by one: callers keep arriving while the API is slow to answer.
            calls.Add(Task.Run(async () =>
            {
                var sentAt = _drill.Now;
                try
                {
                    var request = new HttpRequestMessage(HttpMethod.Post, "/api/contacts")
                    {
                        Content = JsonContent.Create(new { centre = Centre, channel = "phone", caller = $"+316{call:00000000}", priority = 0 }),
                    };
                    request.Headers.Add("Idempotency-Key", $"cluster-drill-{call}");
                    var response = await exchange.SendAsync(request, ct);
                    if (response.StatusCode == HttpStatusCode.Accepted)
                        _drill.Accepted[(string)(await response.Json())["contactId"]!] = sentAt;
                    else
                        Interlocked.Increment(ref _drill.NotAccepted);
                }
                catch (Exception) when (!ct.IsCancellationRequested)
                {
                    // The in-memory test server hands the host's own failures to the client, a cancellation of its own
                    // included: not accepted either.
                    Interlocked.Increment(ref _drill.NotAccepted);
                }
            }, ct));
        }
        await Task.WhenAll(calls);
    }

    /// <summary>
    /// An agent's desk: looks at the console every 100 ms, accepts what rings and completes it at once. Every offer seen
    /// is checked: a contact that rang at another desk, or rings again after it was answered, is a double offer.
    /// </summary>
    private async Task Desk(string agentId, HttpClient desk, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        string? acceptSent = null, completeSent = null;
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                try
                {
                    (acceptSent, completeSent) = await Glance(agentId, desk, acceptSent, completeSent, ct);
                    _drill.Desks[agentId] = (acceptSent, completeSent);
                }
                catch (Exception ex) when (!ct.IsCancellationRequested)
                {
                    // The in-memory test server hands the host's own failures to the client, a cancellation of its own
                    // included; the agent looks again. (Letting that one out of the loop would end the desk unseen, and
                    // whatever rang there would ring for ever on the drill's still clock.)
                    lock (_drill.Errors) _drill.Errors.Add($"{agentId}: {ex.GetType().Name}: {ex.Message}");
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    /// <summary>One look at the console, and what the agent does about it; returns what was sent, so nothing is sent twice.</summary>
    private async Task<(string? AcceptSent, string? CompleteSent)> Glance(
        string agentId, HttpClient desk, string? acceptSent, string? completeSent, CancellationToken ct)
    {
        var view = await desk.GetAsync($"/api/agents/{agentId}", ct);
        if (!view.IsSuccessStatusCode)
        {
            // The agent looks again; a view that keeps failing would hide a ringing contact, so each failure is counted.
            _drill.ViewFailed(agentId, view.StatusCode);
            return (acceptSent, completeSent);
        }
        var agent = await view.Json();
        var connected = (string?)agent["connected"]?["contactId"];
        var offered = (string?)agent["offer"]?["contactId"];
        if (connected is not null && connected != completeSent)
            return (acceptSent, await Complete(agentId, desk, connected, ct) ? connected : null);
        if (offered is null) return (acceptSent, completeSent);
        if (offered == acceptSent)
        {
            // Still ringing after the accept was sent: fine while it is pending (202), a double offer once it was done (200).
            _drill.RangAfterAccept(offered, agentId);
            return (acceptSent, completeSent);
        }

        _drill.Offered(offered, agentId);
        var sentAt = _drill.Now;
        var accept = await Act(agentId, $"accept {offered}", t => desk.PostAsJsonAsync($"/api/agents/{agentId}/accept", new { contactId = offered }, t), ct);
        switch (accept?.StatusCode)
        {
            case HttpStatusCode.OK:
                _drill.Answered(offered, sentAt);
                return (offered, await Complete(agentId, desk, offered, ct) ? offered : null);
            case HttpStatusCode.Accepted:
                // Pending: the command is kept and applied later; the console shows the call once it is.
                Interlocked.Increment(ref _drill.PendingActions);
                _drill.Answered(offered, sentAt: null);
                return (offered, completeSent);
            case null:
                return (null, completeSent); // no answer: tries again if it still rings
            default:
                Interlocked.Increment(ref _drill.RefusedActions);
                return (null, completeSent);
        }
    }

    /// <summary>Completes the call; false when the API gave no answer, so the agent tries again.</summary>
    private async Task<bool> Complete(string agentId, HttpClient desk, string contactId, CancellationToken ct)
    {
        var complete = await Act(agentId, $"complete {contactId}",
            t => desk.PostAsJsonAsync($"/api/contacts/{contactId}/complete", new { outcome = "resolved", summary = "Clusteroefening" }, t), ct);
        if (complete is null) return false;
        if (complete.StatusCode == HttpStatusCode.OK) _drill.Completed(contactId);
        else if (complete.StatusCode == HttpStatusCode.Accepted) Interlocked.Increment(ref _drill.PendingActions);
        else Interlocked.Increment(ref _drill.RefusedActions);
        return true;
    }

    /// <summary>
    /// An agent's action, which the API must answer within its command timeout: done (200), pending (202) or refused.
    /// One that is still unanswered after <see cref="ActionTimeout"/> is noted as hung and given up (null), as an agent
    /// would give up on a spinning button.
    /// </summary>
    private async Task<HttpResponseMessage?> Act(string agentId, string what, Func<CancellationToken, Task<HttpResponseMessage>> send, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(ActionTimeout);
        try
        {
            return await send(deadline.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            lock (_drill.Hung) _drill.Hung.Add($"{agentId}: {what} had no answer after {ActionTimeout.TotalSeconds:0} s");
            return null;
        }
    }

    /// <summary>What the drill saw, shared by the exchange and the desks; times since the drill began.</summary>
    private sealed class Drill
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private readonly Lock _gate = new();
        private readonly Dictionary<string, string> _offeredTo = [];
        private readonly HashSet<string> _answered = [];
        /// <summary>Accepts answered 200: applied, so the contact can never ring again.</summary>
        private readonly HashSet<string> _done = [];
        private readonly HashSet<string> _rangAgain = [];
        private readonly HashSet<string> _completed = [];
        private readonly List<TimeSpan> _ringDelaysBeforeKill = [];
        private readonly List<(int Count, TaskCompletionSource Done)> _waiters = [];
        private readonly TaskCompletionSource _answeredAgain = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _newCallerRang = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private TimeSpan? _killedAt;
        private volatile bool _callingStopped;

        public TimeSpan Now => _clock.Elapsed;
        /// <summary>Every contact the API accepted (202), with when its caller was sent.</summary>
        public ConcurrentDictionary<string, TimeSpan> Accepted { get; } = new();
        public int NotAccepted;
        public int PendingActions;
        public int RefusedActions;
        public List<string> DoubleOffers { get; } = [];
        public List<string> Errors { get; } = [];
        public List<string> Hung { get; } = [];
        /// <summary>What each desk last sent: the contact it accepted and the one it completed.</summary>
        public ConcurrentDictionary<string, (string? Accepted, string? Completed)> Desks { get; } = new();
        public TimeSpan FirstAnswerAfterKill { get; private set; }
        public TimeSpan FirstNewCallerRang { get; private set; }
        public Task AnsweredAgain => _answeredAgain.Task;
        public Task NewCallerRang => _newCallerRang.Task;
        public bool CallingStopped => _callingStopped;
        public void StopCalling() => _callingStopped = true;

        public TimeSpan UsualRingDelay
        {
            get
            {
                lock (_gate)
                    return _ringDelaysBeforeKill.Count == 0 ? TimeSpan.Zero : _ringDelaysBeforeKill.Order().ElementAt(_ringDelaysBeforeKill.Count / 2);
            }
        }

        public int ServedCount
        {
            get { lock (_gate) return _completed.Count; }
        }

        public TimeSpan Kill()
        {
            lock (_gate) return (_killedAt = Now).Value;
        }

        public void Offered(string contactId, string agentId)
        {
            lock (_gate)
            {
                var at = Now;
                if (_offeredTo.TryGetValue(contactId, out var earlier))
                {
                    if (earlier != agentId || _answered.Contains(contactId))
                        DoubleOffers.Add($"{contactId}: {earlier}, then {agentId}{(_answered.Contains(contactId) ? " after it was answered" : "")}");
                    return;
                }
                _offeredTo[contactId] = agentId;
                // The 202 may come after the desk saw the offer; such a caller then counts for neither figure.
                if (!Accepted.TryGetValue(contactId, out var sentAt)) return;
                if (_killedAt is not { } killed) _ringDelaysBeforeKill.Add(at - sentAt);
                else if (sentAt >= killed && _newCallerRang.TrySetResult()) FirstNewCallerRang = at;
            }
        }

        /// <summary>An accept answered 200 (sent at <paramref name="sentAt"/>), or left pending (202, null).</summary>
        public void Answered(string contactId, TimeSpan? sentAt)
        {
            lock (_gate)
            {
                _answered.Add(contactId);
                if (sentAt is not null) _done.Add(contactId);
                if (_killedAt is { } killed && sentAt >= killed && _answeredAgain.TrySetResult()) FirstAnswerAfterKill = Now;
            }
        }

        /// <summary>Console views that did not answer 2xx, by agent and status.</summary>
        public ConcurrentDictionary<string, int> FailedViews { get; } = new();

        public void ViewFailed(string agentId, HttpStatusCode status) => FailedViews.AddOrUpdate($"{agentId} {(int)status}", 1, (_, n) => n + 1);

        /// <summary>The desk that accepted it sees it ring again: after an accept answered 200 that is a double offer.</summary>
        public void RangAfterAccept(string contactId, string agentId)
        {
            lock (_gate)
                if (_done.Contains(contactId) && _rangAgain.Add(contactId))
                    DoubleOffers.Add($"{contactId}: rang again at {agentId} after its accept was answered 200");
        }

        /// <summary>What the desks saw of one contact, for a failure's message.</summary>
        public string Seen(string contactId)
        {
            lock (_gate)
                return $"offered to {_offeredTo.GetValueOrDefault(contactId) ?? "-"}, answered {_answered.Contains(contactId)}, completed {_completed.Contains(contactId)}";
        }

        public void Completed(string contactId)
        {
            lock (_gate)
            {
                _completed.Add(contactId);
                foreach (var (count, done) in _waiters.Where(w => _completed.Count >= w.Count)) done.TrySetResult();
            }
        }

        /// <summary>Done once this many contacts have been completed.</summary>
        public Task Served(int count)
        {
            lock (_gate)
            {
                if (_completed.Count >= count) return Task.CompletedTask;
                var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiters.Add((count, done));
                return done.Task;
            }
        }
    }
}
