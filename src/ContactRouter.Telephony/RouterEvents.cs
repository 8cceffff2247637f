using ContactRouter.Contracts;
using MassTransit;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ContactRouter.Telephony;

/// <summary>The centres' events the telephony component acts on.</summary>
public sealed class RouterEventsConsumer(CallDesk desk) : IConsumer<ContactOffered>, IConsumer<ContactRequeued>, IConsumer<ContactTransferred>
{
    public Task Consume(ConsumeContext<ContactRequeued> context)
    {
        desk.Requeued(context.Message);
        return Task.CompletedTask;
    }

    public Task Consume(ConsumeContext<ContactOffered> context)
    {
        desk.Offered(context.Message);
        return Task.CompletedTask;
    }

    public Task Consume(ConsumeContext<ContactTransferred> context)
    {
        desk.Transferred(context.Message);
        return Task.CompletedTask;
    }
}

/// <summary>
/// Hears the centres' events on a temporary queue of this process's own (auto-deleted, not durable), as the consoles do:
/// the calls this component parks live in this process, so only it acts on their offers.
/// </summary>
public sealed class RouterEventsConnection(IBus bus, CallDesk desk, ILogger<RouterEventsConnection> log) : IHostedService
{
    private HostReceiveEndpointHandle? _handle;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _handle = bus.ConnectReceiveEndpoint(new TemporaryEndpointDefinition("telephony"), KebabCaseEndpointNameFormatter.Instance,
            e => e.Consumer(() => new RouterEventsConsumer(desk)));
        await _handle.Ready.WaitAsync(TimeSpan.FromSeconds(60), cancellationToken);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_handle is null) return;
        try
        {
            await _handle.StopAsync(cancellationToken);
        }
        catch (Exception ex)
        {
            // Best effort, as for the consoles' queue: the bus stops its endpoints itself.
            log.LogDebug(ex, "The telephony event queue stopped with the bus");
        }
    }
}
