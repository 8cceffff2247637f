using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using ContactRouter.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;

namespace ContactRouter.Web;

/// <summary>
/// Accepted commands: when a centre did not answer in time the API says 202 with the command's address, and its sender
/// asks here how it went — pending (kept, will be applied), applied, or refused with the centre's reason.
/// </summary>
public static class CommandsApi
{
    public static string PathOf(Guid commandId) => $"/api/commands/{commandId:N}";

    public static IEndpointRouteBuilder MapCommandsApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/commands").WithTags("Commands").Refusals(400, 401, 403, 404)
            .MapGet("/{commandId}", Get).RequireAuthorization(Policies.Requester);
        return app;
    }

    /// <summary>Only the one who sent a command (or an administrator) reads it.</summary>
    private static async Task<Results<Ok<CommandView>, ProblemHttpResult>> Get([MaxLength(Limits.Id)] string commandId, ClaimsPrincipal user, RouterDbContext db)
    {
        if (!Guid.TryParse(commandId, out var id)) return Problems.Invalid("commandId", "A command id is a GUID, as the 202 answer gave it.");
        var row = await db.AcceptedCommands.AsNoTracking().FirstOrDefaultAsync(c => c.CommandId == id);
        if (row is null) return Problems.NotFound("commandId", $"No command {id:N} is known (answered commands are kept for a day).");
        if (row.Requester != user.Who() && !user.IsInRole(StaffRoles.Admin))
            return Problems.Forbidden("commandId", $"Command {id:N} was sent by someone else.", "not-your-command");
        if (row.AnsweredAt is null) return TypedResults.Ok(CommandView.Pending(row));
        var answer = await db.ProcessedCommands.AsNoTracking().FirstOrDefaultAsync(p => p.CommandId == id);
        return TypedResults.Ok(CommandView.Answered(row, answer));
    }
}

/// <summary>
/// How an accepted command went. <c>status</c>: <c>pending</c> (kept in the store; the centre has not answered yet and
/// will apply or refuse it), <c>applied</c>, or <c>refused</c> with the centre's <c>refusal</c> as the API would have
/// answered it at once.
/// </summary>
public sealed record CommandView(Guid CommandId, string Type, string Centre, string? ContactId, string Status, DateTimeOffset AcceptedAt,
    DateTimeOffset? AnsweredAt, CommandRefusal? Refusal)
{
    public static CommandView Pending(AcceptedCommand row) =>
        new(row.CommandId, row.MessageType, row.Centre, row.ContactId, "pending", row.AcceptedAt, null, null);

    public static CommandView Answered(AcceptedCommand row, ProcessedCommand? answer) => answer is null || answer.Accepted
        ? new(row.CommandId, row.MessageType, row.Centre, row.ContactId, "applied", row.AcceptedAt, row.AnsweredAt, null)
        : new(row.CommandId, row.MessageType, row.Centre, row.ContactId, "refused", row.AcceptedAt, row.AnsweredAt,
            new CommandRefusal(CentreClient.Refusal(answer.RefusalKind, answer.Field, answer.Detail, answer.Code).StatusCode, answer.Field, answer.Detail, answer.Code));
}

/// <summary>The centre's refusal: the status the API would have answered, the field it names, why, and the reason's code.</summary>
public sealed record CommandRefusal(int Status, string? Field, string? Detail, string? Code);
