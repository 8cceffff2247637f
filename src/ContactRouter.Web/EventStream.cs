using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ContactRouter.Web;

/// <summary>
/// Server-sent events for the consoles, written by ASP.NET Core's own <see cref="TypedResults.ServerSentEvents{T}(IAsyncEnumerable{SseItem{T}}, string?)"/>.
/// A stream opens with a <c>clock</c> event carrying the server's time and a <c>retry</c> hint (the browser's
/// EventSource reconnects by itself after a drop), then sends the topic's view whenever <see cref="ConsoleFeed"/>
/// pushes a new one. Each view's <c>id</c> is when the change it shows was decided (the centre's event time, ISO
/// 8601), so a client can measure decision→screen. A quiet stream sends the <c>clock</c> again every 15 seconds:
/// it keeps proxies from closing the connection and the console's countdowns on the server's time.
/// </summary>
public static class EventStream
{
    public static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan Retry = TimeSpan.FromSeconds(3);

    /// <param name="whileOpen">Disposed when the stream ends (an agent's console presence).</param>
    public static ServerSentEventsResult<string> Send(HttpContext http, string topic, string eventName,
        Func<IServiceProvider, Task<object?>> read, IDisposable? whileOpen = null)
    {
        var feed = http.RequestServices.GetRequiredService<ConsoleFeed>();
        var time = http.RequestServices.GetRequiredService<TimeProvider>();
        var stopping = http.RequestServices.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        // With the request, not the enumeration: a client gone before the first event never starts the enumerator.
        if (whileOpen is not null) http.Response.RegisterForDispose(whileOpen);
        return TypedResults.ServerSentEvents(Items(feed, time, topic, eventName, read, stopping, http.RequestAborted));
    }

    private static async IAsyncEnumerable<SseItem<string>> Items(ConsoleFeed feed, TimeProvider time, string topic, string eventName,
        Func<IServiceProvider, Task<object?>> read, CancellationToken stopping, [EnumeratorCancellation] CancellationToken aborted)
    {
        // Ends with the request or with the host: Kestrel would otherwise wait out its shutdown timeout for open streams.
        using var ending = CancellationTokenSource.CreateLinkedTokenSource(aborted, stopping);
        using var subscription = feed.Subscribe(topic, read);
        yield return Clock(time) with { ReconnectionInterval = Retry };
        while (await Next(subscription, time, ending.Token) is var (ended, view) && !ended)
            yield return view is null
                ? Clock(time)
                : new SseItem<string>(view.Json, eventName) { EventId = view.DecidedAt?.ToString("O") };
    }

    /// <summary>The next view, or null when the keep-alive is due; ended when the console or the host went.</summary>
    private static async Task<(bool Ended, ConsoleFeed.View? View)> Next(ConsoleFeed.Subscription subscription, TimeProvider time, CancellationToken ct)
    {
        if (subscription.Views.TryRead(out var ready)) return (false, ready);
        using var quiet = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var waiting = subscription.Views.WaitToReadAsync(quiet.Token).AsTask();
        var keepAlive = Task.Delay(KeepAlive, time, quiet.Token);
        var first = await Task.WhenAny(waiting, keepAlive);
        await quiet.CancelAsync();
        if (ct.IsCancellationRequested) return (true, null);
        if (first == keepAlive) return (false, null);
        if (!waiting.IsCompletedSuccessfully) return (true, null);
        // False: the subscription was completed (the stream is leaving).
        if (!waiting.Result) return (true, null);
        return subscription.Views.TryRead(out var view) ? (false, view) : (false, null);
    }

    private static SseItem<string> Clock(TimeProvider time) => new(JsonSerializer.Serialize(time.GetUtcNow()), "clock");
}
