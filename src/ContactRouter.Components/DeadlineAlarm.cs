using System.Collections.Concurrent;
using ContactRouter.Contracts;
using MassTransit;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ContactRouter.Components;

/// <summary>
/// Wakes a centre when its next deadline (offer timeout, wrap-up end) passes, by sending it
/// <see cref="CheckDeadlines"/> through its own queue: the timer never touches state itself.
/// Timers come from <see cref="TimeProvider"/>, so tests drive them with a virtual clock.
/// </summary>
public sealed class DeadlineAlarm(TimeProvider time, IServiceProvider services, ILogger<DeadlineAlarm> log) : IDisposable
{
    private readonly ConcurrentDictionary<string, WakeUp> _wakeUps = new();

    public void Arm(string centre, DateTimeOffset? at) =>
        _wakeUps.GetOrAdd(centre, c => new WakeUp(time, () => Wake(c))).At(at);

    public async Task Wake(string centre)
    {
        try
        {
            // Resolved late: the bus is built after this singleton.
            var bus = (IBus)services.GetService(typeof(IBus))!;
            var check = new CheckDeadlines { Centre = centre };
            var endpoint = await bus.GetSendEndpoint(CentreAddresses.For(check));
            await endpoint.Send(check, ctx => ctx.TimeToLive = TimeSpan.FromMinutes(1));
        }
        catch (Exception ex)
        {
            // The heartbeat will wake the centre a little later.
            log.LogWarning(ex, "Could not wake centre {Centre}", centre);
        }
    }

    public void Dispose()
    {
        foreach (var wakeUp in _wakeUps.Values) wakeUp.Dispose();
    }
}

/// <summary>
/// Every worker process nudges its centres now and then. A hot standby that has just become the active
/// consumer has no armed timers; the heartbeat makes it apply pending timeouts without waiting for traffic.
/// </summary>
public sealed class CentreHeartbeat(DeadlineAlarm alarm, IOptions<HostingOptions> hosting, TimeProvider time) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(hosting.Value.HeartbeatInterval, time);
        // The first beat waits one interval, so the bus is up before anything is sent.
        while (await timer.WaitForNextTickAsync(stoppingToken))
            foreach (var centre in hosting.Value.CentreIds)
                await alarm.Wake(centre);
    }
}
