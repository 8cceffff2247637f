using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using ContactRouter.Components;
using ContactRouter.Routing;
using ContactRouter.Store;
using ContactRouter.Tests.Broker;
using ContactRouter.Tests.Store;
using ContactRouter.Web;
using Xunit.Abstractions;

namespace ContactRouter.Tests.Drills;

/// <summary>
/// The real router of one drill: its host processes (real OS processes, see <see cref="HostProcess"/>), on a store of
/// its own, with the first administrator and the telephone exchange's API key given as settings as an automated
/// install would. Agents are people: their accounts are made through the admin API, they sign in and go available.
/// Disposing kills every process, shows the end of each one's output in the test's output, and drops the store.
/// </summary>
public sealed class DrillRouter : IAsyncDisposable
{
    public const string AdminPassword = "Admin-Drill-Passw0rd!";
    public const string AgentPassword = "Agent-Drill-Passw0rd!";
    public const string Centre = "sociaal";

    private readonly ITestOutputHelper _output;
    private readonly List<HostProcess> _processes = [];
    private readonly Dictionary<string, string> _settings = [];
    private readonly Dictionary<string, string> _secrets = [];
    private readonly List<IDisposable> _clients = [];
    private HttpClient? _exchange;
    private RabbitMqNode? _node;
    private readonly System.Collections.Concurrent.ConcurrentQueue<(TimeSpan At, string What)> _marks = new();

    private DrillRouter(ITestOutputHelper output, string name, string folder, StoreProvider provider, string connectionString)
    {
        Folder = folder;
        _output = output;
        Name = name;
        Provider = provider;
        ConnectionString = connectionString;
        Store = new StoreWatch(provider, connectionString);
        MachineKey = "drill-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(24)).ToLowerInvariant();
        _secrets["Security:Admin:Password"] = AdminPassword;
        _secrets["Security:MachineClients:drill:Key"] = MachineKey;
        _settings["Security:MachineClients:drill:Scopes"] = string.Join(' ', Scopes.All);
    }

    public string Name { get; }
    public DrillClock Clock { get; } = new();
    public DrillTally Tally { get; } = new();
    public StoreProvider Provider { get; }
    public string ConnectionString { get; }
    public StoreWatch Store { get; }
    public string MachineKey { get; }
    /// <summary>The drill's working directory: the processes' working directory, where an embedded store's data/ lands.</summary>
    public string Folder { get; }
    /// <summary>The process serving the API.</summary>
    public Uri Api { get; set; } = new("http://127.0.0.1:1");
    public IReadOnlyList<HostProcess> Processes => _processes;

    /// <summary>
    /// RabbitMQ (the project's node, its centre queues emptied first) and a fresh PostgreSQL database of its own,
    /// <paramref name="migrated"/> by the drill itself first (so its processes can start together) or left empty.
    /// </summary>
    public static Task<DrillRouter> OnRabbitMqAndPostgres(ITestOutputHelper output, string name, RabbitMqNode node, bool migrated = true) =>
        OnRabbitMq(output, name, node, StoreProvider.Postgres, migrated);

    /// <summary>
    /// RabbitMQ (the project's node and vhost, its centre queues emptied first) and a fresh store of its own: a PostgreSQL
    /// database, or a SQLite file in the drill's folder (the benchmark compares both).
    /// </summary>
    public static async Task<DrillRouter> OnRabbitMq(ITestOutputHelper output, string name, RabbitMqNode node, StoreProvider provider, bool migrated = true)
    {
        // Messages an earlier drill left in a centre queue would reach this drill's workers: declare and empty them.
        await node.InitializeAsync();
        await EmptyRouterQueues(node);
        var folder = NewFolder();
        var connectionString = provider == StoreProvider.Postgres
            ? await PostgresServer.CreateDatabase()
            : $"Data Source={Path.Combine(folder, "data", "contactrouter.db")}";
        var router = new DrillRouter(output, name, folder, provider, connectionString) { _node = node };
        if (migrated)
        {
            Directory.CreateDirectory(Path.Combine(folder, "data"));
            await using var db = router.Store.Open();
            await RouterStore.MigrateAsync(db);
        }
        router._settings["Bus:Transport"] = "RabbitMq";
        router._settings["Bus:Host"] = node.Options.Host;
        router._settings["Bus:Port"] = node.Options.Port.ToString();
        // The run's own vhost (CONTACTROUTER_RABBITMQ_VHOST): runs side by side must not take each other's commands.
        router._settings["Bus:VirtualHost"] = node.Options.VirtualHost;
        if (node.Options.Password is { } password) router._secrets["Bus:Password"] = password;
        else router._settings["Bus:PasswordFile"] = node.Options.PasswordFile!;
        router._settings["Store:Provider"] = provider.ToString();
        router._secrets["Store:ConnectionString"] = router.ConnectionString;
        // Agents are ready again right after a call: one command less per caller, so a busy CI machine keeps up.
        router._settings["Routing:WrapUp"] = "00:00:00";
        return router;
    }

