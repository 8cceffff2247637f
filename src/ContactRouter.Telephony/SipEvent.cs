using System.Text.Json;
using System.Text.Json.Serialization;

namespace ContactRouter.Telephony;

/// <summary>
/// What Kamailio tells the component over evapi (deploy/kamailio/kamailio.cfg builds these): <c>invite</c> (a new caller,
/// parked), <c>ringing</c> / <c>answered</c> (the agent's phone), <c>declined</c> / <c>unreachable</c> (the phone said no or
/// is not registered; the caller is parked again), <c>stopped</c> (the component stopped the phone ringing; parked again), <c>cancel</c> (the caller hung up before being connected), <c>dropped</c> (the front had
/// to end a waiting call: rung so often that the transaction has no branch left), <c>bye</c>
/// (either side hung up a connected call), <c>registration</c> (a phone's registration now has this many contacts).
/// </summary>
public sealed record SipEvent
{
    public string Event { get; init; } = "";
    public string CallId { get; init; } = "";
    public string? From { get; init; }
    public string? To { get; init; }
    public string? Topic { get; init; }
    /// <summary>The INVITE's CSeq number: with the call id, how Kamailio finds the transaction to stop a phone ringing.</summary>
    public long CSeq { get; init; }
    public long TIndex { get; init; }
    public long TLabel { get; init; }
    public string? Agent { get; init; }
    public int Code { get; init; }
    public string? Aor { get; init; }
    public int Contacts { get; init; }

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        NumberHandling = JsonNumberHandling.AllowReadingFromString,
    };

    /// <summary>The event in a message, or null when the message is not one (logged by the caller, never thrown).</summary>
    public static SipEvent? Parse(string message)
    {
        try
        {
            return JsonSerializer.Deserialize<SipEvent>(message, Json);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>What the component tells Kamailio: ring an agent's phone for a parked caller, or answer the caller.</summary>
public static class SipInstruction
{
    public static string Ring(Call call, string agentId) => JsonSerializer.Serialize(new
    {
        action = "ring", callid = call.CallId, tindex = call.TIndex, tlabel = call.TLabel, agent = agentId,
    });

    /// <summary>Stop the phone ringing for this call (CANCEL to it); Kamailio parks the caller again and says <c>stopped</c>.</summary>
    /// <summary>Relay an agent's outbound call to <paramref name="uri"/> (the customer's number at the provider's gateway).</summary>
    public static string Dial(Call call, string uri) => JsonSerializer.Serialize(new
    {
        action = "dial", callid = call.CallId, tindex = call.TIndex, tlabel = call.TLabel, uri,
    });

    public static string Stop(Call call) => JsonSerializer.Serialize(new { action = "stop", callid = call.CallId, cseq = call.CSeq });

    public static string Reply(string callId, long tindex, long tlabel, int code, string reason) => JsonSerializer.Serialize(new
    {
        action = "reply", callid = callId, tindex, tlabel, code, reason,
    });
}
