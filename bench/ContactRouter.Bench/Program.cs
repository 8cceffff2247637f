using System.Text;
using ContactRouter.Bench;
using ContactRouter.Store;
using ContactRouter.Tests.Broker;

// The benchmark of issue 11 (README, section "Benchmark"). deploy/bench.sh starts RabbitMQ and PostgreSQL and runs this
// in Release; --short is the ~1-minute smoke run. Figures are printed as they come and as one table at the end.
Console.OutputEncoding = Encoding.UTF8;
var shortRun = args.Contains("--short");
var scale = shortRun ? Scale.Short : Scale.Full;
// PostgreSQL first: the issue's targets (b) and the collapse it saw are on RabbitMQ + PostgreSQL.
var stores = args.Contains("--postgres-only") ? [StoreProvider.Postgres] : new[] { StoreProvider.Postgres, StoreProvider.Sqlite };
// --parts f,a,b,e,overload,cd runs only those parts (a, the sustainable rate, always runs when a router part does: the
// others are measured against it); one part at full scale takes minutes instead of the whole run's half hour.
var parts = Parts.From(args);
var logs = Path.Combine(Path.GetTempPath(), "contactrouter-bench");
Directory.CreateDirectory(logs);
var report = new Report();
Report.Say($"ContactRouter benchmark ({(shortRun ? "short" : "full")} run) · {Environment.ProcessorCount} cores · load {File.ReadAllText("/proc/loadavg").Trim()}");

if (parts.Has("f")) Core.Run(report, shortRun);
if (!parts.Router) return Finish(report);
var node = new RabbitMqNode();
await node.InitializeAsync();
var rawRate = await RawBus.Run(report, shortRun);
foreach (var store in stores)
{
    var log = new LogFile(Path.Combine(logs, $"{DateTime.UtcNow:yyyyMMdd-HHmmss}-{store.ToString().ToLowerInvariant()}.log"));
    Report.Say($"{store}: starting the router (log: {log.Path})");
    try
    {
        await using var router = await BenchRouter.Start(store, node, log, scale.Agents);
        await new RouterRuns(router, report, scale, rawRate).All(parts);
    }
    catch (Exception ex)
    {
        // One store's failure still leaves the other store's figures and the table.
        Report.Say($"{store}: the run failed: {ex}");
    }
}

return Finish(report);

static int Finish(Report report)
{
    Console.WriteLine();
    Console.WriteLine("## Figures");
    Console.WriteLine(report.Table());
    return 0;
}

namespace ContactRouter.Bench
{
    /// <summary>Which parts of the benchmark to run (all unless <c>--parts</c> names some).</summary>
    public sealed record Parts(IReadOnlySet<string>? Named)
    {
        public static readonly string[] Known = ["f", "a", "b", "e", "overload", "cd"];

        public static Parts From(string[] args)
        {
            var at = Array.IndexOf(args, "--parts");
            if (at < 0) return new Parts((IReadOnlySet<string>?)null);
            var named = (at + 1 < args.Length ? args[at + 1] : "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var unknown = named.Except(Known).ToList();
            if (named.Length == 0 || unknown.Count > 0)
                throw new ArgumentException($"--parts takes a comma-separated list of {string.Join(", ", Known)}; not known: {string.Join(", ", unknown)}");
            return new Parts(named.ToHashSet());
        }

        public bool Has(string part) => Named is null || Named.Contains(part);

        /// <summary>Any part that needs the router (all but the simulator's f).</summary>
        public bool Router => Known.Skip(1).Any(Has);
    }

    /// <summary>
    /// How big and how long each part runs: the full run, or the short smoke run (about a minute per part). Both have the
    /// issue's 40 agents: with 20, agents that accept and complete in 0.3 s each could not take 30 callers a second, and
    /// (b) measured callers waiting for an agent rather than for the router.
    /// </summary>
    public sealed record Scale(
        int Agents, TimeSpan Window, TimeSpan OpenLoop, int[] Backlogs, int MemoryAgents, int[] Consoles, TimeSpan Overload, int ConsoleDesks,
        TimeSpan DrainLimit)
    {
        public static readonly Scale Full = new(40, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30), [1_000, 10_000], 1_000, [500, 2_000], TimeSpan.FromMinutes(2), 4, TimeSpan.FromMinutes(5));
        public static readonly Scale Short = new(40, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5), [100, 300], 100, [50, 200], TimeSpan.FromSeconds(10), 2, TimeSpan.FromMinutes(1));
    }
}
