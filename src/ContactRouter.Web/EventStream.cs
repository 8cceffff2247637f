using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ContactRouter.Web;

/// <summary>
/// Server-sent events for the consoles: reads a view once a second on the TimeProvider and sends it as a named
/// event whenever it differs from the last one sent. The stream opens with a <c>retry</c> hint, so the browser's
/// EventSource reconnects by itself after a drop, and a <c>clock</c> event with the server's time, so a console
/// counts down to the server's deadlines and not to its own clock. A comment line now and then keeps proxies from
/// closing a quiet connection.
/// </summary>
public static class EventStream
{
    private static readonly TimeSpan Tick = TimeSpan.FromSeconds(1);
    private const int TicksPerKeepAlive = 15;

    public static async Task Send<T>(HttpContext http, string eventName, Func<IServiceProvider, Task<T>> read)
    {
        // Ends with the request or with the host: Kestrel would otherwise wait out its shutdown timeout for open streams.
        using var ending = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted,
            http.RequestServices.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping);
        var ct = ending.Token;
        var time = http.RequestServices.GetRequiredService<TimeProvider>();
        var scopes = http.RequestServices.GetRequiredService<IServiceScopeFactory>();
        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        await http.Response.WriteAsync($"retry: 3000\n\nevent: clock\ndata: {JsonSerializer.Serialize(time.GetUtcNow())}\n\n", ct);
        string? last = null;
        var quiet = 0;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                // A fresh scope per read: a long-lived DbContext would answer from its own cache.
                await using (var scope = scopes.CreateAsyncScope())
                {
                    var json = JsonSerializer.Serialize(await read(scope.ServiceProvider), JsonSerializerOptions.Web);
                    if (json != last)
                    {
                        await http.Response.WriteAsync($"event: {eventName}\ndata: {json}\n\n", ct);
                        last = json;
                        quiet = 0;
                    }
                    else if (++quiet >= TicksPerKeepAlive)
                    {
                        await http.Response.WriteAsync(": still here\n\n", ct);
                        quiet = 0;
                    }
                }
                await http.Response.Body.FlushAsync(ct);
                await Task.Delay(Tick, time, ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The user closed the page, or the host is stopping.
        }
    }
}
