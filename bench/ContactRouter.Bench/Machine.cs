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
}
