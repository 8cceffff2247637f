using System.Text.Json;
using System.Text.Json.Serialization;
using ContactRouter.Routing;

namespace ContactRouter.Simulator;

/// <summary>How contacts are spread over agents.</summary>
public enum Policy
{
    /// <summary>No overflow: each centre is its own M/M/c queue (Erlang C).</summary>
    Separate,
    /// <summary>The router's <see cref="OverflowPolicy"/> moves waiting contacts to neighbours.</summary>
    Overflow,
    /// <summary>One queue, every agent takes every contact: the bound overflow is measured against.</summary>
    Pooled,
}

/// <summary>
/// A scenario file. Everything but the centres has a default, so a file states only what it is about.
/// Unknown properties are refused: a misspelt setting must not silently fall back to its default.
/// </summary>
public sealed record Scenario
{
    public string? Description { get; init; }
    /// <summary>Simulated hours in which contacts arrive; the run then serves what is still waiting.</summary>
    public double Hours { get; init; } = 200;
    /// <summary>Contacts arriving before this are served but not measured: the queues start empty, which is not typical.</summary>
    public double WarmupHours { get; init; } = 1;
    public int Seed { get; init; } = 1;
    public double ServiceLevelSeconds { get; init; } = 20;
    [JsonPropertyName("policy")]
    public string PolicyName { get; init; } = "separate";
    /// <summary>Wait at home before a neighbour may answer; default the service-level target (the router's default).</summary>
    public double? OverflowAfterSeconds { get; init; }
    public int MaxHops { get; init; } = 1;
    /// <summary>Skill level agents hold for the centres they help (1–5).</summary>
    public int CrossSkill { get; init; } = 3;
    /// <summary>Lowest skill for a contact of another centre (RoutingOptions.OverflowMinimumSkillLevel).</summary>
    public int OverflowMinimumSkillLevel { get; init; } = 1;
    /// <summary>Ring time before a simulated agent accepts; 0 keeps the model M/M/c.</summary>
    public double AnswerSeconds { get; init; }
    /// <summary>After-call work; 0 keeps the model M/M/c.</summary>
    public double WrapUpSeconds { get; init; }
    public List<CentreScenario> Centres { get; init; } = [];

    public Policy ParsedPolicy => ParsePolicy(PolicyName);

    public static Policy ParsePolicy(string value) => value.Trim().ToLowerInvariant() switch
    {
        "separate" => ContactRouter.Simulator.Policy.Separate,
        "overflow" => ContactRouter.Simulator.Policy.Overflow,
        "pooled" => ContactRouter.Simulator.Policy.Pooled,
        _ => throw new ScenarioException($"Unknown policy '{value}': use separate, overflow or pooled."),
    };

    public static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    public static Scenario Load(string path)
    {
        if (!File.Exists(path)) throw new ScenarioException($"Scenario file '{path}' not found.");
        return Parse(File.ReadAllText(path), path);
    }

    public static Scenario Parse(string json, string source = "scenario")
    {
        Scenario? scenario;
        try
        {
            scenario = JsonSerializer.Deserialize<Scenario>(json, JsonOptions);
        }
        catch (JsonException ex)
        {
            throw new ScenarioException($"{source}: {ex.Message}");
        }
        if (scenario is null) throw new ScenarioException($"{source}: empty scenario.");
        var problems = scenario.Problems().ToList();
        if (problems.Count > 0) throw new ScenarioException($"{source}: {string.Join(" ", problems)}");
        return scenario;
    }

    public TimeSpan ServiceLevelTarget => TimeSpan.FromSeconds(ServiceLevelSeconds);
    public TimeSpan OverflowAfter => TimeSpan.FromSeconds(OverflowAfterSeconds ?? ServiceLevelSeconds);

    /// <summary>The centres whose overflow neighbours (ring by default) include <paramref name="centre"/>: its agents help them.</summary>
    public IEnumerable<string> CentresHelpedBy(string centre) =>
        Centres.Where(c => c.Id != centre && NeighboursOf(c.Id).Contains(centre)).Select(c => c.Id);

    public IReadOnlyList<string> NeighboursOf(string centre) =>
        Centres.FirstOrDefault(c => c.Id == centre)?.Neighbours ?? OverflowOptions.DefaultRing().GetValueOrDefault(centre)?.Neighbours ?? [];

