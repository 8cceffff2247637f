using System.Globalization;
using System.Text;

namespace ContactRouter.Bench;

/// <summary>One printed figure: where it was measured, its value, the load average when it was taken, and the target it is held to.</summary>
public sealed record Figure(string Id, string Setup, string What, string Value, string Load, string Target = "", bool? Met = null)
{
    public string Verdict => Met switch { true => "PASS", false => "MISS", null => "" };
}

/// <summary>
/// The run's figures, printed as they come (a long run shows progress) and once more as a table at the end. A target's
/// PASS/MISS is information for the reader, not a verdict on the build: the benchmark always exits 0 when it ran.
/// </summary>
public sealed class Report
{
    private readonly List<Figure> _figures = [];

    public IReadOnlyList<Figure> Figures => _figures;

    public Figure Add(string id, string setup, string what, string value, string target = "", bool? met = null)
    {
        var figure = new Figure(id, setup, what, value, Machine.Load(), target, met);
        lock (_figures) _figures.Add(figure);
        Console.WriteLine($"  ({figure.Id}) {figure.Setup} · {figure.What}: {figure.Value}   [load {figure.Load}]{(figure.Met is null ? "" : $"   target {figure.Target}: {figure.Verdict}")}");
        return figure;
    }

    public static void Say(string line) => Console.WriteLine($"[{DateTime.UtcNow:HH:mm:ss}] {line}");

    /// <summary>The table the README shows: Markdown, one row per figure.</summary>
    public string Table()
    {
        var text = new StringBuilder();
        text.AppendLine("| | setup | figure | value | load avg | target | |");
        text.AppendLine("|---|---|---|---|---|---|---|");
        foreach (var f in _figures)
            text.AppendLine($"| {f.Id} | {f.Setup} | {f.What} | {f.Value} | {f.Load} | {f.Target} | {f.Verdict} |");
        return text.ToString();
    }

    public static string N(double value, string format = "0.0") => double.IsPositiveInfinity(value) ? "never" : value.ToString(format, CultureInfo.InvariantCulture);
}
