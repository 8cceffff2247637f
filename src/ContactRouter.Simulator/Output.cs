using System.Globalization;
using System.Text;
using System.Text.Json;

namespace ContactRouter.Simulator;

/// <summary>The two ways a result is shown: a table for people, JSON for scripts and tests.</summary>
public static class Output
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string ToJson(SimulationResult result) => JsonSerializer.Serialize(result, Json);

    public static string ToTable(SimulationResult result, string? scenarioName = null)
    {
        var text = new StringBuilder();
        var overflow = result.OverflowAfterSeconds is { } after ? F($" · overflow after {after:0.#} s") : "";
        text.AppendLine(F($"{scenarioName ?? "scenario"} · policy {result.Policy} · {result.Hours:0.#} h after {result.WarmupHours:0.#} h warm-up · seed {result.Seed} · target {result.ServiceLevelSeconds:0.#} s{overflow}"));
        text.AppendLine(F($"{"centre",-16} {"agents",6} {"load",6} {"offered",8} {"answered",8} {"abandoned",9} {"SL",7} {"ASA s",7} {"p95 s",7} {"by other",8} │ {"Erlang C SL",11} {"ASA s",7}"));
        foreach (var centre in result.Centres)
        {
            var erlang = result.ErlangC.SeparateFor(centre.Centre);
            text.AppendLine(Row(centre, erlang.ServiceLevel, erlang.AsaSeconds));
        }
        // The total's Erlang C figure is the separate centres' traffic-weighted one: what "separate" must match.
        var calls = result.Centres.Sum(c => c.CallsPerHour);
        var weightedSl = calls == 0 ? 0 : result.Centres.Sum(c => c.CallsPerHour * result.ErlangC.SeparateFor(c.Centre).ServiceLevel) / calls;
        var unbounded = result.ErlangC.Separate.Any(s => s.AsaSeconds is null);
        double? weightedAsa = unbounded || calls == 0 ? null : result.Centres.Sum(c => c.CallsPerHour * result.ErlangC.SeparateFor(c.Centre).AsaSeconds!.Value) / calls;
        text.AppendLine(Row(result.Total, weightedSl, weightedAsa));
        var pooled = result.ErlangC.Pooled;
        text.AppendLine(F($"Erlang C with all {pooled.Agents} agents pooled (a = {pooled.Load:0.00} Erlang, h = {pooled.HandleSeconds:0} s): SL {Percent(pooled.ServiceLevel)}, ASA {Seconds(pooled.AsaSeconds)} s, P(wait) {Percent(pooled.ProbabilityOfWait)}"));
        foreach (var warning in result.Warnings) text.AppendLine("WARNING " + warning);
        return text.ToString();
    }

    public static string ThroughputLine(Throughput throughput) =>
        F($"simulated {throughput.Contacts:N0} contacts in {throughput.Wall.TotalSeconds:0.00} s wall time: {throughput.ContactsPerSecond:N0} contacts/s (one thread), {throughput.BytesPerContact:N0} bytes allocated per contact");

    private static string Row(CentreFigures c, double erlangSl, double? erlangAsa) =>
        F($"{c.Centre,-16} {c.Agents,6} {c.Load,6:0.00} {c.Offered,8} {c.Answered,8} {c.Abandoned,9} {Percent(c.ServiceLevel),7} {c.AsaSeconds,7:0.0} {c.P95WaitSeconds,7:0.0} {Percent(c.ServedByOtherCentre),8} │ {Percent(erlangSl),11} {Seconds(erlangAsa),7}");

    private static string Percent(double share) => (share * 100).ToString("0.0", Invariant) + " %";

    private static string Seconds(double? seconds) => seconds is { } s ? s.ToString("0.0", Invariant) : "∞";

    private static string F(FormattableString s) => s.ToString(Invariant);
}
