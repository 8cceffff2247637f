using ContactRouter.Contracts;
using ContactRouter.Store;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace ContactRouter.Components;

/// <summary>
/// Builds the shared customer view from every centre's contact events. Each handler sets fields rather
/// than counting, so a redelivered event changes nothing the second time.
/// </summary>
public sealed class CustomerViewConsumer(RouterDbContext db, ILogger<CustomerViewConsumer> log) :
    IConsumer<ContactQueued>, IConsumer<ContactAnswered>, IConsumer<ContactCompleted>, IConsumer<ContactAbandoned>, IConsumer<ContactTransferred>,
    IConsumer<CallbackBooked>
{
    public const string QueueName = "customer-view";

    /// <summary>A customer known only from a callback booking still has a view (the appointments are read from the store).</summary>
    public async Task Consume(ConsumeContext<CallbackBooked> context)
    {
        var e = context.Message;
        if (await db.Set<Party>().FindAsync([e.Caller], context.CancellationToken) is not null) return;
        db.Set<Party>().Add(new Party { PhoneNumber = e.Caller, FirstSeenAt = e.BookedAt });
        await db.SaveChangesAsync(context.CancellationToken);
    }

    public async Task Consume(ConsumeContext<ContactQueued> context)
    {
        var e = context.Message;
        if (await db.Set<Party>().FindAsync([e.Caller], context.CancellationToken) is null)
            db.Set<Party>().Add(new Party { PhoneNumber = e.Caller, FirstSeenAt = e.QueuedAt });
        var moment = await db.Set<ContactMoment>().FindAsync([e.ContactId], context.CancellationToken);
        if (moment is null)
            db.Set<ContactMoment>().Add(new ContactMoment
            {
                ContactId = e.ContactId, PhoneNumber = e.Caller, HomeCentre = e.HomeCentre, Centre = e.Centre, Channel = e.Channel,
                Subject = e.Topic, At = e.QueuedAt, Overflowed = e.Hops > 0,
            });
        else
        {
            moment.Centre = e.Centre;
            moment.Overflowed |= e.Hops > 0;
        }
        await db.SaveChangesAsync(context.CancellationToken);
    }

    public Task Consume(ConsumeContext<ContactAnswered> context) => Update(context.Message.ContactId, m =>
    {
        m.AnsweredAt = context.Message.AnsweredAt;
        m.AgentId = context.Message.AgentId;
        m.Centre = context.Message.Centre;
    }, context.CancellationToken);

    public Task Consume(ConsumeContext<ContactCompleted> context) => Update(context.Message.ContactId, m =>
    {
        m.EndedAt = context.Message.CompletedAt;
        m.AgentId = context.Message.AgentId;
        m.Outcome = context.Message.Outcome;
        m.Summary = context.Message.Summary;
    }, context.CancellationToken);

    public Task Consume(ConsumeContext<ContactAbandoned> context) => Update(context.Message.ContactId, m =>
    {
        m.EndedAt = context.Message.AbandonedAt;
        m.Outcome = "abandoned";
    }, context.CancellationToken);

    public Task Consume(ConsumeContext<ContactTransferred> context) => Update(context.Message.ContactId, m =>
    {
        m.Centre = context.Message.ToCentre;
        m.Overflowed = true;
    }, context.CancellationToken);

    private async Task Update(string contactId, Action<ContactMoment> change, CancellationToken ct)
    {
        var moment = await db.Set<ContactMoment>().FindAsync([contactId], ct);
        if (moment is null)
        {
            // Events of one centre arrive in order; a missing moment means its ContactQueued is still on its way.
            throw new InvalidOperationException($"No contact moment {contactId} yet; retrying.");
        }
        change(moment);
        await db.SaveChangesAsync(ct);
        log.LogDebug("Customer view: contact moment {ContactId} updated", contactId);
    }
}

public sealed class CustomerViewConsumerDefinition : ConsumerDefinition<CustomerViewConsumer>
{
    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpoint, IConsumerConfigurator<CustomerViewConsumer> consumer, IRegistrationContext context)
    {
        // One writer of the read model; retries cover an event that overtook its contact's ContactQueued.
        endpoint.ConcurrentMessageLimit = 1;
        endpoint.UseMessageRetry(r => r.Intervals(100, 500, 2000, 5000));
    }
}
