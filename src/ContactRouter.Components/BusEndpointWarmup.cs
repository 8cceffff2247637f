using ContactRouter.Contracts;
using MassTransit;
using Microsoft.Extensions.Hosting;

namespace ContactRouter.Components;

/// <summary>
/// Brings up the bus endpoint (the host's own reply queue) before the host serves anyone. MassTransit starts it on
/// first use, and every request that comes before it is up blocks a pool thread until it is; after a restart a burst of
/// agents' commands did exactly that, starved the pool the endpoint's own start needed, and a restarted host took 11–13 s
/// to answer its first accept although it was healthy after 4. One blocked thread here, at start, costs nothing.
/// </summary>
public sealed class BusEndpointWarmup(IBus bus) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.Run(() =>
        // What a request client does for each request: connect a pipe for its reply. It returns once the endpoint is up.
        bus.ConnectRequestPipe(NewId.NextGuid(), Pipe.Empty<ConsumeContext<CommandResult>>()).Disconnect(), cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
