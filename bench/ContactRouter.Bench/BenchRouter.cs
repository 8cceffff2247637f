using System.Collections.Concurrent;
using ContactRouter.Routing;
using ContactRouter.Store;
using ContactRouter.Tests.Broker;
using ContactRouter.Tests.Drills;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;

namespace ContactRouter.Bench;

/// <summary>Where a drill router writes what a test would show: a log file per run (the console keeps the figures).</summary>
public sealed class LogFile(string path) : ITestOutputHelper
{
    public string Path { get; } = path;

    public void WriteLine(string message) => File.AppendAllText(Path, message + "\n");

    public void WriteLine(string format, params object[] args) => WriteLine(string.Format(System.Globalization.CultureInfo.InvariantCulture, format, args));
}

/// <summary>
/// One all-in-one router (API, the centres' workers, overflow, customer view, callbacks) as a real host process on the
/// project's RabbitMQ node and a fresh store (<see cref="DrillRouter"/>), agents that take every call at once, and the
/// telephone exchange putting callers through. Every caller goes to one centre (Sociaal): one centre's worker is the
/// router's unit of throughput.
/// </summary>
public sealed class BenchRouter : IAsyncDisposable
{
    private readonly List<QuickDesk> _desks = [];
    private readonly ConcurrentBag<Task> _calls = [];
    private readonly CallerStream _feed;
    private CancellationTokenSource _working = new();
    private List<Task> _running = [];
    private int _fed;
    private int _feeding;

    private BenchRouter(DrillRouter drill, HostProcess host)
    {
        Drill = drill;
        Host = host;
        _feed = new CallerStream(drill.Exchange, drill.Tally, drill.Clock, "feed");
    }

    public DrillRouter Drill { get; }
    public HostProcess Host { get; private set; }
    public StoreProvider Provider => Drill.Provider;
    public string Setup => $"RabbitMQ + {(Provider == StoreProvider.Postgres ? "PostgreSQL" : "SQLite")}";
    public ConcurrentQueue<Action> Actions { get; } = new();
    public IReadOnlyList<QuickDesk> Desks => _desks;
    public StaffSession Admin { get; private set; } = null!;

    /// <summary>
    /// The host's settings beside the drill's: stream and sign-in limits out of the way of a benchmark that opens
    /// thousands of consoles and signs in many agents from one address.
    /// </summary>
    private static readonly string[] HostSettings =
    [
        "Security:MaxStreamsPerUser", "100000",
        "Security:SignInsPerMinute", "100000",
    ];

    public static async Task<BenchRouter> Start(StoreProvider provider, RabbitMqNode node, ITestOutputHelper log, int agents)
    {
        var drill = await DrillRouter.OnRabbitMq(log, $"bench-{provider.ToString().ToLowerInvariant()}", node, provider);
        var port = HostProcess.FreePort();
        drill.Api = new Uri($"http://127.0.0.1:{port}");
        var host = drill.Start("host", port, HostSettings);
        await host.WaitHealthy(TimeSpan.FromSeconds(120));
        var router = new BenchRouter(drill, host) { Admin = await drill.Admin() };
        var desks = await drill.Agents(router.Admin, agents, talkTicks: 0);
        foreach (var desk in desks) router._desks.Add(new QuickDesk(desk.AgentId, desk.Session, drill.Clock, router.Actions, router.Completed));
        return router;
    }

    /// <summary>Agents at work until <see cref="StopWork"/>; the first <paramref name="onStream"/> of them driven by their console stream.</summary>
    public void StartWork(int onStream = 0)
    {
        _working = new CancellationTokenSource();
        _running = _desks.Select((d, i) => i < onStream ? d.RunOnStream(_working.Token) : d.Run(_working.Token)).ToList();
        // The stream-driven desks learn of their offers from their stream alone.
        var nudged = _desks.Skip(onStream).ToDictionary(d => d.AgentId);
        _running.Add(new Dispatcher(Admin, nudged, DrillRouter.Centre).Run(_working.Token));
    }

