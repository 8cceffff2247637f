using System.Globalization;

namespace ContactRouter.Bench;

/// <summary>What the machine was doing beside a figure: a shared two-core machine makes every timing depend on it.</summary>
public static class Machine
{
    /// <summary>The 1-minute load average from /proc/loadavg ("?" where there is none).</summary>
    public static string Load()
    {
        try
        {
            return File.ReadAllText("/proc/loadavg").Split(' ')[0];
        }
        catch (IOException)
        {
            return "?";
        }
    }

    /// <summary>A process's resident set (working set) in MB, from /proc/&lt;pid&gt;/status; null when it is gone.</summary>
    public static double? ResidentMegabytes(int pid, string field = "VmRSS")
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (!line.StartsWith(field + ":", StringComparison.Ordinal)) continue;
                var kilobytes = long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
                return kilobytes / 1024.0;
            }
        }
        catch (IOException)
        {
        }
        return null;
    }

    /// <summary>
    /// Where the machine's CPU went between two readings: the host under test, this benchmark's own clients (desks,
    /// consoles, callers: on a real site they run on other machines) and everything else (RabbitMQ, PostgreSQL, other
    /// runs), in cores (2.0 = both cores busy). A figure that fell may have fallen for want of CPU, not by the router.
    /// </summary>
    public readonly record struct Cpu(double Host, double Bench, double Busy, long At)
    {
        // Linux reports process and machine CPU time in clock ticks of 1/100 s (USER_HZ, the same on every architecture).
        private const double TicksPerSecond = 100;

        public static Cpu Read(int hostPid) =>
            new(ProcessTicks(hostPid), ProcessTicks(Environment.ProcessId), MachineBusyTicks(), System.Diagnostics.Stopwatch.GetTimestamp());

        /// <summary>The CPU used from this reading until now.</summary>
        public string Until(int hostPid)
        {
            var before = this;
            var now = Read(hostPid);
            var seconds = System.Diagnostics.Stopwatch.GetElapsedTime(before.At, now.At).TotalSeconds * TicksPerSecond;
            double Cores(double ticks) => seconds > 0 ? ticks / seconds : 0;
            var host = Cores(now.Host - before.Host);
            var bench = Cores(now.Bench - before.Bench);
            var busy = Cores(now.Busy - before.Busy);
            return $"CPU in cores: host {host:0.00}, benchmark's clients {bench:0.00}, rest {Math.Max(0, busy - host - bench):0.00} of {Environment.ProcessorCount}";
        }

        /// <summary>utime + stime, fields 14 and 15 of /proc/&lt;pid&gt;/stat (after the command name in parentheses).</summary>
        private static double ProcessTicks(int pid)
        {
            try
            {
                var stat = File.ReadAllText($"/proc/{pid}/stat");
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                return double.Parse(fields[11], CultureInfo.InvariantCulture) + double.Parse(fields[12], CultureInfo.InvariantCulture);
            }
            catch (IOException)
            {
                return 0;
            }
        }

        /// <summary>All CPUs' busy ticks from /proc/stat's first line: everything but idle and iowait.</summary>
        private static double MachineBusyTicks()
        {
            var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
                .Select(f => double.Parse(f, CultureInfo.InvariantCulture)).ToArray();
            return fields.Take(8).Sum() - fields[3] - fields[4];
        }
    }
}
