using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace ContactRouter.Tests.Drills;

/// <summary>
/// The telephone exchange putting callers through at a steady rate: one POST /api/contacts per tick of a
/// <see cref="PeriodicTimer"/>, each with a phone number and Idempotency-Key of its own, not waiting for the previous
/// answer (a slow router does not slow the callers down). Every answer goes into the tally.
/// </summary>
public sealed class CallerStream(HttpClient exchange, DrillTally tally, DrillClock clock, string name, string centre = "sociaal")
{
    private readonly List<Task> _calls = [];
    private readonly Dictionary<int, TaskCompletionSource> _milestones = [];
    private readonly Lock _gate = new();
    private int _sent;

    /// <summary>
    /// Puts <paramref name="count"/> callers through, <paramref name="perSecond"/> a second (fewer when <paramref name="stop"/>
    /// ends the stream early); ends when every one was answered.
    /// </summary>
    public async Task Run(int count, double perSecond, CancellationToken stop = default)
    {
        using var pace = new PeriodicTimer(TimeSpan.FromSeconds(1 / perSecond));
        try
        {
            for (var n = 1; n <= count; n++)
            {
                _calls.Add(Call(n));
                Reached(n);
                if (n < count) await pace.WaitForNextTickAsync(stop);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The drill has seen enough callers.
        }
        await Task.WhenAll(_calls);
    }

    /// <summary>How many callers were put through so far.</summary>
    public int Count
    {
        get
        {
            lock (_gate) return _sent;
        }
    }

    /// <summary>Completes once the <paramref name="n"/>-th caller was put through: how a drill times its fault by the stream.</summary>
    public Task Sent(int n)
    {
        lock (_gate)
        {
            if (_sent >= n) return Task.CompletedTask;
            if (!_milestones.TryGetValue(n, out var milestone)) _milestones[n] = milestone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return milestone.Task;
        }
    }

    /// <summary>The numbers a drill's callers use: Dutch mobile numbers, one per caller, so the store tells them apart.</summary>
    public static string PhoneOf(int number) => $"+3161{number:D7}";

    /// <summary>One caller at once, as a burst (all of them without pacing).</summary>
    public Task Call(int number) => Call(exchange, tally, clock, name, centre, number);

    private void Reached(int n)
    {
        lock (_gate)
        {
            _sent = n;
            foreach (var (at, milestone) in _milestones.Where(m => m.Key <= n).ToList())
            {
                milestone.TrySetResult();
                _milestones.Remove(at);
            }
        }
    }

    private static async Task Call(HttpClient exchange, DrillTally tally, DrillClock clock, string name, string centre, int number)
    {
        var caller = PhoneOf(number);
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/contacts")
        {
            Content = JsonContent.Create(new { centre, channel = "phone", caller, priority = 0, topic = "wmo" }),
        };
        request.Headers.Add("Idempotency-Key", $"{name}-{number}");
        var sentAt = clock.Now;
        try
        {
            using var answer = await exchange.SendAsync(request);
            var body = await answer.Content.ReadAsStringAsync();
            string? contactId = null;
            if (answer.IsSuccessStatusCode) contactId = JsonNode.Parse(body)?["contactId"]?.GetValue<string>();
            tally.Record(new CallerAttempt(number, caller, sentAt, clock.Now, (int)answer.StatusCode, contactId, answer.IsSuccessStatusCode ? null : Clip(body)));
        }
        catch (TaskCanceledException)
        {
            tally.Record(new CallerAttempt(number, caller, sentAt, clock.Now, 0, null, "timeout"));
        }
        catch (HttpRequestException ex)
        {
            // Nothing listens yet (a cold start), or the connection broke: the caller was not accepted.
            tally.Record(new CallerAttempt(number, caller, sentAt, clock.Now, 0, null, ex.HttpRequestError.ToString()));
        }
    }

    private static string Clip(string text) => text.Length <= 300 ? text : text[..300];
}