    /// <summary>
    /// The embedded default exactly as the README's run command starts it (in-memory bus, SQLite at data/contactrouter.db
    /// under the working directory, appsettings.json's settings): only the drill's own folder and port differ.
    /// </summary>
    public static DrillRouter Embedded(ITestOutputHelper output, string name)
    {
        var folder = NewFolder();
        return new DrillRouter(output, name, folder, StoreProvider.Sqlite, $"Data Source={Path.Combine(folder, "data", "contactrouter.db")}");
    }

    private static string NewFolder() => Path.Combine(Path.GetTempPath(), "contactrouter-drills", Guid.NewGuid().ToString("N"));

    /// <summary>Starts a host process with the drill's settings plus <paramref name="settings"/> (key, value, key, value, …).</summary>
    public HostProcess Start(string name, int port, params string[] settings)
    {
        var all = new Dictionary<string, string>(_settings);
        for (var i = 0; i + 1 < settings.Length; i += 2) all[settings[i]] = settings[i + 1];
        var process = HostProcess.Start(name, Clock, Folder, port, all, _secrets);
        _processes.Add(process);
        return process;
    }

    /// <summary>Notes a phase of the drill (shown with the processes' output), and returns its moment.</summary>
    public TimeSpan Mark(string what)
    {
        var at = Clock.Now;
        _marks.Enqueue((at, what));
        return at;
    }

    /// <summary>The telephone exchange's client (its API key as bearer token) to the API process.</summary>
    public HttpClient Exchange => _exchange ??= Track(Drills.Exchange.Client(Api, MachineKey));

    public async Task<StaffSession> Admin() => Track(await StaffSession.SignIn(Api, "admin", AdminPassword));

