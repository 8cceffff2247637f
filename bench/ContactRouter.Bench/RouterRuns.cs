using ContactRouter.Routing;
using ContactRouter.Store;
using ContactRouter.Tests.Drills;

namespace ContactRouter.Bench;

/// <summary>
/// The router's figures on one store, in an order that leaves each part the state it needs: the sustainable rate first
/// (a), then latency at 30 callers/s (b), open consoles (e), overload and recovery, and last the long queues (c) and
/// memory and restart with them (d).
/// </summary>
public sealed class RouterRuns(BenchRouter router, Report report, Scale scale, double rawRate)
{
    private string Setup => router.Setup;
    private double _sustainable;

    public async Task All(Parts parts)
    {
        await Sustainable();
        if (parts.Has("b")) await QueuedToOffered();
        if (parts.Has("e")) await Consoles();
        if (parts.Has("overload")) await Overload();
        if (parts.Has("cd")) await LongQueues();
    }

    /// <summary>(a) and (c) with none waiting: a closed loop with exactly one caller per agent in the router.</summary>
    private async Task Sustainable()
    {
        Report.Say($"{Setup}: (a) lifecycles/s, {scale.Agents} agents taking every call at once, wrap-up 0");
        router.StartWork();
        router.Feeding = true;
        await router.Call(scale.Agents);
        await Task.Delay(scale.Window / 3); // warm-up
        var actionsFrom = router.Drill.Clock.Now;
        var cpu = Machine.Cpu.Read(router.Host.Id);
        // The node's counters take the CLI a second or more to read: each reading is followed at once by the store's count
        // of completed lifecycles, so both counts cover the same stretch.
        var bus = await BusCounters.Read();
        var completedBefore = await router.Completions();
        _sustainable = await router.LifecyclesPerSecond(scale.Window);
        var used = await BusCounters.Read() - bus;
        var lifecycles = await router.Completions() - completedBefore;
        Report.Say($"  (a) {cpu.Until(router.Host.Id)}");
        var ratio = _sustainable / rawRate;
        report.Add("a", Setup, "lifecycles/s (queue → offer → accept → complete), none waiting", Report.N(_sustainable, "0.0"));
        report.Add("a", Setup, "router lifecycles/s ÷ raw bus messages/s", $"{Report.N(ratio * 100, "0.00")} %", "≥ 25 %", ratio >= 0.25);
        // A raw-bus message is one publish and one delivery; a lifecycle is many of each (commands, their answers, the
        // events and every queue that takes them). With all else free, the ratio could be at most 2 ÷ that many.
        if (lifecycles > 0)
        {
            var perLifecycle = (used.Published + used.Delivered) / (double)lifecycles;
            report.Add("a", Setup, $"bus messages per lifecycle, published + delivered (a raw-bus message: 1 + 1; {lifecycles} lifecycles)",
                $"{Report.N(used.Published / (double)lifecycles, "0.0")} + {Report.N(used.Delivered / (double)lifecycles, "0.0")}");
            report.Add("a", Setup, "the most the ratio could be if nothing but the bus cost anything: 2 ÷ that",
                $"{Report.N(2 / perLifecycle * 100, "0.0")} %");
        }
        report.Add("c", Setup, "lifecycles/s with 0 waiting", Report.N(_sustainable, "0.0"));
        AgentAnswers("a", actionsFrom, "");
        // Nothing completed at all: the reader needs the host's side of it more than the figures.
        if (_sustainable == 0) System.Console.WriteLine(router.Host.Tail(30));
        router.Feeding = false;
        await Drain();
    }

    /// <summary>(b) An open loop of 30 callers a second with the agents free; queued (the API's stamp) → offered (the centre's).</summary>
    private async Task QueuedToOffered()
    {
        Report.Say($"{Setup}: (b) queued → offered at 30 callers/s for {scale.OpenLoop.TotalSeconds:0} s");
        var callsFrom = router.Drill.Tally.Calls.Count;
        await ThirtyCallersPerSecond("b");
        var ids = router.Drill.Tally.Calls.Skip(callsFrom).Where(c => c.Accepted).Select(c => c.ContactId!).ToList();
        var contacts = await router.Drill.Store.ContactsById(ids);
        var waits = contacts.Values.Where(c => c.OfferedAt is not null).Select(c => (c.OfferedAt!.Value - c.QueuedAt).TotalMilliseconds).ToList();
        var p99 = Percentile(waits, 99);
        report.Add("b", Setup, $"queued → offered at 30 callers/s ({waits.Count} offered of {ids.Count} queued)",
            Spread(waits),
            Provider == StoreProvider.Postgres ? "p99 ≤ 50 ms" : "", Provider == StoreProvider.Postgres ? p99 <= 50 : null);
    }

