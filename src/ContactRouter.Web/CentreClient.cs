using System.Security.Claims;
using ContactRouter.Components;
using ContactRouter.Contracts;
using ContactRouter.Store;
using MassTransit;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ContactRouter.Web;

/// <summary>
/// Asks a centre worker. Every command is first recorded in the store's <see cref="CommandLedger"/>, so from then on
/// it is applied whatever happens to this process or the bus; then it is sent as a request and the worker's answer
/// is mapped. When the answer does not come in time, nobody knows yet whether it was applied: the API says exactly
/// that — 202 with the command id and where to ask (<c>GET /api/commands/{id}</c>) — never "nothing changed".
/// </summary>
public sealed class CentreClient(IClientFactory clients, CommandLedger ledger, IOptions<HostingOptions> hosting, ILogger<CentreClient> log)
{
    public async Task<Results<TAnswer, Accepted<CommandView>, ProblemHttpResult>> Ask<T, TAnswer>(
        T command, ClaimsPrincipal user, Func<Task<Results<TAnswer, ProblemHttpResult>>> onAccepted)
        where T : CentreCommand where TAnswer : IResult
    {
        // Not the request's own token: once recorded, the command goes out even if the caller hangs up on us.
        var ct = CancellationToken.None;
        var (row, _) = await ledger.Accept(command, user.Who(), ct);
        // An earlier command about the same contact still waits for the broker: this one follows it through the relay.
        if (await ledger.FollowsUndelivered(row, ct))
        {
            await ledger.LeaveToRelay(row, ct);
            return Pending(row);
        }

        var timeout = hosting.Value.CommandTimeout;
        // No time-to-live: the command is accepted and stays so; when it arrives late the centre decides on the state then.
        var client = clients.CreateRequestClient<T>(CentreAddresses.For(command), RequestTimeout.After(ms: (int)timeout.TotalMilliseconds));
        CommandResult result;
        // The request timeout covers the wait for the answer, not a send whose confirm never comes (a broker node that
        // died under the channel): that is cut off too, and the relay delivers the command instead.
        using var sending = new CancellationTokenSource(timeout + timeout);
        try
        {
            // Also stops waiting should the transport not heed the token: most likely what held an agent's accept for good
            // in the cluster drill (a send whose confirm never came). The relay then delivers it; a late copy is a duplicate.
            result = (await client.GetResponse<CommandResult>(command, sending.Token).WaitAsync(sending.Token)).Message;
        }
        catch (RequestTimeoutException)
        {
            return Pending(row);
        }
        catch (Exception ex)
        {
            // The bus refused the request (a broker that is down): the relay delivers it once it can.
            log.LogWarning("Command {CommandId} for {Centre} could not be sent ({Error}); left to the relay", command.CommandId, command.Centre, ex.GetType().Name);
            await ledger.LeaveToRelay(row, ct);
            return Pending(row);
        }
        if (result.Accepted)
            return (await onAccepted()).Result switch
            {
                TAnswer answer => answer,
                ProblemHttpResult problem => problem,
                var other => throw new InvalidOperationException($"Unexpected answer {other?.GetType().Name}."),
            };
        return Refusal(result.RefusalKind, result.Field, result.Detail, result.Code);
    }

    /// <summary>The worker's refusal as the problem the API answers.</summary>
    public static ProblemHttpResult Refusal(string? kind, string? field, string? detail, string? code) => kind switch
    {
        "notfound" => Problems.NotFound(field ?? "body", detail ?? "Not found.", code),
        "conflict" => Problems.Conflict(field ?? "body", detail ?? "Conflict.", code),
        _ => Problems.Invalid(field ?? "body", detail ?? "Invalid.", code),
    };

    private static Accepted<CommandView> Pending(AcceptedCommand row) =>
        TypedResults.Accepted(CommandsApi.PathOf(row.CommandId), CommandView.Pending(row));
}