    /// <summary>
    /// Agents <c>{Name}-1…n</c> of the drill's centre: an administrator makes each account (a one-time password, replaced
    /// at the agent's first sign-in) and registers the agent with a skill; the agent signs in and (unless told otherwise) goes
    /// available.
    /// Registering is a command to the centre's worker, so it is asked again until a worker answers (a cold start).
    /// </summary>
    public async Task<IReadOnlyList<AgentDesk>> Agents(StaffSession admin, int count, int talkTicks, string prefix = "agent", bool available = true)
    {
        var desks = await Task.WhenAll(Enumerable.Range(1, count).Select(async i =>
        {
            var id = $"{prefix}-{i}";
            using var created = await admin.Post("/api/accounts", new { userName = id, displayName = $"Agent {i}", roles = new[] { StaffRoles.Agent }, agentId = id });
            created.StatusCode.Should().Be(HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
            var oneTimePassword = (await created.Content.ReadFromJsonAsync<JsonNode>())!["oneTimePassword"]!.GetValue<string>();
            await Until(async () =>
            {
                using var registered = await admin.Put($"/api/agents/{id}", new { name = $"Agent {i}", centre = Centre, skills = new Dictionary<string, int> { [Centre] = 3 } });
                // 202: the registration is accepted and will be applied; going available below waits for it.
                return registered.StatusCode is HttpStatusCode.OK or HttpStatusCode.Accepted;
            }, $"agent {id} to be registered");
            var session = Track(await StaffSession.SignIn(Api, id, oneTimePassword, AgentPassword));
            var desk = new AgentDesk(id, session, Tally, Clock, talkTicks);
            if (available) await Until(() => desk.Available(), $"{id} to be available");
            return desk;
        }));
        return desks;
    }

    /// <summary>The agents at work and the store watched, until the shift is ended (disposed).</summary>
    public Shift Work(IEnumerable<AgentDesk> desks) => new(desks, Store);

    /// <summary>Polls <paramref name="done"/> (which may fail while a process is starting) until it holds; fails after a minute.</summary>
    public async Task Until(Func<Task<bool>> done, string what, TimeSpan? limit = null)
    {
        using var poll = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        var deadline = Clock.Now + (limit ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            try
            {
                if (await done()) return;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                // Not up yet: ask again.
            }
            if (Clock.Now > deadline) throw new Xunit.Sdk.XunitException($"Timed out waiting for {what}.\n{Tails()}");
            await poll.WaitForNextTickAsync();
        }
    }

    /// <summary>
    /// Waits until every accepted caller is finished in the store (completed or hung up), or the limit passed: the
    /// agents keep working meanwhile. Returns when it settled.
    /// </summary>
    public async Task<TimeSpan> Settle(TimeSpan limit)
    {
        var ids = Tally.Accepted.Select(c => c.ContactId!).Distinct().ToList();
        using var poll = new PeriodicTimer(TimeSpan.FromMilliseconds(250));
        var deadline = Clock.Now + limit;
        while (Clock.Now < deadline)
        {
            try
            {
                var stored = await Store.ContactsById(ids);
                if (ids.All(id => stored.TryGetValue(id, out var c) && c.Status is ContactStatus.Completed or ContactStatus.Abandoned)) break;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The store is being replaced (a restart): look again.
            }
            await poll.WaitForNextTickAsync();
        }
        return Clock.Now;
    }

    /// <summary>How long after <paramref name="fault"/> the router answered a caller again (by the store's answer times).</summary>
    public async Task<TimeSpan?> ServedAgain(TimeSpan fault) => await Store.FirstAnsweredAfter(Clock.WallAt(fault)) is { } at ? Clock.At(at) - fault : null;

    /// <summary>The longest stretch after <paramref name="fault"/> without a caller answered (by the store's answer times).</summary>
    public async Task<TimeSpan> LongestPause(TimeSpan fault) => await Store.LongestPause(Clock.WallAt(fault));

    /// <summary>
    /// Counts what the drill did from the callers', the agents' and the store's side; for a drill of several rounds, the
    /// callers from the <paramref name="sinceCall"/>-th on (the double offers and untrue answers of the whole drill so far).
    /// </summary>
    public async Task<DrillFigures> Figures(int sinceCall = 0)
    {
        var calls = Tally.Calls.Skip(sinceCall).ToList();
        var accepted = calls.Where(c => c.Accepted).ToList();
        var ids = accepted.Select(c => c.ContactId!).Distinct().ToList();
        var stored = await Store.ContactsById(ids);
        var refusedCallers = calls.Where(c => c.Status == 503).Select(c => c.Caller).ToList();
        var queuedAnyway = (await Store.ContactsOf(refusedCallers)).Count;

        // A 503 says "nothing was changed": an accept or complete answered so but applied after all is an untrue answer.
        var actions = Tally.Actions.ToList();
        var appliedBy = actions.Where(DrillTally.Applied).Select(a => (a.Kind, a.ContactId, a.AgentId)).ToHashSet();
        var refusedActions = actions.Where(a => a.Status == 503).Select(a => (a.Kind, a.ContactId, a.AgentId)).Distinct().Where(a => !appliedBy.Contains(a)).ToList();
        var touched = await Store.ContactsById(refusedActions.Select(a => a.ContactId).Distinct().ToList());
        var untrue = refusedActions.Count(a => touched.TryGetValue(a.ContactId, out var c) && c.AgentId == a.AgentId
            && (a.Kind == "accept" ? c.AnsweredAt != null : c.Status == ContactStatus.Completed));
        var (connectedTwice, completedTwice) = Tally.Doubles();
        var counts = await Store.Count();
        return new DrillFigures(
            Accepted: accepted.Count,
            Refused: calls.Count(c => !c.Accepted && !c.Unanswered),
            Unanswered: calls.Count(c => c.Unanswered),
            Completed: stored.Values.Count(c => c.Status == ContactStatus.Completed),
            Lost: ids.Count(id => !stored.ContainsKey(id)),
            NotServed: stored.Values.Count(c => c.Status is not (ContactStatus.Completed or ContactStatus.Abandoned)),
            NotServedByStatus: string.Join(", ", stored.Values.Where(c => c.Status is not (ContactStatus.Completed or ContactStatus.Abandoned))
                .GroupBy(c => c.Status).Select(g => $"{g.Key.ToString().ToLowerInvariant()} {g.Count()}")),
            RingingTwice: Store.RingingTwice,
            ConnectedTwice: Math.Max(connectedTwice, Store.ConnectedTwice),
            CompletedTwice: completedTwice,
            CountedTwice: counts.CountedTwice,
            Counted: counts.Detail,
            Untrue503: untrue + queuedAnyway,
            Pending: actions.Count(a => a.Status == 202),
            Unavailable: actions.Count(a => a.Status == 503));
    }

    /// <summary>Prints the drill's line of figures (and the test's output gets every process's last lines).</summary>
    public void Print(string drill, DrillFigures figures, string specific)
    {
        ContactRouter.Tests.Figures.Print(_output, $"drill {drill}{(Drill.Long ? " (long)" : "")}", $"{figures.Line()}; {specific}");
    }

    /// <summary>
    /// Empties the queues of the router's other consumers. A drill's processes publish events (centre loads with the
    /// drill store's version numbers, contact events) to queues whose consumer may not run in the drill, e.g. the overflow
    /// router's; left there they would reach the next router on this node, which keeps another store, as if they were news.
    /// </summary>
    private static async Task EmptyRouterQueues(RabbitMqNode node)
    {
        await using var connection = await node.Options.ConnectionFactory("contactrouter-drill").CreateConnectionAsync();
        foreach (var queue in new[] { OverflowRouter.QueueName, CustomerViewConsumer.QueueName, CallbackConsumer.QueueName }
                     .Concat(CentreCatalog.All.Select(CentreAddresses.QueueName)))
        {
            // A channel per queue: purging a queue that does not exist (yet) closes the channel it was asked on.
            await using var channel = await connection.CreateChannelAsync();
            try
            {
                await channel.QueuePurgeAsync(queue);
            }
            catch (RabbitMQ.Client.Exceptions.OperationInterruptedException)
            {
                // Never declared on this node: nothing to empty.
            }
        }
    }

    public string Tails() => string.Join('\n', _processes.Select(p => p.Tail(30)));

    private T Track<T>(T client) where T : IDisposable
    {
        lock (_clients) _clients.Add(client);
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes) await process.DisposeAsync();
        if (_node is not null) await EmptyRouterQueues(_node);
        // Every process's whole output, kept after the run: bin/…/drill-logs/<drill>/<process>.log.
        var logs = Path.Combine(AppContext.BaseDirectory, "drill-logs", Name);
        if (Directory.Exists(logs)) Directory.Delete(logs, recursive: true);
        Directory.CreateDirectory(logs);
        foreach (var process in _processes) await File.WriteAllTextAsync(Path.Combine(logs, process.Name.Replace(' ', '-') + ".log"), process.Tail(int.MaxValue));
        _output.WriteLine($"Whole output of every process: {logs}");
        _output.WriteLine("Phases: " + string.Join(", ", _marks.Select(m => $"{m.What} {m.At.TotalSeconds:0.0} s")));
        foreach (var process in _processes) _output.WriteLine(process.Tail(60));
        // The agents' side of it, for a failure's reader: what each sent and got when.
        _output.WriteLine(string.Join('\n', Tally.Actions.OrderBy(a => a.SentAt).TakeLast(80).Select(a =>
            $"  [{a.AgentId} {a.SentAt.TotalSeconds,7:0.00}-{a.AnsweredAt.TotalSeconds,7:0.00}] {a.Kind} {a.ContactId[..8]}: {a.Status}{(a.Confirmed is null ? "" : " " + a.Confirmed)}")));
        foreach (var client in _clients) client.Dispose();
        Store.Release();
        if (Provider == StoreProvider.Postgres) await PostgresServer.DropDatabase(ConnectionString);
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
            // Nothing was written.
        }
    }
}

/// <summary>Agents working and the store sampled in the background; ending the shift stops both.</summary>
public sealed class Shift : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _running;

    public Shift(IEnumerable<AgentDesk> desks, StoreWatch store)
    {
        _running = desks.Select(d => d.Run(_stop.Token)).Append(store.Run(_stop.Token)).ToList();
    }

    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested) return;
        await _stop.CancelAsync();
        await Task.WhenAll(_running);
        _stop.Dispose();
    }
}