    private StoreProvider Provider => router.Provider;

    /// <summary>
    /// (e) Open consoles: a team lead's centre stream per console (the agents' own streams are the other kind), read all
    /// the time; the first agents work from their own console stream and time each offer from decision to arrival, in
    /// the closed loop (throughput) and at 30 callers/s (latency at a stated load).
    /// </summary>
    private async Task Consoles()
    {
        await router.StopWork();
        var lead = await TeamLead();
        double? baseline = null;
        foreach (var count in new[] { 0 }.Concat(scale.Consoles))
        {
            Report.Say($"{Setup}: (e) {count} open console streams");
            using var open = new CancellationTokenSource();
            var consoles = Enumerable.Range(0, count).Select(_ => Console(lead, open.Token)).ToList();
            var opened = await Task.WhenAll(consoles.Select(c => c.Opened));
            router.StartWork(onStream: scale.ConsoleDesks);
            router.Feeding = true;
            await router.Call(scale.Agents);
            await Task.Delay(scale.Window / 3);
            foreach (var desk in router.Desks) desk.OfferLatencies.Clear();
            var cpu = Machine.Cpu.Read(router.Host.Id);
            var rate = await router.LifecyclesPerSecond(scale.Window);
            Report.Say($"  (e) {count} streams: {cpu.Until(router.Host.Id)}");
            var latencies = router.Desks.SelectMany(d => d.OfferLatencies).ToList();
            router.Feeding = false;
            // The closed loop keeps the machine's two cores busy, so its latency is mostly waiting for CPU; a console's
            // latency at a stated load is the open loop of (b), 30 callers a second, with the same streams open.
            await Drain();
            foreach (var desk in router.Desks) desk.OfferLatencies.Clear();
            await ThirtyCallersPerSecond($"e-{count}");
            var atThirty = router.Desks.SelectMany(d => d.OfferLatencies).ToList();
            await router.StopWork();
            await open.CancelAsync();
            await Task.WhenAll(consoles.Select(c => c.Reading));
            baseline ??= rate;
            var withinTen = baseline.Value > 0 && rate >= 0.9 * baseline.Value;
            report.Add("e", Setup, $"decision → console with {count} open streams, closed loop at full load ({opened.Count(o => o)} opened; {latencies.Count} offers seen)",
                Spread(latencies));
            var p99AtThirty = Percentile(atThirty, 99);
            report.Add("e", Setup, $"decision → console with {count} open streams at 30 callers/s ({atThirty.Count} offers seen)",
                Spread(atThirty), count == scale.Consoles[^1] ? "p99 ≤ 100 ms" : "",
                count == scale.Consoles[^1] ? p99AtThirty <= 100 : null);
            report.Add("e", Setup, $"lifecycles/s with {count} open streams", Report.N(rate, "0.0"),
                count > 0 ? "≥ 90 % of 0 streams" : "", count > 0 ? withinTen : null);
            router.StartWork();
            await Drain();
            await router.StopWork();
        }
        router.StartWork();
    }

    private async Task<StaffSession> TeamLead()
    {
        var name = "lead-" + Guid.NewGuid().ToString("N")[..8];
        using var created = await router.Admin.Post("/api/accounts", new { userName = name, displayName = "Bench lead", roles = new[] { "teamlead" }, centre = DrillRouter.Centre });
        var body = System.Text.Json.Nodes.JsonNode.Parse(await created.Content.ReadAsStringAsync());
        var password = (string?)body?["oneTimePassword"] ?? throw new InvalidOperationException($"Making a team lead answered {(int)created.StatusCode}: {body}");
        return await StaffSession.SignIn(router.Drill.Api, name, password, DrillRouter.AgentPassword);
    }

    private sealed record OpenConsole(Task<bool> Opened, Task Reading);

