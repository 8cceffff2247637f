using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using ContactRouter.Routing;
using ContactRouter.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ContactRouter.Web;

public sealed record AccessLogView(DateTimeOffset At, string Who, string Role, string Action, string? Customer, string? Why);

/// <summary>The access log for team leads and administrators: who read whose data, sign-ins, role changes.</summary>
public static class AccessLogApi
{
    public const int MaxRows = 1000;

    public static IEndpointRouteBuilder MapAccessLogApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/access-log", Read).WithTags("Access log").RequireAuthorization(Policies.TeamLeadOrAdmin);
        return app;
    }

    /// <summary>Newest first; <paramref name="user"/> and <paramref name="customer"/> (a phone number) narrow it down.</summary>
    private static async Task<Results<Ok<List<AccessLogView>>, ProblemHttpResult>> Read(
        [MaxLength(AccessLog.MaxText)] string? user,
        [MaxLength(PhoneNumber.MaxInputLength), RegularExpression(PhoneNumber.InputPattern)] string? customer,
        [Range(1, MaxRows)] int? limit, RouterDbContext db)
    {
        var take = limit ?? 200;
        if (take is < 1 or > MaxRows) return Problems.Invalid("limit", $"A limit is 1–{MaxRows}.");
        var query = db.AccessLog.AsNoTracking();
        if (!string.IsNullOrEmpty(user))
        {
            if (user.Length > AccessLog.MaxText) return Problems.Invalid("user", $"A user name is at most {AccessLog.MaxText} characters.");
            query = query.Where(a => a.Who == user);
        }
        if (!string.IsNullOrEmpty(customer))
        {
            if (!PhoneNumber.TryNormalise(customer, out var e164)) return Problems.Invalid("customer", "A customer is a phone number (E.164, e.g. +31612345678).");
            query = query.Where(a => a.PhoneNumber == e164);
        }
        var rows = await query.OrderByDescending(a => a.Id).Take(take).ToListAsync();
        return TypedResults.Ok(rows.Select(a => new AccessLogView(a.At, a.Who, a.Role, a.Action, a.PhoneNumber, a.Why)).ToList());
    }

    /// <summary>One line for the signed-in <paramref name="user"/>: their name and roles from the sign-in, never from a header.</summary>
    public static async Task Write(HttpContext http, ClaimsPrincipal user, string action, string? phoneNumber = null, string? why = null)
    {
        var db = http.RequestServices.GetRequiredService<RouterDbContext>();
        var time = http.RequestServices.GetRequiredService<TimeProvider>();
        db.AccessLog.Add(AccessLog.Entry(time.GetUtcNow(), user.Who(), user.RoleList(), action, phoneNumber, why));
        await db.SaveChangesAsync();
    }
}
