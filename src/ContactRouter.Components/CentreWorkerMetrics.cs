using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace ContactRouter.Components;

/// <summary>
/// Where a centre worker's time goes, per command and per phase (issue 11: the routing core was under 0.1 ms of a
/// 50–66 ms command). Instruments record only while a listener (OpenTelemetry, dotnet-counters, the worker bench) is
/// attached: otherwise a phase costs two timestamp reads.
/// </summary>
public static class CentreWorkerMetrics
{
    public const string MeterName = "ContactRouter.CentreWorker";

    private static readonly Meter Meter = new(MeterName);

    public static readonly Counter<long> Commands = Meter.CreateCounter<long>("contactrouter.centre.commands", "{command}",
        "Commands a centre worker answered (tag outcome: applied, refused, duplicate).");

    /// <summary>How many commands one transaction carried.</summary>
    public static readonly Histogram<int> BatchSize = Meter.CreateHistogram<int>("contactrouter.centre.batch_size", "{command}",
        "Commands saved together in one transaction.");

    private static readonly Histogram<double> Phase = Meter.CreateHistogram<double>("contactrouter.centre.phase.duration", "ms",
        "Time a centre worker spent in one phase of a command (tag phase).");

    public const string Load = "load";
    public const string DuplicateCheck = "duplicate-check";
    public const string Apply = "apply";
    public const string Stage = "stage";
    public const string Commit = "commit";
    public const string Publish = "publish";
    public const string OutboxCleanup = "outbox-cleanup";
    public const string Total = "total";

    public static long Start() => Stopwatch.GetTimestamp();

    /// <summary>Records the time since <paramref name="started"/> under <paramref name="phase"/>; returns now, to start the next phase.</summary>
    public static long Record(string phase, long started)
    {
        var now = Stopwatch.GetTimestamp();
        if (Phase.Enabled)
            Phase.Record(Stopwatch.GetElapsedTime(started, now).TotalMilliseconds, new KeyValuePair<string, object?>("phase", phase));
        return now;
    }

    public static void Answered(string outcome)
    {
        if (Commands.Enabled) Commands.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
    }
}
