using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;

namespace ContactRouter.Tests.Drills;

/// <summary>
/// An agent at work, as the agent console does it but without a browser: every tick it reads its own view
/// (<c>GET /api/agents/{id}</c>); a ringing offer is accepted, a connected contact is completed after the talk time,
/// and wrap-up (or "not responding" after an offer that timed out during a fault) is ended by saying available. It
/// always acts on what the router says now, so a lost answer only costs a tick. Every answer goes into the tally.
/// </summary>
public sealed class AgentDesk(string agentId, StaffSession session, DrillTally tally, DrillClock clock, int talkTicks)
{
    private readonly ConcurrentDictionary<(string Kind, string ContactId), Task<AgentAction>> _confirming = new();

    public static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(200);

    public string AgentId => agentId;
    public StaffSession Session => session;

    public async Task Run(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(Tick);
        var talked = 0;
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                var view = await View(stop);
                if (view is null) continue;
                var offered = (string?)view["offer"]?["contactId"];
                var connected = (string?)view["contactId"];
                var status = (string?)view["status"];
                if (connected is not null)
                {
                    tally.SawConnected(connected, agentId);
                    if (talked++ < talkTicks || IsPending("complete", connected)) continue;
                    await Act("complete", connected, $"/api/contacts/{connected}/complete", new { outcome = "resolved", summary = $"drill {agentId}" }, stop, outcome: false);
                    talked = 0;
                }
                else if (offered is not null)
                {
                    // Accepted already and waiting to hear how it went: the console shows "pending", the agent waits.
                    if (!IsPending("accept", offered))
                        await Act("accept", offered, $"/api/agents/{agentId}/accept", new { contactId = offered }, stop, outcome: false);
                }
                else if (status is "wrapup" or "notresponding" or "offline")
                    await Available(stop);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The drill is over.
        }
        await Task.WhenAll(_confirming.Values);
    }

    private bool IsPending(string kind, string contactId) => _confirming.TryGetValue((kind, contactId), out var confirming) && !confirming.IsCompleted;

    /// <summary>Ready for calls; true when the router applied it.</summary>
    public async Task<bool> Available(CancellationToken ct = default)
    {
        try
        {
            using var answer = await session.Post($"/api/agents/{agentId}/status", new { status = "available" }, ct);
            return answer.StatusCode == HttpStatusCode.OK || (answer.StatusCode == HttpStatusCode.Accepted && await Confirm(answer, ct) == "applied");
        }
        catch (Exception ex) when (ex is HttpRequestException || (ex is TaskCanceledException && !ct.IsCancellationRequested))
        {
            return false;
        }
    }

    public async Task<JsonNode?> View(CancellationToken ct = default)
    {
        try
        {
            using var answer = await session.Get($"/api/agents/{agentId}", ct);
            return answer.IsSuccessStatusCode ? JsonNode.Parse(await answer.Content.ReadAsStringAsync(ct)) : null;
        }
        catch (Exception ex) when (ex is HttpRequestException || (ex is TaskCanceledException && !ct.IsCancellationRequested))
        {
            // The API process is down or restarting: try again at the next tick.
            return null;
        }
    }

    /// <summary>
    /// Sends an accept or a complete and records its answer. A 202 is followed in the background until the command says
    /// how it ended, and recorded then; <paramref name="outcome"/> waits for that, otherwise the agent goes on reading
    /// their view meanwhile (and gets the provisional 202 back).
    /// </summary>
    public async Task<AgentAction> Act(string kind, string contactId, string path, object body, CancellationToken ct = default, bool outcome = true)
    {
        var sentAt = clock.Now;
        HttpResponseMessage answer;
        try
        {
            answer = await session.Post(path, body, ct);
        }
        catch (Exception ex) when (ex is HttpRequestException || (ex is TaskCanceledException && !ct.IsCancellationRequested))
        {
            return Recorded(new AgentAction(agentId, kind, contactId, sentAt, clock.Now, 0, null));
        }
        var answered = new AgentAction(agentId, kind, contactId, sentAt, clock.Now, (int)answer.StatusCode, null);
        if (answer.StatusCode != HttpStatusCode.Accepted)
        {
            answer.Dispose();
            return Recorded(answered);
        }
        var confirming = Task.Run(async () =>
        {
            using (answer) return Recorded(answered with { Confirmed = await Confirm(answer, CancellationToken.None) });
        }, CancellationToken.None);
        _confirming[(kind, contactId)] = confirming;
        return outcome ? await confirming : answered;
    }

    private AgentAction Recorded(AgentAction action)
    {
        tally.Record(action);
        return action;
    }

    /// <summary>
    /// A 202 says the router has the command but not yet its outcome: ask <c>Location</c> (<c>GET /api/commands/{id}</c>)
    /// until it says applied or refused. Null when that never came within the limit.
    /// </summary>
    private async Task<string?> Confirm(HttpResponseMessage accepted, CancellationToken ct)
    {
        var location = accepted.Headers.Location?.ToString();
        if (location is null)
        {
            var body = JsonNode.Parse(await accepted.Content.ReadAsStringAsync(ct));
            if ((string?)body?["commandId"] is { } commandId) location = $"/api/commands/{commandId}";
        }
        if (location is null) return null;
        using var poll = new PeriodicTimer(Tick);
        var deadline = clock.Now + TimeSpan.FromSeconds(30);
        while (clock.Now < deadline && await poll.WaitForNextTickAsync(ct))
        {
            try
            {
                using var answer = await session.Get(location, ct);
                if (!answer.IsSuccessStatusCode) continue;
                var status = (string?)JsonNode.Parse(await answer.Content.ReadAsStringAsync(ct))?["status"];
                if (status is not null and not "pending") return status;
            }
            catch (Exception ex) when (ex is HttpRequestException || (ex is TaskCanceledException && !ct.IsCancellationRequested))
            {
                // Ask again.
            }
        }
        return null;
    }
}
