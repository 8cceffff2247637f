using Xunit.Abstractions;

namespace ContactRouter.Tests;

/// <summary>
/// Figures a drill or a fuzz run measured (accepted, lost, time to serve again, …). dotnet test shows a test's output
/// only when it fails, so each line also goes to the file named by CONTACTROUTER_FIGURES, which the README's test
/// command prints after the summary. Every line carries the machine's load average: timings here are noisy.
/// </summary>
public static class Figures
{
    private static readonly Lock Gate = new();

    public static void Print(ITestOutputHelper output, string name, string line)
    {
        var text = $"{name}: {line} (load {LoadAverage()})";
        output.WriteLine(text);
        var file = Environment.GetEnvironmentVariable("CONTACTROUTER_FIGURES");
        if (string.IsNullOrWhiteSpace(file)) return;
        lock (Gate) File.AppendAllText(file, text + Environment.NewLine);
    }

    /// <summary>The 1-, 5- and 15-minute load averages from /proc/loadavg ("?" where there is none).</summary>
    public static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "?";
        }
    }
}
