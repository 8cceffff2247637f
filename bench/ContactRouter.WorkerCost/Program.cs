// Where a centre worker's time goes. One centre worker (this process, as the host wires it: AddContactRouter) on the
// real RabbitMQ node (vhost from $CONTACTROUTER_RABBITMQ_VHOST) and a fresh store; a closed-loop driver that records
// each command in the ledger first (as the API does), accepts and completes every offer at once and queues a new
// caller for each completed one, so the number waiting stays where it was put. Prints lifecycles/s, commands/s,
// milliseconds per phase (the ContactRouter.CentreWorker meter) and the accept/complete answer times.
//
//   dotnet run -c Release --project bench/ContactRouter.WorkerCost -- [--stores sqlite,postgres] [--waiting 0,1000]
//       [--agents 20] [--seconds 20] [--warmup 5]
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Threading.Channels;
using ContactRouter.Components;
using ContactRouter.Contracts;
using ContactRouter.Store;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

var options = Args.Parse(args);
Environment.CurrentDirectory = Args.RepositoryRoot(); // .secrets/ (broker and database passwords) is relative to it
Console.WriteLine($"Centre worker bench: {options.Agents} agents at centre {Bench.Centre}, {options.Warmup} s warm-up, {options.Seconds} s measured, " +
                  $"vhost {Args.VirtualHost}, {Environment.ProcessorCount} cores");
foreach (var store in options.Stores)
    foreach (var waiting in options.Waiting)
        await Bench.Run(store, waiting, options);

internal sealed record Args(IReadOnlyList<StoreProvider> Stores, IReadOnlyList<int> Waiting, int Agents, int Seconds, int Warmup)
{
    public static string VirtualHost => Environment.GetEnvironmentVariable("CONTACTROUTER_RABBITMQ_VHOST") is { Length: > 0 } v ? v : "contactrouter";

    public static Args Parse(string[] args)
    {
        string Value(string name, string fallback) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
        return new Args(
            Value("--stores", "sqlite,postgres").Split(',').Select(s => Enum.Parse<StoreProvider>(s, ignoreCase: true)).ToList(),
            Value("--waiting", "0,1000").Split(',').Select(int.Parse).ToList(),
            int.Parse(Value("--agents", "20")), int.Parse(Value("--seconds", "20")), int.Parse(Value("--warmup", "5")));
    }

    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "ContactRouter.sln"))) return dir.FullName;
        throw new InvalidOperationException("Run from inside the repository (ContactRouter.sln not found above the program).");
    }
}

internal static class Bench
{
    public const string Centre = "sociaal";

