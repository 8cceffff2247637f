using System.ComponentModel.DataAnnotations;
using System.Net;
using System.Security.Claims;
using ContactRouter.Routing;
using ContactRouter.Store;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ContactRouter.Web;

public sealed record SignInRequest(
    [property: Required, MaxLength(Limits.UserName)] string? UserName,
    [property: Required, MaxLength(SessionApi.MaxPasswordLength)] string? Password,
    [property: MaxLength(SessionApi.MaxPasswordLength)] string? NewPassword);

public sealed record MeView(
    bool SignedIn, string? UserName, string? DisplayName, IReadOnlyList<string> Roles, string? AgentId, string? Centre,
    string AntiforgeryToken, string? IdentityProvider, IReadOnlyList<string> Centres, string? SignedInWith);

/// <summary>Signing in and out, and who the console's user is.</summary>
public static class SessionApi
{
    public const string SignInName = "sign-in";

    /// <summary>Room for a pass phrase or a password manager's longest; more only makes every attempt cost more to hash.</summary>
    public const int MaxPasswordLength = 256;

    /// <summary>Where the identity provider's sign-in comes back to: a path of this site.</summary>
    public const int MaxReturnUrlLength = 2000;

    public static IEndpointRouteBuilder MapSessionApi(this IEndpointRouteBuilder app)
    {
        var session = app.MapGroup("/api").WithTags("Session");
        session.MapGet("/me", Me).AllowAnonymous();
        session.MapPost("/session", SignIn).AllowAnonymous().RequireRateLimiting(SecuritySetup.SignInLimit).WithName(SignInName)
            .Accepts<SignInRequest>("application/json").Refusals(401);
        session.MapDelete("/session", SignOut).RequireAuthorization(Policies.Staff);
        // The identity provider's sign-in starts here (a link on the sign-in page); its answer comes back to /signin-oidc.
        app.MapGet("/signin/oidc", SignInWithProvider).AllowAnonymous().WithTags("Session").Produces(StatusCodes.Status302Found).Refusals(404);
        // Signing out there too (a form the console sends, with the antiforgery token): otherwise the next person at a
        // shared desk would be signed straight back in as the last one by the provider's own session.
        app.MapPost("/signout/oidc", SignOutAtProvider).RequireAuthorization(Policies.Staff).WithTags("Session").Produces(StatusCodes.Status302Found).Refusals(404);
        return app;
    }