    /// <summary>One console: the centre stream opened and read until the run closes it.</summary>
    private static OpenConsole Console(StaffSession lead, CancellationToken close)
    {
        var opened = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var reading = Task.Run(async () =>
        {
            try
            {
                using var answer = await lead.Open("/api/centres/stream", close);
                opened.TrySetResult(answer.IsSuccessStatusCode);
                if (!answer.IsSuccessStatusCode) return;
                await foreach (var _ in Sse.Data(answer, close))
                {
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or HttpRequestException or IOException)
            {
                opened.TrySetResult(false);
            }
        });
        return new OpenConsole(opened.Task, reading);
    }

    /// <summary>
    /// No congestion collapse: callers at twice the sustainable rate for a while; lifecycles/s against the sustainable
    /// rate, the agents' accept/complete answer times throughout, and whether the queue empties by itself afterwards.
    /// </summary>
    private async Task Overload()
    {
        var rate = Math.Max(1, 2 * _sustainable);
        Report.Say($"{Setup}: overload, {Report.N(rate, "0.0")} callers/s (2 × sustainable) for {scale.Overload.TotalSeconds:0} s");
        var stream = new CallerStream(router.Drill.Exchange, router.Drill.Tally, router.Drill.Clock, $"o-{Guid.NewGuid():N}");
        var from = router.Drill.Clock.Now;
        var before = await router.Completions();
        await stream.Run((int)(rate * scale.Overload.TotalSeconds), rate);
        var during = (await router.Completions() - before) / (router.Drill.Clock.Now - from).TotalSeconds;
        var share = _sustainable > 0 ? during / _sustainable : 0;
        report.Add("overload", Setup, $"lifecycles/s offered 2 × sustainable ({Report.N(rate, "0.0")} callers/s) for {scale.Overload.TotalSeconds:0} s",
            $"{Report.N(during, "0.0")} = {Report.N(share * 100, "0")} % of sustainable", "≥ 90 %", share >= 0.9);
        var p99 = AgentAnswers("overload", from, "during overload");
        var waiting = await router.Waiting();
        var drained = await router.Drained(TimeSpan.FromTicks(Math.Max(scale.Overload.Ticks * 4, TimeSpan.FromMinutes(1).Ticks)));
        report.Add("overload", Setup, $"recovers: the {waiting} left waiting served after the load fell",
            drained is { } t ? $"yes, in {Report.N(t.TotalSeconds, "0")} s" : "no (still waiting at the limit)", "recovers", drained is not null);
        _ = p99;
    }

    /// <summary>(c) lifecycles/s with long queues, then (d) memory with a big centre and the restart with that state.</summary>
    private async Task LongQueues()
    {
        var queued = 0;
        router.Feeding = true;
        await router.Call(scale.Agents);
        double? last = null;
        foreach (var backlog in scale.Backlogs)
        {
            Report.Say($"{Setup}: (c) queueing up to {backlog} waiting");
            var from = router.Drill.Clock.Now;
            await router.CallInBatches(backlog - queued, parallel: 32);
            var took = router.Drill.Clock.Now - from;
            report.Add("c", Setup, $"queueing {backlog - queued} callers (every POST answered)", $"{Report.N(took.TotalSeconds, "0.0")} s = {Report.N((backlog - queued) / took.TotalSeconds, "0")}/s");
            queued = backlog;
            await Task.Delay(scale.Window / 3);
            last = await router.LifecyclesPerSecond(scale.Window);
            var share = _sustainable > 0 ? last.Value / _sustainable : 0;
            report.Add("c", Setup, $"lifecycles/s with {backlog} waiting ({await router.Waiting()} by the store)",
                $"{Report.N(last.Value, "0.0")} = {Report.N(share * 100, "0")} % of 0 waiting",
                backlog == scale.Backlogs[^1] ? "≥ 80 %" : "", backlog == scale.Backlogs[^1] ? share >= 0.8 : null);
        }
        router.Feeding = false;
        await router.StopWork();

        Report.Say($"{Setup}: (d) {scale.MemoryAgents} agents and {scale.Backlogs[^1]} waiting: memory and restart");
        await router.RegisterAgents(scale.MemoryAgents - scale.Agents);
        var rss = Machine.ResidentMegabytes(router.Host.Id);
        var peak = Machine.ResidentMegabytes(router.Host.Id, "VmHWM");
        report.Add("d", Setup, $"host working set with {scale.MemoryAgents} agents, {await router.Waiting()} waiting (peak)",
            $"{Report.N(rss ?? 0, "0")} MB ({Report.N(peak ?? 0, "0")} MB)", "≤ 300 MB", rss <= 300);

        TimeSpan launched, healthy;
        try
        {
            (launched, healthy) = await router.Restart();
        }
        catch (Exception ex)
        {
            // A restart that fails is a figure too (on a saturated machine the store's connect timeout can end it).
            report.Add("d", Setup, "restart with that state", $"failed: {ex.Message.Split('\n')[0]}", "≤ 5 s", false);
            return;
        }
        router.StartWork();
        router.Feeding = true;
        var served = await ServedAfter(launched, TimeSpan.FromMinutes(2));
        var again = served - launched;
        foreach (var kind in router.Actions.Where(a => a.SentAt >= launched).GroupBy(a => (a.Kind, a.Status)).OrderBy(g => g.Min(a => a.SentAt)))
            Report.Say($"  restart: {kind.Key.Kind} {kind.Key.Status}: {kind.Count()}, first sent {Report.N((kind.Min(a => a.SentAt) - launched).TotalSeconds, "0.00")} s after launch, answered in {Report.N(kind.First().Milliseconds, "0")} ms");
        report.Add("d", Setup, "restart with that state: launch → healthy, → first call accepted",
            $"{Report.N((healthy - launched).TotalSeconds, "0.0")} s, {(again is { } a ? Report.N(a.TotalSeconds, "0.0") + " s" : "not within 2 min")}",
            "≤ 5 s", again is { } s && s <= TimeSpan.FromSeconds(5));
        var rssAfter = Machine.ResidentMegabytes(router.Host.Id);
        report.Add("d", Setup, "working set of the restarted host with that state", $"{Report.N(rssAfter ?? 0, "0")} MB", "≤ 300 MB", rssAfter <= 300);
        router.Feeding = false;
        await router.StopWork();
    }

    /// <summary>The first accept answered 200 (an agent connected) that was sent after <paramref name="since"/>.</summary>
    private async Task<TimeSpan?> ServedAfter(TimeSpan since, TimeSpan limit)
    {
        var deadline = router.Drill.Clock.Now + limit;
        while (router.Drill.Clock.Now < deadline)
        {
            var first = router.Actions.Where(a => a.Kind == "accept" && a.Status == 200 && a.SentAt >= since)
                .Select(a => (TimeSpan?)(a.SentAt + TimeSpan.FromMilliseconds(a.Milliseconds))).Min();
            if (first is not null) return first;
            await Task.Delay(100);
        }
        return null;
    }

    /// <summary>Agents' accept/complete answers since <paramref name="from"/>: p50/p99 and the refusals (503 = nothing done).</summary>
    private double AgentAnswers(string id, TimeSpan from, string when)
    {
        var answers = router.Actions.Where(a => a.SentAt >= from && a.Kind is "accept" or "complete").ToList();
        // A 202 (outcome not known yet), a 503 or no answer at all is no answer to the agent: it counts as never.
        var times = answers.Select(a => a.Status is 202 or 503 or 0 ? double.PositiveInfinity : a.Milliseconds).ToList();
        var p99 = Percentile(times, 99);
        report.Add(id, Setup, $"accept/complete answer time{(when == "" ? "" : " " + when)} ({answers.Count} answers; {answers.Count(a => a.Status == 503)} × 503, {answers.Count(a => a.Status == 202)} × 202)",
            Spread(times), when == "" ? "" : "p99 ≤ 1 s", when == "" ? null : p99 <= 1000);
        return p99;
    }

    /// <summary>The open loop of (b): 30 callers a second for the scale's open-loop time, then until the queue is empty.</summary>
    private async Task ThirtyCallersPerSecond(string name)
    {
        var stream = new CallerStream(router.Drill.Exchange, router.Drill.Tally, router.Drill.Clock, $"{name}-{Guid.NewGuid():N}");
        await stream.Run((int)(30 * scale.OpenLoop.TotalSeconds), 30);
        await Drain();
    }

    private static string Spread(IReadOnlyCollection<double> milliseconds) =>
        $"p50 {Report.N(Percentile(milliseconds, 50), "0")} ms, p99 {Report.N(Percentile(milliseconds, 99), "0")} ms";

    private async Task Drain()
    {
        var drained = await router.Drained(scale.DrainLimit);
        if (drained is null) Report.Say($"{Setup}: the queue did not empty within {scale.DrainLimit.TotalMinutes:0} min; going on");
    }

    public static double Percentile(IReadOnlyCollection<double> values, double percent)
    {
        if (values.Count == 0) return double.NaN;
        var sorted = values.Order().ToList();
        var rank = (int)Math.Ceiling(percent / 100 * sorted.Count) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Count - 1)];
    }
}
