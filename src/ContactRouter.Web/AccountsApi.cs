using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using ContactRouter.Routing;
using ContactRouter.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ContactRouter.Web;

/// <summary>A new account: its user name, and the settings <see cref="AccountRequest"/> holds.</summary>
public sealed record NewAccountRequest(
    [property: Required, RegularExpression(AccountsApi.UserNamePattern)] string? UserName,
    [property: MaxLength(Limits.Name)] string? DisplayName,
    [property: Required, OneOf(typeof(StaffRoles), nameof(StaffRoles.People))] string[]? Roles,
    [property: RegularExpression(AgentsApi.AgentIdPattern)] string? AgentId,
    [property: OneOf(typeof(CentreCatalog), nameof(CentreCatalog.All))] string? Centre)
{
    public AccountRequest Settings() => new(DisplayName, Roles, AgentId, Centre);
}

/// <summary>An account's settings; a PUT replaces them (the user name is the path's and does not change).</summary>
public sealed record AccountRequest(
    [property: MaxLength(Limits.Name)] string? DisplayName,
    [property: Required, OneOf(typeof(StaffRoles), nameof(StaffRoles.People))] string[]? Roles,
    [property: RegularExpression(AgentsApi.AgentIdPattern)] string? AgentId,
    [property: OneOf(typeof(CentreCatalog), nameof(CentreCatalog.All))] string? Centre);

public sealed record AccountView(
    string UserName, string? DisplayName, IReadOnlyList<string> Roles, string? AgentId, string? Centre, bool LockedOut,
    bool MustChangePassword, string? OneTimePassword = null);

public sealed record MachineClientRequest(
    [property: Required, RegularExpression(MachineClients.NamePattern)] string? Name,
    [property: Required, MaxLength(AccountsApi.MaxScopesLength)] string? Scopes);

public sealed record MachineClientView(string Name, IReadOnlyList<string> Scopes, DateTimeOffset CreatedAt, string? Key = null);

/// <summary>
/// The administrator's work: built-in accounts with their roles (an agent account is linked to one agent id, a team
/// lead's to a centre), password resets, and machine clients' API keys. A new password or key is shown once, in the
/// answer that made it, and stored only hashed.
/// </summary>
public static partial class AccountsApi
{
    public const string UserNamePattern = @"^[A-Za-z0-9._@-]{1,64}\z";

    /// <summary>Scopes separated by spaces: room for every scope there is, not for a list repeated a thousand times.</summary>
    public const int MaxScopesLength = 200;

    public static IEndpointRouteBuilder MapAccountsApi(this IEndpointRouteBuilder app)
    {
        var accounts = app.MapGroup("/api/accounts").WithTags("Accounts").RequireAuthorization(Policies.Admin);
        accounts.MapGet("", List);
        accounts.MapPost("", Create).Accepts<NewAccountRequest>("application/json").Refusals(409);
        accounts.MapPut("/{userName}", Update).Accepts<AccountRequest>("application/json").Refusals(404, 409);
        accounts.MapPost("/{userName}/password", ResetPassword).Refusals(404);

        var machines = app.MapGroup("/api/machine-clients").WithTags("Accounts").RequireAuthorization(Policies.Admin);
        machines.MapGet("", ListMachines);
        machines.MapPost("", CreateMachine).Accepts<MachineClientRequest>("application/json").Refusals(409);
        machines.MapDelete("/{name}", DeleteMachine).Refusals(404);
        return app;
    }

    private static async Task<Ok<List<AccountView>>> List(UserManager<StaffAccount> users, TimeProvider time)
    {
        var all = await users.Users.OrderBy(u => u.UserName).ToListAsync();
        var views = new List<AccountView>();
        foreach (var account in all) views.Add(await View(users, account, time));
        return TypedResults.Ok(views);
    }

    private static async Task<Results<Created<AccountView>, ProblemHttpResult>> Create(HttpContext http, UserManager<StaffAccount> users, TimeProvider time)
    {
        var (request, problem) = await JsonBody.Read<NewAccountRequest>(http.Request);
        if (problem is not null) return problem;
        if (string.IsNullOrWhiteSpace(request!.UserName) || !UserNameFormat().IsMatch(request.UserName.Trim()))
            return Problems.Invalid("userName", "A user name is 1–64 letters, digits, '.', '_', '-' or '@'.");
        var userName = request.UserName.Trim();
        if (await users.FindByNameAsync(userName) is not null) return Problems.Conflict("userName", $"There is already an account {userName}.");
        var body = request.Settings();
        if (await Check(body, users, userName) is { } invalid) return invalid;

        var password = OneTimePassword();
        var account = new StaffAccount
        {
            UserName = userName, DisplayName = body.DisplayName?.Trim(), AgentId = body.AgentId?.Trim(), Centre = body.Centre?.Trim().ToLowerInvariant(),
            MustChangePassword = true,
        };
        var created = await users.CreateAsync(account, password);
        if (!created.Succeeded) return Problems.Invalid("userName", string.Join(" ", created.Errors.Select(e => e.Description)));
        await Accounts.EnsureRoles(http.RequestServices);
        await users.AddToRolesAsync(account, body.Roles!.Distinct());
        await AccessLogApi.Write(http, http.User, AccessActions.AccountCreated, why: $"{userName}: {string.Join(',', body.Roles!.Distinct().Order())}");
        return TypedResults.Created($"/api/accounts/{userName}", (await View(users, account, time)) with { OneTimePassword = password });
    }

