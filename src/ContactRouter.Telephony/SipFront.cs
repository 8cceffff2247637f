using System.Net.Sockets;
using ContactRouter.Store;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ContactRouter.Telephony;

/// <summary>
/// The link to Kamailio's evapi module: one TCP connection carrying netstrings of JSON both ways. Reads Kamailio's
/// events into the <see cref="CallDesk"/> and writes the desk's instructions. A lost link is made again every
/// Telephony:ReconnectInterval; while there is none, Kamailio answers new callers 503 itself (it counts its links).
/// </summary>
public sealed class SipFront(IOptions<TelephonyOptions> options, CallDesk desk, TimeProvider time, ILogger<SipFront> log) : BackgroundService
{
    private volatile bool _connected;

    /// <summary>Whether the link to Kamailio is up now.</summary>
    public bool Connected => _connected;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var (host, port) = options.Value.EvapiEndpoint();
        var lost = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                using var client = new TcpClient { NoDelay = true };
                await client.ConnectAsync(host, port, stoppingToken);
                await using var stream = client.GetStream();
                _connected = true;
                log.LogInformation("Connected to the SIP front (Kamailio evapi at {Host}:{Port})", host, port);
                lost = false;
                using var link = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                var writing = Write(stream, link.Token);
                try
                {
                    await Read(stream, link.Token);
                }
                finally
                {
                    _connected = false;
                    await link.CancelAsync();
                    await writing.ContinueWith(_ => { }, TaskScheduler.Default);
                }
                log.LogWarning("The SIP front closed the link; connecting again");
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is SocketException or IOException or InvalidDataException)
            {
                // Said once per outage, not on every try.
                if (!lost) log.LogWarning("No link to the SIP front at {Host}:{Port} ({Error}); trying every {Interval}", host, port, ex.Message, options.Value.ReconnectInterval);
                lost = true;
            }
            try
            {
                await Task.Delay(options.Value.ReconnectInterval, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task Read(NetworkStream stream, CancellationToken ct)
    {
        var reader = new NetstringReader(stream);
        while (await reader.ReadAsync(ct) is { } message)
        {
            if (SipEvent.Parse(message) is not { } e)
            {
                log.LogWarning("Not an event from the SIP front: {Message}", AccessLog.Clip(message, 120));
                continue;
            }
            try
            {
                await desk.Handle(e, ct);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // One call's trouble must not end the link for every other caller.
                log.LogError(ex, "Handling SIP event {Event} failed", AccessLog.Clip(e.Event, 40));
            }
        }
    }

    private async Task Write(NetworkStream stream, CancellationToken ct)
    {
        await foreach (var instruction in desk.Instructions.ReadAllAsync(ct))
            await stream.WriteAsync(Netstring.Encode(instruction), ct);
    }
}
