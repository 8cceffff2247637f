using ContactRouter.Contracts;
using MassTransit;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ContactRouter.Web;

/// <summary>
/// Hears the centres' events for the consoles this process serves: marks the topics they concern changed and tells
/// <see cref="ConsolePresence"/> what it needs to know. Cheap and stateless: the topics do the reading.
/// </summary>
public sealed class ConsoleFeedConsumer(ConsoleFeed feed, ConsolePresence presence, TimeProvider time) :
    IConsumer<ContactOffered>, IConsumer<ContactAnswered>, IConsumer<ContactRequeued>, IConsumer<ContactCompleted>,
    IConsumer<AgentStatusChanged>, IConsumer<CentreLoadChanged>, IConsumer<CallbackBooked>, IConsumer<CallbackAtRisk>,
    IConsumer<CallbackFinished>, IConsumer<ContactPriorityRaised>
{
    public Task Consume(ConsumeContext<ContactOffered> context) => Agent(context.Message.AgentId, context.Message.Centre, context.Message.OfferedAt);
    public Task Consume(ConsumeContext<ContactAnswered> context) => Agent(context.Message.AgentId, context.Message.Centre, context.Message.AnsweredAt);
    public Task Consume(ConsumeContext<ContactRequeued> context) => Agent(context.Message.AgentId, context.Message.Centre, context.Message.At);
    public Task Consume(ConsumeContext<ContactCompleted> context) => Agent(context.Message.AgentId, context.Message.Centre, context.Message.CompletedAt);

    public Task Consume(ConsumeContext<AgentStatusChanged> context)
    {
        presence.StatusSeen(context.Message.AgentId, context.Message.Centre, context.Message.Status);
        return Agent(context.Message.AgentId, context.Message.Centre, context.Message.At);
    }

    // The rows carry more than the event (speed of answer, overflow, callbacks): the topic reads them, once for all team leads.
    public Task Consume(ConsumeContext<CentreLoadChanged> context)
    {
        // The centre's queue changed: its team leads' list of waiting callers too.
        feed.Changed(PeopleApi.Topic(context.Message.Centre), context.Message.At);
        return Centres(context.Message.At);
    }
    public Task Consume(ConsumeContext<ContactPriorityRaised> context)
    {
        feed.Changed(PeopleApi.Topic(context.Message.Centre), context.Message.At);
        return Task.CompletedTask;
    }

    public Task Consume(ConsumeContext<CallbackBooked> context) => Centres(time.GetUtcNow());
    public Task Consume(ConsumeContext<CallbackAtRisk> context) => Centres(time.GetUtcNow());
    public Task Consume(ConsumeContext<CallbackFinished> context) => Centres(context.Message.At);

    /// <param name="centre">The centre that decided: its team leads' people list shows the agent (an agent works at their home centre).</param>
    private Task Agent(string agentId, string centre, DateTimeOffset at)
    {
        feed.Changed(ConsoleFeed.AgentTopic(agentId), at);
        feed.Changed(PeopleApi.Topic(centre), at);
        return Task.CompletedTask;
    }

    private Task Centres(DateTimeOffset at)
    {
        feed.Changed(ConsoleFeed.Centres, at);
        return Task.CompletedTask;
    }
}

/// <summary>
/// Connects <see cref="ConsoleFeedConsumer"/> on a queue of this process's own: temporary (auto-deleted, not durable),
/// so every API process hears every event, and none is kept for a process that is gone. Missed events cannot be
/// fetched again: whenever the queue is (re)connected, say after the broker was away, every topic reads anew.
/// </summary>
public sealed class ConsoleFeedConnection(IBus bus, ConsoleFeed feed, ConsolePresence presence, TimeProvider time, ILogger<ConsoleFeedConnection> log)
    : IHostedService, IReceiveEndpointObserver
{
    private HostReceiveEndpointHandle? _handle;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _handle = bus.ConnectReceiveEndpoint(new TemporaryEndpointDefinition("consoles"), KebabCaseEndpointNameFormatter.Instance,
            e =>
            {
                e.Consumer(() => new ConsoleFeedConsumer(feed, presence, time));
                e.ConnectReceiveEndpointObserver(this);
            });
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
            // Best effort: the bus stops its endpoints itself and the queue deletes itself. MassTransit 8.5 throws a
            // NullReferenceException here when the host stops before the endpoint finished starting (a quick test host).
            log.LogDebug(ex, "The consoles' event queue stopped with the bus");
        }
    }

    public Task Ready(ReceiveEndpointReady ready)
    {
        feed.ChangedAll(time.GetUtcNow());
        return Task.CompletedTask;
    }

    public Task Stopping(ReceiveEndpointStopping stopping) => Task.CompletedTask;
    public Task Completed(ReceiveEndpointCompleted completed) => Task.CompletedTask;

    public Task Faulted(ReceiveEndpointFaulted faulted)
    {
        log.LogWarning("The consoles' event queue is down ({Error}); the consoles catch up when it is back", faulted.Exception?.GetType().Name);
        return Task.CompletedTask;
    }
}