    private static async Task<Results<Ok<AccountView>, ProblemHttpResult>> Update([MaxLength(Limits.UserName)] string userName, HttpContext http, UserManager<StaffAccount> users, TimeProvider time)
    {
        var account = await users.FindByNameAsync(userName);
        if (account is null) return UnknownAccount(userName);
        var (body, problem) = await JsonBody.Read<AccountRequest>(http.Request);
        if (problem is not null) return problem;
        if (await Check(body!, users, account.UserName!) is { } invalid) return invalid;

        account.DisplayName = body!.DisplayName?.Trim() ?? account.DisplayName;
        account.AgentId = body.AgentId?.Trim();
        account.Centre = body.Centre?.Trim().ToLowerInvariant();
        await users.UpdateAsync(account);
        var before = (await users.GetRolesAsync(account)).Order().ToList();
        var after = body.Roles!.Distinct().Order().ToList();
        if (!before.SequenceEqual(after))
        {
            await Accounts.EnsureRoles(http.RequestServices);
            await users.RemoveFromRolesAsync(account, before.Except(after));
            await users.AddToRolesAsync(account, after.Except(before));
            await AccessLogApi.Write(http, http.User, AccessActions.RolesChanged,
                why: $"{account.UserName}: {(before.Count == 0 ? "none" : string.Join(',', before))} -> {(after.Count == 0 ? "none" : string.Join(',', after))}");
        }
        // Open sessions of this account pick up the change at their next check.
        await users.UpdateSecurityStampAsync(account);
        return TypedResults.Ok(await View(users, account, time));
    }

    /// <summary>A new one-time password, shown once; the account is unlocked and must choose its own at the next sign-in.</summary>
    private static async Task<Results<Ok<AccountView>, ProblemHttpResult>> ResetPassword([MaxLength(Limits.UserName)] string userName, HttpContext http, UserManager<StaffAccount> users, TimeProvider time)
    {
        var account = await users.FindByNameAsync(userName);
        if (account is null) return UnknownAccount(userName);
        var password = OneTimePassword();
        await users.RemovePasswordAsync(account);
        await users.AddPasswordAsync(account, password);
        account.MustChangePassword = true;
        await users.UpdateAsync(account);
        await users.SetLockoutEndDateAsync(account, null);
        await users.ResetAccessFailedCountAsync(account);
        await users.UpdateSecurityStampAsync(account);
        await AccessLogApi.Write(http, http.User, AccessActions.PasswordReset, why: account.UserName);
        return TypedResults.Ok((await View(users, account, time)) with { OneTimePassword = password });
    }

    private static async Task<ProblemHttpResult?> Check(AccountRequest body, UserManager<StaffAccount> users, string userName)
    {
        if (body.Roles is null || body.Roles.Length == 0) return Problems.Invalid("roles", $"Give at least one role of {string.Join(", ", StaffRoles.People)}.");
        // Any, not FirstOrDefault(...) is { }: a null in the list ("roles":[null]) is unknown too, and Identity throws on it.
        if (body.Roles.Any(r => !StaffRoles.People.Contains(r)))
            return Problems.Invalid("roles", $"Unknown role '{AccessLog.Clip(body.Roles.First(r => !StaffRoles.People.Contains(r)) ?? "null", 40)}'; roles are {string.Join(", ", StaffRoles.People)}.");
        if (body.Roles.Length > StaffRoles.People.Length) return Problems.Invalid("roles", $"Give each role once; there are {StaffRoles.People.Length}.");
        if (body.DisplayName is { Length: > Limits.Name }) return Problems.Invalid("displayName", $"A name is at most {Limits.Name} characters.");
        // Left out is "none"; given, it must be one (the console leaves out an empty field).
        var agentId = body.AgentId?.Trim();
        if (agentId is not null && !AgentsApi.AgentIdFormat().IsMatch(agentId))
            return Problems.Invalid("agentId", "An agent account is linked to one agent id (1–64 letters, digits, '.', '_' or '-').");
        if (body.Roles.Contains(StaffRoles.Agent))
        {
            if (agentId is null) return Problems.Invalid("agentId", "An agent account is linked to one agent id (1–64 letters, digits, '.', '_' or '-').");
            if (await users.Users.AnyAsync(u => u.AgentId == agentId && u.UserName != userName))
                return Problems.Conflict("agentId", $"Agent {agentId} is already linked to another account.");
        }
        else if (agentId is not null) return Problems.Invalid("agentId", "Only an account with the role agent is linked to an agent.");
        var centre = body.Centre?.Trim().ToLowerInvariant();
        if (centre is not null && !CentreCatalog.IsKnown(centre)) return Answers.UnknownCentre("centre", centre);
        if (body.Roles.Contains(StaffRoles.TeamLead) && centre is null)
            return Problems.Invalid("centre", "A team lead steers one centre: give it.");
        return null;
    }

