using ContactRouter.Components;
using ContactRouter.Contracts;
using MassTransit;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace ContactRouter.Web;

/// <summary>
/// Asks a centre worker: sends a command as a request to its centre and maps the worker's answer. The request's
/// time-to-live equals the timeout, so a command that timed out expires in the queue instead of applying later.
/// </summary>
public sealed class CentreClient(IClientFactory clients, IOptions<HostingOptions> hosting)
{
    public async Task<Results<TAnswer, ProblemHttpResult>> Ask<T, TAnswer>(T command, Func<Task<Results<TAnswer, ProblemHttpResult>>> onAccepted)
        where T : CentreCommand where TAnswer : IResult
    {
        var timeout = hosting.Value.CommandTimeout;
        var client = clients.CreateRequestClient<T>(CentreAddresses.For(command.Centre), RequestTimeout.After(ms: (int)timeout.TotalMilliseconds));
        CommandResult result;
        try
        {
            var response = await client.GetResponse<CommandResult>(command);
            result = response.Message;
        }
        catch (RequestTimeoutException)
        {
            return Problems.Field(StatusCodes.Status503ServiceUnavailable, "centre",
                $"The {command.Centre} worker did not answer within {timeout.TotalSeconds:0} s; nothing was changed. Try again.");
        }
        if (result.Accepted) return await onAccepted();
        return result.RefusalKind switch
        {
            "notfound" => Problems.NotFound(result.Field ?? "body", result.Detail ?? "Not found."),
            "conflict" => Problems.Conflict(result.Field ?? "body", result.Detail ?? "Conflict."),
            _ => Problems.Invalid(result.Field ?? "body", result.Detail ?? "Invalid."),
        };
    }
}
