using ContactRouter.Routing;

namespace ContactRouter.Telephony;

/// <summary>The telephony component's settings (section <c>Telephony</c>); on only with <c>Router:Telephony</c> true.</summary>
public sealed class TelephonyOptions
{
    public const string Section = "Telephony";

    /// <summary>Means "the centre the caller's topic belongs to" as a number's centre: the municipality's one number behind an IVR.</summary>
    public const string ByTopic = "topic";

    /// <summary>
    /// The numbers callers dial (as they arrive in the INVITE's request URI, e.g. <c>14020</c> or <c>+31201234567</c>) and
    /// the centre each belongs to — or <see cref="ByTopic"/>: the centre of the topic the provider's IVR puts in the
    /// <c>X-Topic</c> header (src/ContactRouter.Routing/Topics.cs).
    /// </summary>
    public Dictionary<string, string> Numbers { get; set; } = new();

    /// <summary>Where Kamailio's evapi module listens (deploy/kamailio/kamailio.cfg): host:port.</summary>
    public string Evapi { get; set; } = "127.0.0.1:5071";

    /// <summary>
    /// A call to a number not in <see cref="Numbers"/> (or a topic with no centre) is refused with 404. Off when several
    /// components share one Kamailio, each with numbers of its own: then each leaves the others' calls alone.
    /// </summary>
    public bool RefuseUnknown { get; set; } = true;

    /// <summary>
    /// The telephony provider's SIP gateway (host:port) that agents' outbound calls go to: an agent connected to a
    /// callback dials the customer's number from their phone, and the front relays that call here. Empty: agents cannot
    /// dial out, and such a call is refused.
    /// </summary>
    public string Gateway { get; set; } = "";

    /// <summary>How long to wait before connecting to Kamailio again after the link was lost or refused.</summary>
    public TimeSpan ReconnectInterval { get; set; } = TimeSpan.FromSeconds(1);

    public (string Host, int Port) EvapiEndpoint()
    {
        var colon = Evapi.LastIndexOf(':');
        return (Evapi[..colon], int.Parse(Evapi[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture));
    }

    private static bool IsHostAndPort(string value)
    {
        var colon = value.LastIndexOf(':');
        return colon > 0 && int.TryParse(value[(colon + 1)..], out var port) && port is >= 1 and <= 65535;
    }

    /// <summary>What is wrong with these settings, in words; empty when nothing is.</summary>
    public IEnumerable<string> Problems()
    {
        if (!IsHostAndPort(Evapi)) yield return $"Telephony:Evapi must be host:port, not \"{Evapi}\".";
        if (Gateway.Length > 0 && !IsHostAndPort(Gateway)) yield return $"Telephony:Gateway must be empty or host:port, not \"{Gateway}\".";
        if (ReconnectInterval < TimeSpan.FromMilliseconds(100) || ReconnectInterval > TimeSpan.FromMinutes(1))
            yield return "Telephony:ReconnectInterval must be between 00:00:00.1 and 00:01:00.";
        foreach (var (number, centre) in Numbers)
        {
            if (number.Length is 0 or > 32 || !number.All(c => char.IsAsciiDigit(c) || c == '+'))
                yield return $"Telephony:Numbers: \"{number}\" is not a dialled number (digits, optionally a leading +).";
            if (centre != ByTopic && !CentreCatalog.IsKnown(centre))
                yield return $"Telephony:Numbers:{number} must be \"{ByTopic}\" or one of {string.Join(", ", CentreCatalog.All)}, not \"{centre}\".";
        }
    }

    /// <summary>The centre a call to <paramref name="number"/> with <paramref name="topic"/> belongs to; null when none.</summary>
    public string? CentreFor(string number, string? topic) => Numbers.TryGetValue(number, out var centre)
        ? centre == ByTopic ? Topics.CentreFor(topic) : centre
        : null;
}