    private static async Task<AccountView> View(UserManager<StaffAccount> users, StaffAccount account, TimeProvider time) => new(
        account.UserName!, account.DisplayName, (await users.GetRolesAsync(account)).Order().ToList(), account.AgentId, account.Centre,
        account.LockoutEnd > time.GetUtcNow(), account.MustChangePassword);

    private static async Task<Ok<List<MachineClientView>>> ListMachines(RouterDbContext db) =>
        TypedResults.Ok((await db.MachineClients.AsNoTracking().OrderBy(c => c.Name).ToListAsync())
            .Select(c => new MachineClientView(c.Name, c.Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries), c.CreatedAt)).ToList());

    private static async Task<Results<Created<MachineClientView>, ProblemHttpResult>> CreateMachine(HttpContext http, RouterDbContext db, TimeProvider time)
    {
        var (body, problem) = await JsonBody.Read<MachineClientRequest>(http.Request);
        if (problem is not null) return problem;
        var name = body!.Name?.Trim();
        if (name is null || !MachineClients.NameFormat().IsMatch(name)) return Problems.Invalid("name", "A name is 1–64 letters, digits, '.', '_' or '-'.");
        if (body.Scopes is { Length: > MaxScopesLength }) return Problems.Invalid("scopes", $"Scopes are at most {MaxScopesLength} characters.");
        var scopes = (body.Scopes ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries).Distinct().ToList();
        if (scopes.Count == 0 || scopes.Any(s => !Scopes.All.Contains(s)))
            return Problems.Invalid("scopes", $"Give one or more of {string.Join(", ", Scopes.All)}, separated by spaces.");
        if (await db.MachineClients.AnyAsync(c => c.Name == name)) return Problems.Conflict("name", $"There is already a machine client {name}.");
        var key = MachineClients.NewKey();
        var client = new MachineClient { Name = name, KeyHash = MachineClients.Hash(key), Scopes = string.Join(' ', scopes), CreatedAt = time.GetUtcNow() };
        db.MachineClients.Add(client);
        await db.SaveChangesAsync();
        await AccessLogApi.Write(http, http.User, AccessActions.MachineClientCreated, why: $"{name}: {client.Scopes}");
        return TypedResults.Created($"/api/machine-clients/{name}", new MachineClientView(name, scopes, client.CreatedAt, key));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteMachine(
        [RegularExpression(MachineClients.NamePattern)] string name, HttpContext http, RouterDbContext db)
    {
        var client = await db.MachineClients.FirstOrDefaultAsync(c => c.Name == name);
        if (client is null) return Problems.NotFound("name", $"No machine client {AccessLog.Clip(name, 64)}.");
        db.MachineClients.Remove(client);
        await db.SaveChangesAsync();
        await AccessLogApi.Write(http, http.User, AccessActions.MachineClientDeleted, why: name);
        return TypedResults.NoContent();
    }

    /// <summary>For a new account or a reset: random, shown once, good only for the first sign-in.</summary>
    public static string OneTimePassword()
    {
        const string upper = "ABCDEFGHJKLMNPQRSTUVWXYZ", lower = "abcdefghijkmnopqrstuvwxyz", digits = "23456789";
        const string all = upper + lower + digits;
        char Pick(string from) => from[RandomNumberGenerator.GetInt32(from.Length)];
        // Four groups of four without look-alikes; the first three start with an upper, a lower and a digit, so
        // Identity's rules (each kind and a symbol: the dashes) always hold.
        var groups = new[] { upper, lower, digits, all }.Select(first => Pick(first) + new string(Enumerable.Range(0, 3).Select(_ => Pick(all)).ToArray()));
        return string.Join('-', groups);
    }

    private static ProblemHttpResult UnknownAccount(string userName) => Problems.NotFound("userName", $"No account {AccessLog.Clip(userName, 64)}.");

    [GeneratedRegex(UserNamePattern)]
    private static partial Regex UserNameFormat();
}

public static class Accounts
{
    /// <summary>Identity keeps roles as rows; make sure each of ours exists before someone is given it.</summary>
    public static async Task EnsureRoles(IServiceProvider services)
    {
        var roles = services.GetRequiredService<RoleManager<IdentityRole>>();
        foreach (var role in StaffRoles.People)
            if (!await roles.RoleExistsAsync(role))
                await roles.CreateAsync(new IdentityRole(role));
    }
}
