using ContactRouter.Components;
using ContactRouter.Contracts;
using ContactRouter.Store;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ContactRouter.Telephony;

/// <summary>
/// The component's way to the centres: the same as the API's — each command recorded in the store's ledger first, then
/// sent (<see cref="CommandLedger.AcceptAndSend"/>), so a command the bus did not take is delivered by the relay.
/// </summary>
public sealed class FrontCommands(IServiceScopeFactory scopes, ILogger<FrontCommands> log)
{
    /// <summary>Who asked, in the ledger.</summary>
    public const string Requester = "telephony";

    public async Task Send(CentreCommand command, CancellationToken ct)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var ledger = scope.ServiceProvider.GetRequiredService<CommandLedger>();
            await ledger.AcceptAndSend(command, Requester, scope.ServiceProvider.GetRequiredService<ISendEndpointProvider>(), ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The store refused the record: nothing was promised to anyone; the call goes on as SIP allows.
            log.LogError(ex, "Telephony could not record {Command} for {Centre}", command.GetType().Name, command.Centre);
        }
    }

    /// <summary>Tells the router what the front saw (no answer expected); a failure is logged, the agent's completion still counts.</summary>
    public async Task Publish<T>(T message, CancellationToken ct) where T : class
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<IPublishEndpoint>().Publish(message, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            log.LogError(ex, "Telephony could not publish {Message}", typeof(T).Name);
        }
    }

    /// <summary>The callback contact the agent is connected to (accepted in the console), if any: its id, centre and the customer's number.</summary>
    public async Task<(string ContactId, string Centre, string Caller)?> CallbackOf(string agentId, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RouterDbContext>();
        // One query: the contact the agent is connected to, if it is a callback's.
        var contact = await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.FirstOrDefaultAsync(
            from a in db.Agents
            where a.Id == agentId
            join c in db.Contacts on a.ConnectedContactId equals c.Id
            where c.Channel == CallbackScheduler.Channel && c.Status == ContactRouter.Routing.ContactStatus.Connected
            select new { c.Id, c.Centre, c.Caller }, ct);
        return contact is null ? null : (contact.Id, contact.Centre, contact.Caller);
    }

    /// <summary>The agent's home centre, where their presence is kept; null for an agent this router does not know.</summary>
    public async Task<string?> HomeCentreOf(string agentId, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RouterDbContext>();
        return await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.FirstOrDefaultAsync(
            db.Agents.Where(a => a.Id == agentId).Select(a => a.HomeCentre), ct);
    }
}