    public static async Task Run(StoreProvider provider, int waiting, Args options)
    {
        var connectionString = provider == StoreProvider.Postgres ? await CreateDatabase() : $"Data Source={Path.Combine(Path.GetTempPath(), $"worker-bench-{Guid.NewGuid():N}.db")}";
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders().AddConsole().SetMinimumLevel(LogLevel.Warning);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Bus:Transport"] = "RabbitMq",
            ["Bus:VirtualHost"] = Args.VirtualHost,
            ["Store:Provider"] = provider.ToString(),
            ["Store:ConnectionString"] = connectionString,
            ["Router:Centres"] = Centre,
            // The worker alone, with what an all-in-one host also runs on its store (the customer view);
            // overflow off so the callers waiting stay in this centre.
            ["Router:Overflow"] = "false",
            ["Router:Callbacks"] = "false",
            ["Routing:WrapUp"] = "00:00:00",
        });
        builder.AddContactRouter();
        using var host = builder.Build();
        var bus = builder.Configuration.GetSection(BusOptions.Section).Get<BusOptions>()!;
        await CentreQueueTopology.Declare(bus, [Centre], CancellationToken.None);
        await Purge(bus);
        await host.StartAsync();

        var phases = new Phases();
        using var listener = phases.Listen();
        var driver = new Driver(host.Services, options.Agents);
        var prepared = await driver.Prepare(waiting);
        var running = driver.Run();
        await Task.Delay(TimeSpan.FromSeconds(options.Warmup));
        phases.Reset();
        driver.Reset();
        var load = File.ReadAllText("/proc/loadavg").Split(' ')[..3];
        var clock = Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(options.Seconds));
        var seconds = clock.Elapsed.TotalSeconds;
        var (lifecycles, accept, complete) = driver.Take();
        var report = phases.Take();
        var loadAfter = File.ReadAllText("/proc/loadavg").Split(' ')[..3];
        await driver.Stop(running);
        await host.StopAsync();
        await Purge(bus, customerView: true);
        if (provider == StoreProvider.Postgres) await DropDatabase(connectionString);
        else Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();

        Console.WriteLine();
        Console.WriteLine($"== RabbitMQ + {provider}, {waiting:N0} callers waiting, {options.Agents} agents — load average {string.Join(' ', load)} → {string.Join(' ', loadAfter)}");
        Console.WriteLine(F($"   {waiting + options.Agents:N0} callers queued (and {options.Agents} agents made available) in {prepared.TotalSeconds:F1} s"));
        Console.WriteLine(F($"   lifecycles/s {lifecycles / seconds:F1}   commands/s {report.Commands / seconds:F1} ({report.Outcomes})   transactions/s {report.Transactions / seconds:F1}"));
        Console.WriteLine(F($"   accept answered p50 {P(accept, 50):F1} ms p99 {P(accept, 99):F1} ms   complete p50 {P(complete, 50):F1} ms p99 {P(complete, 99):F1} ms"));
        Console.WriteLine("   phase            count   mean ms   p50 ms   p99 ms");
        foreach (var (phase, values) in report.Durations.OrderBy(p => Order(p.Key)))
            Console.WriteLine(F($"   {phase,-15} {values.Count,6} {values.Average(),9:F2} {P(values, 50),8:F2} {P(values, 99),8:F2}"));
    }

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    private static int Order(string phase) => Array.IndexOf(
        [CentreWorkerMetrics.Load, CentreWorkerMetrics.DuplicateCheck, CentreWorkerMetrics.Apply, CentreWorkerMetrics.Stage,
         CentreWorkerMetrics.Commit, CentreWorkerMetrics.Publish, CentreWorkerMetrics.OutboxCleanup, CentreWorkerMetrics.Total], phase) is var i and >= 0 ? i : 99;

    public static double P(List<double> values, int percentile)
    {
        if (values.Count == 0) return double.NaN;
        var sorted = values.Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(percentile / 100.0 * sorted.Count) - 1)];
    }

    /// <summary>
    /// A run starts on an empty centre queue: what an earlier, interrupted run left would be counted as this one's. After
    /// a run the customer view's queue is emptied too (it exists by then): its events are of this run's store's contacts
    /// and would fail against the next run's fresh store.
    /// </summary>
    private static async Task Purge(BusOptions bus, bool customerView = false)
    {
        await using var connection = await bus.Connect("worker-bench", CancellationToken.None);
        await using var channel = await connection.CreateChannelAsync();
        foreach (var queue in CentreAddresses.QueueNames(Centre))
            await channel.QueuePurgeAsync(queue);
        if (customerView) await channel.QueuePurgeAsync(CustomerViewConsumer.QueueName);
    }

    private static NpgsqlConnectionStringBuilder Postgres(string database) =>
        new(RouterStore.PostgresDefault) { Database = database };

    private static async Task<string> CreateDatabase()
    {
        var name = $"contactrouter_test_{Guid.NewGuid():N}";
        await Maintenance($"CREATE DATABASE \"{name}\"");
        return Postgres(name).ConnectionString;
    }

    private static async Task DropDatabase(string connectionString)
    {
        await using (var pooled = new NpgsqlConnection(connectionString)) NpgsqlConnection.ClearPool(pooled);
        await Maintenance($"DROP DATABASE IF EXISTS \"{new NpgsqlConnectionStringBuilder(connectionString).Database}\" WITH (FORCE)");
    }

    private static async Task Maintenance(string sql)
    {
        await using var connection = new NpgsqlConnection(Postgres("contactrouter").ConnectionString + ";Pooling=false");
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}

/// <summary>Collects the worker meter's measurements while the bench listens.</summary>
internal sealed class Phases
{
    private readonly object _lock = new();
    private Dictionary<string, List<double>> _durations = [];
    private Dictionary<string, long> _outcomes = [];
    private long _transactions;

    public MeterListener Listen()
    {
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == CentreWorkerMetrics.MeterName) l.EnableMeasurementEvents(instrument);
            },
        };
        listener.SetMeasurementEventCallback<double>((_, value, tags, _) =>
        {
            var phase = (string)tags[0].Value!;
            lock (_lock)
            {
                if (!_durations.TryGetValue(phase, out var list)) _durations[phase] = list = [];
                list.Add(value);
            }
        });
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            lock (_lock) _outcomes[(string)tags[0].Value!] = _outcomes.GetValueOrDefault((string)tags[0].Value!) + value;
        });
        listener.SetMeasurementEventCallback<int>((_, _, _, _) => Interlocked.Increment(ref _transactions));
        listener.Start();
        return listener;
    }

    public void Reset()
    {
        lock (_lock)
        {
            _durations = [];
            _outcomes = [];
            _transactions = 0;
        }
    }

    public (long Commands, string Outcomes, long Transactions, Dictionary<string, List<double>> Durations) Take()
    {
        lock (_lock)
            // Copies: the worker goes on recording while the bench shuts down.
            return (_outcomes.Values.Sum(), string.Join(", ", _outcomes.OrderBy(o => o.Key).Select(o => $"{o.Key} {o.Value}")),
                _transactions == 0 ? _durations.GetValueOrDefault(CentreWorkerMetrics.Commit)?.Count ?? 0 : _transactions,
                _durations.ToDictionary(d => d.Key, d => d.Value.ToList()));
    }
}

