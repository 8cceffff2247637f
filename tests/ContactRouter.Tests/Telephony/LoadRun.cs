using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ContactRouter.Tests.Drills;
using Xunit.Abstractions;

namespace ContactRouter.Tests.Telephony;

/// <summary>
/// The load run: callers dial at a steady rate (sipp, 10 calls/s) while agents' phones answer, decline or just
/// ring at random (Telephony/sipp/phone_at_random.xml), and the agents complete every call after it and come back when
/// an unanswered offer made them "not responding". Every call must end answered or abandoned (the caller gave up after
/// 20 s of nothing new) — none lost, none left hanging — and no phone may ring for two callers at once (read from each
/// phone's own message trace). Set-up time (INVITE to the first phone ringing, as each caller's sipp measures it) p50/p99
/// is printed. The suite runs 60 calls against 8 phones; <c>CONTACTROUTER_DRILLS=long</c> runs the 1,000 calls
/// against 40 phones (see the README).
/// </summary>
[Trait("Category", LoadRunCategory)]
public sealed class When_callers_phone_at_a_steady_rate(ITestOutputHelper output) : TelephonySpec
{
    /// <summary>The short run is in the test command's default run; the category picks the load run out on its own.</summary>
    public const string LoadRunCategory = "SipLoadRun";

    private static readonly int Calls = Drill.Long ? 1000 : 60;
    private static readonly int Phones = Drill.Long ? 40 : 8;
    private const int CallsPerSecond = 10;
    private const int TalkMs = 1000;