    /// <summary>Also hands out the antiforgery token every change made with the session cookie must carry.</summary>
    private static Ok<MeView> Me(HttpContext http, IAntiforgery antiforgery, IOptions<SecurityOptions> security)
    {
        var user = http.User;
        var token = antiforgery.GetAndStoreTokens(http).RequestToken!;
        var provider = security.Value.Oidc.Enabled ? security.Value.Oidc.DisplayName : null;
        if (user.Identity?.IsAuthenticated != true || user.IsInRole(StaffRoles.Machine))
            return TypedResults.Ok(new MeView(false, null, null, [], null, null, token, provider, CentreCatalog.All, null));
        return TypedResults.Ok(new MeView(true, user.Who(), user.FindFirst(StaffClaims.DisplayName)?.Value ?? user.Who(),
            user.FindAll(System.Security.Claims.ClaimTypes.Role).Select(c => c.Value).Distinct().ToList(), user.AgentId(), user.Centre(), token, provider,
            CentreCatalog.All, user.FindFirst(StaffClaims.SignedInWith)?.Value ?? "password"));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> SignIn(
        HttpRequest request, UserManager<StaffAccount> users, SignInManager<StaffAccount> signIn, RouterDbContext db, TimeProvider time)
    {
        // Secure outside loopback: a password and a session cookie never cross a network in the clear.
        if (!request.IsHttps && request.HttpContext.Connection.RemoteIpAddress is { } remote && !IPAddress.IsLoopback(remote))
            return Problems.Forbidden("body", "Sign in over HTTPS.", "https-required");
        var (body, problem) = await JsonBody.Read<SignInRequest>(request);
        if (problem is not null) return problem;
        if (string.IsNullOrWhiteSpace(body!.UserName)) return Problems.Invalid("userName", "Give your user name.");
        if (body.UserName.Length > Limits.UserName) return Problems.Invalid("userName", $"A user name is at most {Limits.UserName} characters.");
        if (string.IsNullOrEmpty(body.Password)) return Problems.Invalid("password", "Give your password.");
        if (body.Password.Length > MaxPasswordLength) return Problems.Invalid("password", $"A password is at most {MaxPasswordLength} characters.");
        if (body.NewPassword is { Length: > MaxPasswordLength }) return Problems.Invalid("newPassword", $"A password is at most {MaxPasswordLength} characters.");

        var account = await users.FindByNameAsync(body.UserName.Trim());
        if (account is null)
        {
            // As slow as checking a real password, so the answer's timing does not tell which names exist either.
            users.PasswordHasher.HashPassword(new StaffAccount(), body.Password);
            return await Failed(db, time, body.UserName, "unknown user");
        }
        var check = await signIn.CheckPasswordSignInAsync(account, body.Password, lockoutOnFailure: true);
        var roles = check.Succeeded ? await users.GetRolesAsync(account) : [];
        if (check.IsLockedOut)
        {
            await Record(db, time, account.UserName!, "locked out");
            return Problems.Forbidden("userName", "This account is locked after too many wrong passwords; try again later or ask an administrator.", "locked-out");
        }
        if (!check.Succeeded)
            return await Failed(db, time, account.UserName!, "wrong password");
        if (roles.Count == 0)
        {
            // Nothing to do here: no session, and the page says why (an administrator took every role away).
            await Record(db, time, account.UserName!, "no role");
            return Problems.Forbidden("userName", "This account has no role in ContactRouter; ask an administrator.", "no-role");
        }
        if (account.MustChangePassword)
        {
            if (string.IsNullOrEmpty(body.NewPassword))
                return Problems.Invalid("newPassword", "This was a one-time password: choose a new password.");
            if (body.NewPassword == body.Password) return Problems.Invalid("newPassword", "Choose a password other than the one-time password.");
            var changed = await users.ChangePasswordAsync(account, body.Password, body.NewPassword);
            if (!changed.Succeeded) return Problems.Invalid("newPassword", string.Join(" ", changed.Errors.Select(e => e.Description)));
            account.MustChangePassword = false;
            await users.UpdateAsync(account);
        }
        await signIn.SignInAsync(account, isPersistent: false);
        db.AccessLog.Add(AccessLog.Entry(time.GetUtcNow(), account.UserName!, string.Join(',', roles.Order()), AccessActions.SignIn, why: "password"));
        await db.SaveChangesAsync();
        return TypedResults.NoContent();
    }

    /// <summary>The same answer for an unknown user and a wrong password: the answer does not tell which names exist.</summary>
    private static async Task<ProblemHttpResult> Failed(RouterDbContext db, TimeProvider time, string userName, string why)
    {
        await Record(db, time, userName, why);
        return Problems.Field(StatusCodes.Status401Unauthorized, "password", "The user name or password is not right.", "wrong-password");
    }

    private static async Task Record(RouterDbContext db, TimeProvider time, string userName, string why)
    {
        db.AccessLog.Add(AccessLog.Entry(time.GetUtcNow(), userName, "unknown", AccessActions.SignInFailed, why: why));
        await db.SaveChangesAsync();
    }

    private static async Task<NoContent> SignOut(HttpContext http, System.Security.Claims.ClaimsPrincipal user)
    {
        await AccessLogApi.Write(http, user, AccessActions.SignOut);
        await http.SignOutAsync(IdentityConstants.ApplicationScheme);
        if (http.RequestServices.GetRequiredService<IOptions<SecurityOptions>>().Value.Oidc.Enabled)
            await http.SignOutAsync(SecuritySetup.OidcCookie);
        return TypedResults.NoContent();
    }

    private static async Task<IResult> SignOutAtProvider(HttpContext http, ClaimsPrincipal user, IOptions<SecurityOptions> security)
    {
        if (!security.Value.Oidc.Enabled || user.FindFirst(StaffClaims.SignedInWith)?.Value != StaffClaims.Provider)
            return Problems.NotFound("provider", "This session did not come from an identity provider; sign out with DELETE /api/session.");
        await AccessLogApi.Write(http, user, AccessActions.SignOut, why: "identity provider");
        await http.SignOutAsync(SecuritySetup.OidcCookie);
        // The handler sends the browser to the provider's end-session endpoint with the ID token as hint; it comes back to /login?signedOut.
        return Results.SignOut(new AuthenticationProperties { RedirectUri = Consoles.SignInPage + "?signedOut" }, [SecuritySetup.Oidc]);
    }

    private static IResult SignInWithProvider([MaxLength(MaxReturnUrlLength)] string? returnUrl, IOptions<SecurityOptions> security)
    {
        if (!security.Value.Oidc.Enabled) return Problems.NotFound("provider", "No identity provider is configured (Security:Oidc:Authority).");
        // Only back into this site: an open redirect would let a link send a signed-in user anywhere.
        var back = returnUrl is { Length: > 0 } && returnUrl.StartsWith('/') && !returnUrl.StartsWith("//") && !returnUrl.StartsWith("/\\") ? returnUrl : "/";
        return Results.Challenge(new AuthenticationProperties { RedirectUri = back }, [SecuritySetup.Oidc]);
    }
}