    public IEnumerable<string> Problems()
    {
        if (Hours <= 0) yield return "hours must be positive.";
        if (WarmupHours < 0 || WarmupHours >= Hours) yield return "warmupHours must be 0 or more and less than hours.";
        if (ServiceLevelSeconds < 0) yield return "serviceLevelSeconds must be 0 or more.";
        if (OverflowAfterSeconds is < 0) yield return "overflowAfterSeconds must be 0 or more.";
        if (OverflowAfterSeconds > ServiceLevelSeconds)
            yield return "overflowAfterSeconds must not be above serviceLevelSeconds: a contact moved after the target has already missed it.";
        if (MaxHops < 0) yield return "maxHops must be 0 or more.";
        if (CrossSkill is < RoutingOptions.MinSkill or > RoutingOptions.MaxSkill) yield return "crossSkill must be 1–5.";
        if (OverflowMinimumSkillLevel is < RoutingOptions.MinSkill or > RoutingOptions.MaxSkill) yield return "overflowMinimumSkillLevel must be 1–5.";
        if (AnswerSeconds < 0 || WrapUpSeconds < 0) yield return "answerSeconds and wrapUpSeconds must be 0 or more.";
        string? policyProblem = null;
        try { _ = ParsedPolicy; } catch (ScenarioException ex) { policyProblem = ex.Message; }
        if (policyProblem is not null) yield return policyProblem;
        if (Centres.Count == 0) yield return "at least one centre is needed.";
        foreach (var duplicate in Centres.GroupBy(c => c.Id).Where(g => g.Count() > 1)) yield return $"centre '{duplicate.Key}' appears twice.";
        foreach (var centre in Centres)
            foreach (var problem in centre.Problems(this)) yield return problem;
    }
}

public sealed record CentreScenario
{
    /// <summary>One of the four catalogue centres: the real Centre class only takes agents skilled for them.</summary>
    public string Id { get; init; } = "";
    public double CallsPerHour { get; init; }
    public int Agents { get; init; }
    public double HandleSeconds { get; init; }
    /// <summary>Mean patience; null = callers never hang up (pure Erlang C).</summary>
    public double? PatienceSeconds { get; init; }
    /// <summary>Overrides the default ring: centres whose agents may answer this centre's callers.</summary>
    public List<string>? Neighbours { get; init; }
    /// <summary>How many of this centre's agents hold skills for the centres they help; default all.</summary>
    public int? CrossSkilledAgents { get; init; }
    /// <summary>Overrides the scenario's crossSkill for this centre's agents.</summary>
    public int? CrossSkill { get; init; }
    /// <summary>Overrides the scenario's overflowAfterSeconds for this centre's callers.</summary>
    public double? OverflowAfterSeconds { get; init; }
    /// <summary>Explicit skills for the first agents (one entry per agent); the rest get the defaults.</summary>
    public List<Dictionary<string, int>>? AgentSkills { get; init; }

    /// <summary>Offered load in Erlang: a = λ·h.</summary>
    public double Load => CallsPerHour * HandleSeconds / 3600.0;

    internal IEnumerable<string> Problems(Scenario scenario)
    {
        var name = string.IsNullOrWhiteSpace(Id) ? "(no id)" : Id;
        if (!CentreCatalog.IsKnown(Id)) yield return $"centre '{name}' is not one of {string.Join(", ", CentreCatalog.All)}.";
        if (CallsPerHour < 0) yield return $"{name}: callsPerHour must be 0 or more.";
        if (Agents < 1) yield return $"{name}: agents must be 1 or more.";
        if (HandleSeconds <= 0) yield return $"{name}: handleSeconds must be positive.";
        if (PatienceSeconds is <= 0) yield return $"{name}: patienceSeconds must be positive (or null: no abandonment).";
        if (CrossSkilledAgents is < 0 || CrossSkilledAgents > Agents) yield return $"{name}: crossSkilledAgents must be 0..agents.";
        if (CrossSkill is < RoutingOptions.MinSkill or > RoutingOptions.MaxSkill) yield return $"{name}: crossSkill must be 1–5.";
        if (OverflowAfterSeconds is < 0 || OverflowAfterSeconds > scenario.ServiceLevelSeconds)
            yield return $"{name}: overflowAfterSeconds must be between 0 and serviceLevelSeconds.";
        foreach (var neighbour in Neighbours ?? [])
            if (neighbour == Id || !CentreCatalog.IsKnown(neighbour)) yield return $"{name}: neighbour '{neighbour}' is not another catalogue centre.";
        if (AgentSkills is { } skills)
        {
            if (skills.Count > Agents) yield return $"{name}: agentSkills lists more agents than agents.";
            foreach (var agent in skills)
            {
                if (agent.GetValueOrDefault(Id) < RoutingOptions.MinSkill) yield return $"{name}: every agent in agentSkills needs a skill for {name}.";
                foreach (var (centre, level) in agent)
                    if (!CentreCatalog.IsKnown(centre) || level is < RoutingOptions.MinSkill or > RoutingOptions.MaxSkill)
                        yield return $"{name}: agentSkills entry {centre}={level} is not a catalogue centre with level 1–5.";
            }
        }
    }
}

public sealed class ScenarioException(string message) : Exception(message);
