using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using ContactRouter.Tests.Drills;

namespace ContactRouter.Bench;

/// <summary>One agent command as the benchmark saw it: when it was sent, how long its answer took, and the status.</summary>
public sealed record Action(TimeSpan SentAt, string Kind, double Milliseconds, int Status);

/// <summary>
/// An agent who takes every call at once, with wrap-up 0: the driver the figures were measured with. Signed in as
/// the drills' agents are (<see cref="StaffSession"/>). Told by the <see cref="Dispatcher"/> that it rings, it reads its
/// own view, accepts, completes at once and reads its view again (with callers waiting, the next offer comes with the
/// completion); with nothing to do it waits for the next nudge. A "console" desk instead learns of offers from its own
/// server-sent event stream, as the agent console does, and records how long each offer took from the centre's decision
/// (the offer's <c>offeredAt</c>) to arriving on that stream.
/// </summary>
public sealed class QuickDesk(string agentId, StaffSession session, DrillClock clock, ConcurrentQueue<Action> actions, System.Action onCompleted)
{
    /// <summary>How long a desk waits without a nudge before it looks by itself (a nudge lost in a race costs no more).</summary>
    public static readonly TimeSpan Idle = TimeSpan.FromSeconds(1);
    private readonly SemaphoreSlim _nudge = new(0, 1);

    public string AgentId => agentId;

    /// <summary>Decision → arrival on the stream, in ms, per offer seen (console desks only).</summary>
    public ConcurrentQueue<double> OfferLatencies { get; } = new();

    /// <summary>Something rings (or needs doing) at this desk.</summary>
    public void Nudge()
    {
        try
        {
            _nudge.Release();
        }
        catch (SemaphoreFullException)
        {
            // Nudged already.
        }
    }

    public async Task Run(CancellationToken stop)
    {
        try
        {
            while (!stop.IsCancellationRequested)
            {
                await _nudge.WaitAsync(Idle, stop);
                while (await Work(await View(stop), stop))
                {
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    /// <summary>Driven by the agent's own stream (<c>/api/agents/{id}/stream</c>): every event is a fresh view.</summary>
    public async Task RunOnStream(CancellationToken stop)
    {
        var seen = new HashSet<string>();
        while (!stop.IsCancellationRequested)
        {
            try
            {
                using var answer = await session.Open($"/api/agents/{agentId}/stream", stop);
                if (!answer.IsSuccessStatusCode)
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), stop);
                    continue;
                }
                await foreach (var data in Sse.Data(answer, stop))
                {
                    JsonNode? view;
                    try
                    {
                        view = JsonNode.Parse(data);
                    }
                    catch (System.Text.Json.JsonException)
                    {
                        continue;
                    }
                    if (view is not JsonObject) continue; // the clock event, or another event than the agent view
                    if (view["offer"] is { } offer && (string?)offer["contactId"] is { } id && seen.Add(id)
                        && offer["offeredAt"] is { } offeredAt && DateTimeOffset.TryParse((string?)offeredAt, out var decided))
                        OfferLatencies.Enqueue((DateTimeOffset.UtcNow - decided).TotalMilliseconds);
                    // Acting before reading on, as one console tab does; later events wait in the socket meanwhile.
                    await Work(view, stop);
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException || (ex is OperationCanceledException && !stop.IsCancellationRequested))
            {
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Does what the view asks for; false when there was nothing to do.</summary>
    private async Task<bool> Work(JsonNode? view, CancellationToken stop)
    {
        if (view is null) return false;
        var connected = (string?)view["contactId"];
        var offered = (string?)view["offer"]?["contactId"];
        var status = (string?)view["status"];
        if (connected is not null)
        {
            await Complete(connected, stop);
            return true;
        }
        if (offered is not null)
        {
            var accepted = await Send("accept", $"/api/agents/{agentId}/accept", new { contactId = offered }, stop);
            if (accepted == HttpStatusCode.OK) await Complete(offered, stop);
            return true;
        }
        if (status is "notresponding" or "offline" or "wrapup")
        {
            await Send("available", $"/api/agents/{agentId}/status", new { status = "available" }, stop);
            return true;
        }
        return false;
    }

    private async Task Complete(string contactId, CancellationToken stop)
    {
        var answer = await Send("complete", $"/api/contacts/{contactId}/complete", new { outcome = "resolved", summary = "bench" }, stop);
        if (answer is HttpStatusCode.OK or HttpStatusCode.Accepted) onCompleted();
    }

    private async Task<HttpStatusCode?> Send(string kind, string path, object body, CancellationToken stop)
    {
        var sentAt = clock.Now;
        try
        {
            using var answer = await session.Post(path, body, stop);
            actions.Enqueue(new Action(sentAt, kind, (clock.Now - sentAt).TotalMilliseconds, (int)answer.StatusCode));
            return answer.StatusCode;
        }
        catch (Exception ex) when (ex is HttpRequestException || (ex is TaskCanceledException && !stop.IsCancellationRequested))
        {
            actions.Enqueue(new Action(sentAt, kind, (clock.Now - sentAt).TotalMilliseconds, 0));
            return null;
        }
    }

    private async Task<JsonNode?> View(CancellationToken stop)
    {
        try
        {
            using var answer = await session.Get($"/api/agents/{agentId}", stop);
            return answer.IsSuccessStatusCode ? JsonNode.Parse(await answer.Content.ReadAsStringAsync(stop)) : null;
        }
        catch (Exception ex) when (ex is HttpRequestException || (ex is TaskCanceledException && !stop.IsCancellationRequested))
        {
            return null;
        }
    }
}

/// <summary>Reads a server-sent event stream: the data of each event as it arrives (comments and other fields skipped).</summary>
public static class Sse
{
    public static async IAsyncEnumerable<string> Data(HttpResponseMessage answer, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken stop)
    {
        await using var body = await answer.Content.ReadAsStreamAsync(stop);
        using var reader = new StreamReader(body);
        var data = new System.Text.StringBuilder();
        while (await reader.ReadLineAsync(stop) is { } line)
        {
            if (line.Length == 0)
            {
                if (data.Length > 0) yield return data.ToString();
                data.Clear();
            }
            else if (line.StartsWith("data:", StringComparison.Ordinal))
            {
                if (data.Length > 0) data.Append('\n');
                data.Append(line.AsSpan(5).TrimStart(' '));
            }
        }
    }
}

/// <summary>
/// Watches the centre's agents as a team lead's list does (<c>GET /api/agents?centre=…</c>, one request for all of them)
/// and nudges each desk whose agent is offered, connected or needs to say available again: one poll for the whole
/// room instead of one per agent, so the driver's own requests do not load the router it measures.
/// </summary>
public sealed class Dispatcher(StaffSession admin, IReadOnlyDictionary<string, QuickDesk> desks, string centre)
{
    public static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(50);

    public async Task Run(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(Tick);
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                try
                {
                    using var answer = await admin.Get($"/api/agents?centre={centre}", stop);
                    if (!answer.IsSuccessStatusCode) continue;
                    if (JsonNode.Parse(await answer.Content.ReadAsStringAsync(stop)) is not JsonArray agents) continue;
                    foreach (var agent in agents)
                    {
                        if ((string?)agent?["status"] is "available" or null) continue;
                        if ((string?)agent["agentId"] is { } id && desks.TryGetValue(id, out var desk)) desk.Nudge();
                    }
                }
                catch (Exception ex) when (ex is HttpRequestException || (ex is TaskCanceledException && !stop.IsCancellationRequested))
                {
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }
}
