using System.Globalization;

namespace ContactRouter.Tests.Telephony;

/// <summary>
/// Reads a phone's sipp message trace (-trace_msg): when each call rang — from the INVITE received to the INVITE's final
/// answer sent (200, 486, 487) — to see whether the phone ever rang for two callers at once.
/// </summary>
public static class PhoneTrace
{
    private const string Separator = "----------------------------------------------- ";

    /// <summary>The pairs of call ids whose ringing overlapped (empty when the phone rang for one caller at a time).</summary>
    public static IReadOnlyList<(string First, string Second)> RingsAtOnce(string directory)
    {
        var ordered = Rings(directory).OrderBy(r => r.Value.Start).ToList();
        var overlaps = new List<(string, string)>();
        for (var i = 1; i < ordered.Count; i++)
        {
            var previous = ordered[i - 1];
            if (previous.Value.End is not { } end || end > ordered[i].Value.Start)
                overlaps.Add((previous.Key, ordered[i].Key));
        }
        return overlaps;
    }

    /// <summary>Each call the phone rang for (by call id): from the INVITE received to its final answer sent, if any.</summary>
    public static IReadOnlyDictionary<string, (DateTime Start, DateTime? End)> Rings(string directory)
    {
        var file = Directory.GetFiles(directory, "*_messages.log").SingleOrDefault();
        var rings = new Dictionary<string, (DateTime Start, DateTime? End)>();
        if (file is null) return rings;
        foreach (var (at, received, lines) in Messages(file))
        {
            var callId = lines.FirstOrDefault(l => l.StartsWith("Call-ID:", StringComparison.OrdinalIgnoreCase))?[8..].Trim();
            var cseq = lines.FirstOrDefault(l => l.StartsWith("CSeq:", StringComparison.OrdinalIgnoreCase)) ?? "";
            if (callId is null || !cseq.TrimEnd().EndsWith("INVITE", StringComparison.Ordinal)) continue;
            var first = lines[0];
            if (received && first.StartsWith("INVITE ", StringComparison.Ordinal))
                rings.TryAdd(callId, (at, null));
            else if (!received && first.StartsWith("SIP/2.0 ", StringComparison.Ordinal)
                     && int.TryParse(first.AsSpan(8, 3), out var code) && code >= 200
                     && rings.TryGetValue(callId, out var ring) && ring.End is null)
                rings[callId] = (ring.Start, at);
        }
        return rings;
    }

    /// <summary>Each traced message: when, whether it was received (else sent), and its lines from the start line on.</summary>
    private static IEnumerable<(DateTime At, bool Received, List<string> Lines)> Messages(string file)
    {
        DateTime? at = null;
        bool? received = null;
        List<string>? lines = null;
        foreach (var line in ReadShared(file))
        {
            if (line.StartsWith(Separator, StringComparison.Ordinal))
            {
                if (at is { } t && received is { } r && lines is { Count: > 0 }) yield return (t, r, lines);
                at = DateTime.TryParse(line[Separator.Length..].Trim(), CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed) ? parsed : null;
                received = null;
                lines = null;
                continue;
            }
            if (received is null)
            {
                if (line.Contains("message received", StringComparison.Ordinal)) received = true;
                else if (line.Contains("message sent", StringComparison.Ordinal)) received = false;
                continue;
            }
            if (lines is null)
            {
                if (line.Trim().Length > 0) lines = [line.Trim()];
                continue;
            }
            lines.Add(line.Trim());
        }
        if (at is { } last && received is { } was && lines is { Count: > 0 }) yield return (last, was, lines);
    }

    private static IEnumerable<string> ReadShared(string file)
    {
        using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        while (reader.ReadLine() is { } line) yield return line;
    }
}
