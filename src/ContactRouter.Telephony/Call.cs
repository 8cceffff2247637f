using System.Security.Cryptography;
using System.Text;

namespace ContactRouter.Telephony;

public enum CallState { Parked, Ringing, Connected, Ended }

/// <summary>
/// One caller's call as the component follows it: the parked INVITE's transaction (index and label, to resume it), the
/// contact it is in the router, and whose phone rings. Changed only under its own lock.
/// </summary>
public sealed class Call
{
    public required string CallId { get; init; }
    public required string ContactId { get; init; }
    public required long TIndex { get; init; }
    public required long TLabel { get; init; }
    public required long CSeq { get; init; }
    /// <summary>The centre the contact is at now (overflow moves it).</summary>
    public required string Centre { get; set; }
    public CallState State { get; set; } = CallState.Parked;
    /// <summary>The agent whose phone rings or who talks with the caller.</summary>
    public string? AgentId { get; set; }

    /// <summary>The component asked Kamailio to stop the ringing (the router took the offer back); not yet confirmed.</summary>
    public bool Stopping { get; set; }

    /// <summary>An offer that came while the ringing was being stopped: that agent's phone rings as soon as it has stopped.</summary>
    public string? NextAgentId { get; set; }

    /// <summary>
    /// Offered to <see cref="AgentId"/>, whose phone still has another caller's INVITE on it (being stopped): it rings once
    /// that branch has its final answer, so a phone never rings for two callers at once.
    /// </summary>
    public bool WaitingForPhone { get; set; }

    /// <summary>An agent's outbound call to a callback's customer (not a caller waiting in the queue).</summary>
    public bool Outbound { get; init; }

    /// <summary>
    /// The contact id a call always gets: the same call id (a retransmission, a component restarted mid-call) is the same
    /// contact, and the router queues it once.
    /// </summary>
    public static string ContactIdFor(string callId) => new Guid(Hash(callId, "contact")).ToString("N");

    /// <summary>The command id of this call's <paramref name="what"/> (queue, abandon): sent twice, applied once.</summary>
    public static Guid CommandIdFor(string callId, string what) => new(Hash(callId, what));

    private static ReadOnlySpan<byte> Hash(string callId, string what) =>
        SHA256.HashData(Encoding.UTF8.GetBytes($"sip\n{callId}\n{what}")).AsSpan(0, 16);
}
