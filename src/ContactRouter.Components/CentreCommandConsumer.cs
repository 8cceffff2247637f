using ContactRouter.Contracts;
using ContactRouter.Routing;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ContactRouter.Components;

/// <summary>
/// The centre worker's consumer: one per centre queue, one message at a time. Each command maps onto the
/// routing core; a request gets the <see cref="CommandResult"/> back so the API can answer truthfully.
/// </summary>
public sealed class CentreCommandConsumer(
    CentreWorker worker, IOptions<OverflowOptions> overflow, IOptions<HostingOptions> hosting, ILogger<CentreCommandConsumer> log) :
    IConsumer<QueueContact>, IConsumer<RegisterAgent>, IConsumer<SetAgentStatus>, IConsumer<AcceptOffer>,
    IConsumer<RejectOffer>, IConsumer<CompleteContact>, IConsumer<AbandonContact>, IConsumer<CheckDeadlines>,
    IConsumer<TransferContact>, IConsumer<ReportLoad>, IConsumer<SetAgentReachable>, IConsumer<RaisePriority>
{
    public async Task Consume(ConsumeContext<QueueContact> context)
    {
        var m = context.Message;
        // Its place in the queue's order first: the read below may take a while.
        worker.Arrive(context);
        // The centre holds live contacts only. The store still knows one that finished, or that moved on since this
        // message was sent (it has more hops): a second QueueContact for it — a telephony retry, a redelivery under a
        // new command id — must neither bring it back nor wipe its outcome.
        var known = await worker.StoredContact(m.ContactId, context.CancellationToken);
        var stale = known is not null && (known.Status is ContactStatus.Completed or ContactStatus.Abandoned || known.Hops > m.Hops);
        await Handle(context, centre => stale
            ? new Refusal(RefusalKind.Conflict, "contactId",
                $"Contact {m.ContactId} is already known ({known!.Status.ToString().ToLowerInvariant()} at {known.Centre}); it is not queued again.", RefusalCodes.AlreadyKnown)
            : centre.Queue(EventMapping.ContactOf(m)));
    }

    public Task Consume(ConsumeContext<RegisterAgent> context) =>
        Handle(context, centre => centre.RegisterAgent(context.Message.AgentId, context.Message.Name, context.Message.Skills));

    public Task Consume(ConsumeContext<SetAgentStatus> context) => Handle(context, centre =>
        Enum.TryParse<AgentPresence>(context.Message.Status, ignoreCase: true, out var presence)
            ? centre.SetPresence(context.Message.AgentId, presence)
            : new Refusal(RefusalKind.Invalid, "status", $"Unknown status '{context.Message.Status}'.", RefusalCodes.UnknownStatus));

    public Task Consume(ConsumeContext<SetAgentReachable> context) =>
        Handle(context, centre => centre.SetReachable(context.Message.AgentId, context.Message.Reachable));

    public Task Consume(ConsumeContext<AcceptOffer> context) =>
        Handle(context, centre => centre.Accept(context.Message.AgentId, context.Message.ContactId));

    public Task Consume(ConsumeContext<RejectOffer> context) =>
        Handle(context, centre => centre.Reject(context.Message.AgentId, context.Message.ContactId));

    public Task Consume(ConsumeContext<CompleteContact> context) =>
        Handle(context, centre => centre.Complete(context.Message.ContactId, context.Message.Outcome, context.Message.Summary));

    public Task Consume(ConsumeContext<AbandonContact> context) =>
        Handle(context, centre => centre.Abandon(context.Message.ContactId));

    public Task Consume(ConsumeContext<CheckDeadlines> context) => Handle(context, centre =>
    {
        centre.Tick();
        return null;
    });

    public Task Consume(ConsumeContext<TransferContact> context) => Handle(context, centre =>
    {
        var m = context.Message;
        // The hop limit is checked here too, not only by the router: no ping-pong even from a stale decision.
        if (centre.FindContact(m.ContactId) is { } contact && contact.Hops >= overflow.Value.MaxHops)
            return new Refusal(RefusalKind.Conflict, "contactId", $"Contact {m.ContactId} has moved {contact.Hops} time(s); the limit is {overflow.Value.MaxHops}.", RefusalCodes.HopLimit);
        return centre.TransferOut(m.ContactId, m.ToCentre, out _);
    });

    public Task Consume(ConsumeContext<RaisePriority> context) =>
        Handle(context, centre => centre.RaisePriority(context.Message.ContactId, context.Message.Priority));

    public Task Consume(ConsumeContext<ReportLoad> context) => Handle(context, _ => null);

    private async Task Handle<T>(ConsumeContext<T> context, Func<Centre, Refusal?> apply) where T : CentreCommand
    {
        var result = await worker.Handle(context.Message, apply, context, context.CancellationToken);
        if (context.RequestId is null) return;
        try
        {
            // Bounded like the batch's publishing (CentreBatcher.Finish): an answer whose confirm never comes must not hold
            // the delivery, and with it one of the queue's consumer slots, for ever. The command is applied and its ledger
            // row answered either way; the API waits no longer than this, answers 202, and GET /api/commands/{id} tells.
            await context.RespondAsync(result).WaitAsync(hosting.Value.CommandTimeout, context.CancellationToken);
        }
        catch (TimeoutException)
        {
            log.LogWarning("The answer to command {CommandId} at {Centre} was not confirmed within {Timeout}; its sender asks the ledger",
                context.Message.CommandId, context.Message.Centre, hosting.Value.CommandTimeout);
        }
    }
}

public sealed class CentreCommandConsumerDefinition : ConsumerDefinition<CentreCommandConsumer>
{
    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpoint, IConsumerConfigurator<CentreCommandConsumer> consumer, IRegistrationContext context)
    {
        // Single writer per centre: the CentreBatcher applies a centre's commands one after another. On RabbitMQ as many
        // messages as the prefetch are in the consumer at once, so those that arrive together are saved together
        // (DeliveryOrder keeps the queue's order). The in-memory bus has no delivery numbers to order by: one at a time.
        endpoint.ConcurrentMessageLimit = endpoint is IRabbitMqReceiveEndpointConfigurator
            ? context.GetRequiredService<IOptions<BusOptions>>().Value.PrefetchCount
            : 1;
        // A version clash or a busy SQLite file is transient; after the retries the message goes to the error queue.
        endpoint.UseMessageRetry(r => r.Intervals(50, 200, 1000));
    }
}