    public async Task StopWork()
    {
        await _working.CancelAsync();
        await Task.WhenAll(_running);
    }

    /// <summary>Closed loop: every completed contact brings a new caller, so as many stay in the router as were put in.</summary>
    public bool Feeding
    {
        get => Volatile.Read(ref _feeding) == 1;
        set => Volatile.Write(ref _feeding, value ? 1 : 0);
    }

    private void Completed()
    {
        if (Feeding) Call(1);
    }

    /// <summary>Puts <paramref name="count"/> callers through at once (a burst); returns when every one was answered.</summary>
    public Task Call(int count)
    {
        var calls = Enumerable.Range(0, count).Select(_ => _feed.Call(Interlocked.Increment(ref _fed))).ToList();
        foreach (var call in calls) _calls.Add(call);
        return Task.WhenAll(calls);
    }

    /// <summary>Puts <paramref name="count"/> callers through, at most <paramref name="parallel"/> waiting for their answer at a time.</summary>
    public async Task CallInBatches(int count, int parallel)
    {
        var left = count;
        await Task.WhenAll(Enumerable.Range(0, parallel).Select(async _ =>
        {
            while (Interlocked.Decrement(ref left) >= 0) await Call(1);
        }));
    }

    /// <summary>Contacts completed so far, by the store.</summary>
    public async Task<int> Completions()
    {
        await using var db = Drill.Store.Open();
        return await db.Contacts.CountAsync(c => c.Status == ContactStatus.Completed);
    }

    /// <summary>Contacts waiting (queued or ringing), by the store.</summary>
    public async Task<int> Waiting()
    {
        await using var db = Drill.Store.Open();
        return await db.Contacts.CountAsync(c => c.Status == ContactStatus.Queued || c.Status == ContactStatus.Offered);
    }

    /// <summary>Lifecycles completed per second over <paramref name="window"/>, by the store's count.</summary>
    public async Task<double> LifecyclesPerSecond(TimeSpan window)
    {
        var before = await Completions();
        var from = Drill.Clock.Now;
        await Task.Delay(window);
        var after = await Completions();
        return (after - before) / (Drill.Clock.Now - from).TotalSeconds;
    }

    /// <summary>Waits until no caller waits (or the limit passed); returns how long it took, null when it did not drain.</summary>
    public async Task<TimeSpan?> Drained(TimeSpan limit)
    {
        var from = Drill.Clock.Now;
        while (Drill.Clock.Now - from < limit)
        {
            if (await Waiting() == 0) return Drill.Clock.Now - from;
            await Task.Delay(TimeSpan.FromMilliseconds(500));
        }
        return null;
    }

    /// <summary>Registers agents <c>extra-1…n</c> (offline: no accounts, no sign-in) to bring the centre to a size.</summary>
    public async Task RegisterAgents(int count, int parallel = 8)
    {
        var next = 0;
        await Task.WhenAll(Enumerable.Range(0, parallel).Select(async _ =>
        {
            int n;
            while ((n = Interlocked.Increment(ref next)) <= count)
            {
                var id = $"extra-{n}";
                await Drill.Until(async () =>
                {
                    using var answer = await Admin.Put($"/api/agents/{id}", new { name = $"Extra {n}", centre = DrillRouter.Centre, skills = new Dictionary<string, int> { [DrillRouter.Centre] = 3 } });
                    return answer.IsSuccessStatusCode;
                }, $"agent {id} registered");
            }
        }));
    }

    /// <summary>SIGTERM and a new host process on the same store; returns when it is healthy.</summary>
    public async Task<(TimeSpan Launched, TimeSpan Healthy)> Restart()
    {
        await Host.Terminate(TimeSpan.FromSeconds(60));
        var launched = Drill.Clock.Now;
        Host = Drill.Start("host-restarted", Drill.Api.Port, HostSettings);
        await Host.WaitHealthy(TimeSpan.FromSeconds(120));
        return (launched, Drill.Clock.Now);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_working.IsCancellationRequested) await StopWork();
        await Task.WhenAll(_calls);
        await Drill.DisposeAsync();
    }
}