    // Real time for the router: offers run out, cooldowns pass as they would (the clock below follows the wall clock).
    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("Routing:OfferTimeout", "00:00:03"),
        new("Routing:WrapUp", "00:00:00"),
        new("Routing:RejectCooldown", "00:00:05"),
    ];

    [Fact]
    public async Task Should_end_every_call_answered_or_abandoned_and_never_ring_a_phone_twice_at_once()
    {
        var phones = new List<Phone>();
        for (var i = 0; i < Phones; i++) phones.Add(await AgentWithPhone($"load{i:D2}", "phone_at_random", calls: 100_000));
        using var stop = new CancellationTokenSource();
        var clock = FollowTheWallClock(stop.Token);
        var desk = AgentsAtTheirDesks(phones.Select(p => p.AgentId).ToList(), stop.Token);

        // One sipp for all callers: -m calls at -r per second.
        var callers = Own(Sipp.StartFor(Calls / CallsPerSecond + 300, "caller_with_patience", "-s", Number, "-m", Calls.ToString(CultureInfo.InvariantCulture),
            "-r", CallsPerSecond.ToString(CultureInfo.InvariantCulture), "-l", "2000", "-d", TalkMs.ToString(CultureInfo.InvariantCulture),
            "-cid_str", $"load-{Suffix}-%u", "-key", "caller", "+31612345678", "-key", "topic", "",
            "-trace_rtt", "-rtt_freq", "1", "-trace_msg"));
        var code = await callers.Exit(timeoutMs: (Calls / CallsPerSecond + 310) * 1000);
        var ids = Enumerable.Range(1, Calls).Select(n => ContactOf($"load-{Suffix}-{n}")).ToList();
        // 1: some calls left the callers' script (a late response to a BYE or CANCEL that crossed the call's end); the
        // router's own record below is the verdict on every call. Anything else (255: sipp's time limit) is a failure.
        if (code is not (0 or 1))
        {
            var now = await Statuses(ids);
            var open = string.Join(", ", now.Where(s => s.Value is not ("completed" or "abandoned")).Take(10).Select(s => $"{s.Key}={s.Value}"));
            throw new Xunit.Sdk.XunitException($"The callers' sipp ended {code}; contacts: " +
                string.Join(", ", now.GroupBy(s => s.Value).Select(g => $"{g.Key} {g.Count()}")) + $"; not ended: {open}. {callers.Errors()}");
        }

        // Every call is a contact, and every contact ended: answered (then completed by its agent) or abandoned.
        var statuses = await Api.Eventually(() => Statuses(ids), s => s.Values.All(v => v is "completed" or "abandoned"),
            "every call to end completed or abandoned", timeoutMs: 120_000);
        await stop.CancelAsync();
        await Task.WhenAll(clock, desk);

        var answered = statuses.Values.Count(v => v == "completed");
        var abandoned = statuses.Values.Count(v => v == "abandoned");
        (answered + abandoned).Should().Be(Calls, "no call is lost");
        answered.Should().BeGreaterThan(0);

        var overlaps = phones.Select(p => (p.AgentId, Rings: PhoneTrace.RingsAtOnce(p.Process.Directory))).Where(x => x.Rings.Count > 0).ToList();
        overlaps.Should().BeEmpty("no phone rings for two callers at once");
        // The check above read real traces: every answered call rang a phone first.
        phones.Sum(p => PhoneTrace.Rings(p.Process.Directory).Count).Should().BeGreaterThanOrEqualTo(answered);

        var setUp = callers.ResponseTimes().Order().ToList();
        var ended = callers.Count("SIP/2.0 480 ");
        Figures.Print(output, "SIP load run",
            $"{Calls} calls at {CallsPerSecond}/s, {Phones} phones answering/declining/ignoring at random: {answered} answered, " +
            $"{abandoned} abandoned ({ended} of them ended by the front: no branch left), 0 lost; {callers.FailedCalls()} calls off the callers' sipp script; " +
            $"set-up (INVITE → first phone rings) p50 {Percentile(setUp, 0.50):0} ms, " +
            $"p99 {Percentile(setUp, 0.99):0} ms over {setUp.Count} calls that rang");
    }

    private async Task<Dictionary<string, string>> Statuses(IEnumerable<string> ids)
    {
        var result = new Dictionary<string, string>();
        foreach (var id in ids)
        {
            var response = await Http.GetAsync($"/api/contacts/{id}");
            result[id] = response.IsSuccessStatusCode ? (string?)(await response.Json())["status"] ?? "?" : $"http {(int)response.StatusCode}";
        }
        return result;
    }

    /// <summary>Moves the host's virtual clock along with the wall clock, so offer time-outs happen as in production.</summary>
    private Task FollowTheWallClock(CancellationToken ct) => Task.Run(async () =>
    {
        var watch = Stopwatch.StartNew();
        var advanced = TimeSpan.Zero;
        using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
        while (await Ticked(tick, ct))
        {
            var now = watch.Elapsed;
            Router.Time.Advance(now - advanced);
            advanced = now;
        }
    });

    /// <summary>
    /// The agents: complete a call once it has been connected a moment longer than the callers talk, and come back when
    /// an offer their phone did not answer made them "not responding" — what a person at the console does.
    /// </summary>
    private Task AgentsAtTheirDesks(IReadOnlyList<string> agents, CancellationToken ct) => Task.Run(async () =>
    {
        var busySince = new Dictionary<string, (string ContactId, long Since)>();
        using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(200));
        while (await Ticked(tick, ct))
        {
            foreach (var agent in agents)
            {
                JsonNode view;
                try
                {
                    view = await Http.GetJson($"/api/agents/{agent}");
                }
                catch (Exception) when (ct.IsCancellationRequested)
                {
                    return;
                }
                var status = (string?)view["status"];
                if (status == "notresponding") await Http.SetStatus(agent, "available");
                if (status != "busy" || (string?)view["contactId"] is not { } contactId)
                {
                    busySince.Remove(agent);
                    continue;
                }
                if (!busySince.TryGetValue(agent, out var busy) || busy.ContactId != contactId)
                    busySince[agent] = busy = (contactId, Environment.TickCount64);
                if (Environment.TickCount64 - busy.Since < TalkMs + 500) continue;
                await Http.PostAsJsonAsync($"/api/contacts/{contactId}/complete", new { outcome = "resolved" });
                await Http.SetStatus(agent, "available");
                busySince.Remove(agent);
            }
        }
    });

    private static async Task<bool> Ticked(PeriodicTimer timer, CancellationToken ct)
    {
        try
        {
            return await timer.WaitForNextTickAsync(ct);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private static double Percentile(List<double> sorted, double p) => sorted.Count == 0 ? double.NaN : sorted[(int)Math.Ceiling(p * sorted.Count) - 1];
}
