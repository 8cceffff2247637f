using System.Globalization;
using System.Text;
using ContactRouter.Simulator;

// Command line: a scenario file, optional overrides, table or JSON. Parsing is kept here; the work is in Simulation.
const string Usage = """
    usage: ContactRouter.Simulator <scenario.json> [--policy separate|overflow|pooled|all] [--hours H] [--seed N]
                                   [--overflow-after S] [--json]
      --policy          overrides the file's policy; "all" runs the three in turn (table output only)
      --hours, --seed   override the file's run length and seed
      --overflow-after  overrides overflowAfterSeconds (0 .. serviceLevelSeconds)
      --json            one JSON object on stdout; the throughput line goes to stderr
    """;

Console.OutputEncoding = Encoding.UTF8;
try
{
    var options = CommandLine.Parse(args);
    if (options is null)
    {
        Console.Out.WriteLine(Usage);
        return 0;
    }
    var scenario = options.Apply(Scenario.Load(options.ScenarioPath));
    var policies = options.Policy == "all"
        ? [Policy.Separate, Policy.Overflow, Policy.Pooled]
        : new[] { scenario.ParsedPolicy };
    if (options.Json && policies.Length > 1) throw new ScenarioException("--json prints one run: choose one policy.");

    foreach (var policy in policies)
    {
        var result = Simulation.Run(scenario, policy);
        if (options.Json)
        {
            Console.Out.WriteLine(Output.ToJson(result));
            Console.Error.WriteLine(Output.ThroughputLine(result.Throughput));
        }
        else
        {
            Console.Out.Write(Output.ToTable(result, Path.GetFileName(options.ScenarioPath)));
            Console.Out.WriteLine(Output.ThroughputLine(result.Throughput));
            Console.Out.WriteLine();
        }
    }
    return 0;
}
catch (ScenarioException ex)
{
    Console.Error.WriteLine(ex.Message);
    Console.Error.WriteLine(Usage);
    return 2;
}

/// <summary>The parsed command line; overrides are applied to the scenario and checked like the file itself.</summary>
internal sealed record CommandLine(string ScenarioPath, string? Policy, double? Hours, int? Seed, double? OverflowAfter, bool Json)
{
    public static CommandLine? Parse(string[] args)
    {
        if (args.Length == 0 || args.Any(a => a is "-h" or "--help")) return null;
        string? path = null, policy = null;
        double? hours = null, overflowAfter = null;
        int? seed = null;
        var json = false;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--json": json = true; break;
                case "--policy": policy = Value(args, ref i).ToLowerInvariant(); break;
                case "--hours": hours = Number(args, ref i); break;
                case "--seed": seed = (int)Number(args, ref i); break;
                case "--overflow-after": overflowAfter = Number(args, ref i); break;
                case var a when a.StartsWith("--", StringComparison.Ordinal): throw new ScenarioException($"Unknown option {a}.");
                default:
                    if (path is not null) throw new ScenarioException($"One scenario file, not '{path}' and '{args[i]}'.");
                    path = args[i];
                    break;
            }
        }
        if (path is null) throw new ScenarioException("No scenario file given.");
        if (policy is not null and not "all") Scenario.ParsePolicy(policy);
        return new CommandLine(path, policy, hours, seed, overflowAfter, json);
    }

    public Scenario Apply(Scenario scenario)
    {
        var changed = scenario with
        {
            PolicyName = Policy is null or "all" ? scenario.PolicyName : Policy,
            Hours = Hours ?? scenario.Hours,
            Seed = Seed ?? scenario.Seed,
            OverflowAfterSeconds = OverflowAfter ?? scenario.OverflowAfterSeconds,
        };
        var problems = changed.Problems().ToList();
        if (problems.Count > 0) throw new ScenarioException(string.Join(" ", problems));
        return changed;
    }

    private static string Value(string[] args, ref int i) =>
        ++i < args.Length ? args[i] : throw new ScenarioException($"{args[i - 1]} needs a value.");

    private static double Number(string[] args, ref int i)
    {
        var text = Value(args, ref i);
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var n)
            ? n
            : throw new ScenarioException($"{args[i - 1]} needs a number, not '{text}'.");
    }
}