/// <summary>Agents that accept and complete every offer at once; each completion brings the next caller.</summary>
internal sealed class Driver(IServiceProvider services, int agents)
{
    private readonly Channel<ContactOffered> _offers = Channel.CreateUnbounded<ContactOffered>();
    private readonly CancellationTokenSource _stop = new();
    private readonly object _lock = new();
    private List<double> _accept = [], _complete = [];
    private long _lifecycles;
    private int _next;
    private HostReceiveEndpointHandle? _endpoint;

    private IBus Bus => services.GetRequiredService<IBus>();

    /// <summary>Returns how long the worker took to take in the callers put waiting.</summary>
    public async Task<TimeSpan> Prepare(int waiting)
    {
        _endpoint = Bus.ConnectReceiveEndpoint(new TemporaryEndpointDefinition(), KebabCaseEndpointNameFormatter.Instance,
            e => e.Handler<ContactOffered>(context =>
            {
                if (context.Message.Centre == Bench.Centre) _offers.Writer.TryWrite(context.Message);
                return Task.CompletedTask;
            }));
        await _endpoint.Ready;
        for (var i = 0; i < agents; i++)
            await Ask(new RegisterAgent { Centre = Bench.Centre, AgentId = $"agent-{i}", Name = $"Agent {i}", Skills = new Dictionary<string, int> { [Bench.Centre] = 4 } });
        // The callers first, while every agent is still away: all but one per agent stay waiting.
        var clock = Stopwatch.StartNew();
        for (var sent = 0; sent < waiting + agents; sent += 100)
            await Task.WhenAll(Enumerable.Range(0, Math.Min(100, waiting + agents - sent)).Select(_ => Send(NewCaller())));
        for (var i = 0; i < agents; i++)
            // Behind every caller queued above: as long as the worker takes to queue them all.
            await Ask(new SetAgentStatus { Centre = Bench.Centre, AgentId = $"agent-{i}", Status = "available" }, timeoutSeconds: 1800);
        return clock.Elapsed;
    }

    public Task Run() => Task.WhenAll(Enumerable.Range(0, agents).Select(_ => Task.Run(Serve)));

    private async Task Serve()
    {
        try
        {
            await foreach (var offer in _offers.Reader.ReadAllAsync(_stop.Token))
            try
            {
                var clock = Stopwatch.StartNew();
                var accepted = await Ask(new AcceptOffer { Centre = Bench.Centre, AgentId = offer.AgentId, ContactId = offer.ContactId });
                var acceptMs = clock.Elapsed.TotalMilliseconds;
                if (!accepted.Accepted) continue; // the offer ran out meanwhile: the contact went back to the queue
                clock.Restart();
                await Ask(new CompleteContact { Centre = Bench.Centre, ContactId = offer.ContactId, Outcome = "resolved" });
                var completeMs = clock.Elapsed.TotalMilliseconds;
                lock (_lock)
                {
                    _accept.Add(acceptMs);
                    _complete.Add(completeMs);
                    _lifecycles++;
                }
                await Send(NewCaller());
            }
            catch (RequestTimeoutException)
            {
                // No answer in 30 s: counted as no lifecycle; the next offer goes on.
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
    }

    public void Reset()
    {
        lock (_lock)
        {
            _accept = [];
            _complete = [];
            _lifecycles = 0;
        }
    }

    public (long Lifecycles, List<double> Accept, List<double> Complete) Take()
    {
        lock (_lock) return (_lifecycles, _accept.ToList(), _complete.ToList());
    }

    public async Task Stop(Task running)
    {
        await _stop.CancelAsync();
        try
        {
            await running.WaitAsync(TimeSpan.FromSeconds(40));
        }
        catch (Exception ex) when (ex is TimeoutException or RequestTimeoutException)
        {
        }
        if (_endpoint is not null) await _endpoint.StopAsync();
    }

    private QueueContact NewCaller() => new()
    {
        Centre = Bench.Centre, ContactId = $"bench-{Interlocked.Increment(ref _next)}-{Guid.NewGuid():N}"[..30], HomeCentre = Bench.Centre,
        Channel = "phone", Caller = "+31612345678", QueuedAt = DateTimeOffset.UtcNow,
    };

    /// <summary>As the API asks: recorded in the ledger first, then a request with the answer awaited.</summary>
    private async Task<CommandResult> Ask<T>(T command, int timeoutSeconds = 30) where T : CentreCommand
    {
        await Record(command);
        var client = Bus.CreateRequestClient<T>(CentreAddresses.For(command), RequestTimeout.After(s: timeoutSeconds));
        return (await client.GetResponse<CommandResult>(command)).Message;
    }

    private async Task Send<T>(T command) where T : CentreCommand
    {
        await Record(command);
        await (await Bus.GetSendEndpoint(CentreAddresses.For(command))).Send(command);
    }

    private async Task Record(CentreCommand command)
    {
        await using var scope = services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<CommandLedger>().Accept(command, "bench", CancellationToken.None);
    }
}
