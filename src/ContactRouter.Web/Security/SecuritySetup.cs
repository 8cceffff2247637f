using System.Security.Claims;
using System.Threading.RateLimiting;
using ContactRouter.Store;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ContactRouter.Web;

/// <summary>
/// Who may come in: built-in accounts (ASP.NET Core Identity, cookie), the municipality's identity provider
/// (OpenID Connect, its own cookie), machine clients (API key, or the provider's client-credentials JWT). One
/// policy scheme picks the right one per request, so every endpoint's policy works the same for all of them.
/// </summary>
public static class SecuritySetup
{
    /// <summary>The scheme every endpoint authenticates with: it forwards to the one the request carries.</summary>
    public const string Scheme = "contactrouter";
    public const string OidcCookie = "oidc-session";
    public const string Oidc = OpenIdConnectDefaults.AuthenticationScheme;
    public const string MachineJwt = "machine-jwt";
    public const string AntiforgeryHeader = "X-CSRF-TOKEN";
    public const string SignInLimit = "sign-in";
    public const string StreamLimit = "streams";

    public static IHostApplicationBuilder AddRouterSecurity(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        var security = builder.Configuration.GetSection(SecurityOptions.Section).Get<SecurityOptions>() ?? new SecurityOptions();
        var problems = security.Problems().ToList();
        if (problems.Count > 0) throw new InvalidOperationException("Security settings: " + string.Join(" ", problems));
        services.AddOptions<SecurityOptions>().BindConfiguration(SecurityOptions.Section);

        // Session cookies and antiforgery tokens are sealed with keys kept in the store: every API process of a
        // deployment (and one restarted in a fresh container) accepts the others' cookies.
        services.AddDataProtection().SetApplicationName("ContactRouter").PersistKeysToDbContext<RouterDbContext>();

        services.AddIdentityCore<StaffAccount>(o =>
            {
                o.Lockout.MaxFailedAccessAttempts = security.MaxFailedSignIns;
                o.Lockout.DefaultLockoutTimeSpan = security.LockoutTime;
                o.Lockout.AllowedForNewUsers = true;
                o.Password.RequiredLength = 10;
                o.User.RequireUniqueEmail = false;
            })
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<RouterDbContext>()
            .AddSignInManager()
            .AddClaimsPrincipalFactory<StaffClaimsFactory>();
        // Role changes and password resets reach open sessions within a minute.
        services.Configure<SecurityStampValidatorOptions>(o => o.ValidationInterval = TimeSpan.FromMinutes(1));

        var authentication = services.AddAuthentication(o =>
        {
            o.DefaultScheme = Scheme;
            o.DefaultChallengeScheme = Scheme;
            o.DefaultForbidScheme = Scheme;
        });
        authentication.AddPolicyScheme(Scheme, "ContactRouter", o => o.ForwardDefaultSelector = context =>
        {
            var authorization = context.Request.Headers.Authorization.ToString();
            if (authorization.Length > 0)
                // A JWT has three dot-separated parts; our API keys have none.
                return security.Oidc.ApiAudience is not null && authorization.Count(c => c == '.') == 2 ? MachineJwt : MachineClients.Scheme;
            return security.Oidc.Enabled && context.Request.Cookies.ContainsKey(CookieName(OidcCookie)) ? OidcCookie : IdentityConstants.ApplicationScheme;
        });
        authentication.AddIdentityCookies();
        services.ConfigureApplicationCookie(o => Session(o, security, IdentityConstants.ApplicationScheme));
        authentication.AddScheme<AuthenticationSchemeOptions, ApiKeyHandler>(MachineClients.Scheme, null);

        if (security.Oidc.Enabled)
        {
            authentication.AddCookie(OidcCookie, o => Session(o, security, OidcCookie));
            authentication.AddOpenIdConnect(Oidc, o => IdentityProvider.Configure(o, security.Oidc));
            if (security.Oidc.ApiAudience is not null)
                authentication.AddJwtBearer(MachineJwt, o => IdentityProvider.ConfigureMachines(o, security.Oidc));
        }

        Policies.Add(services.AddAuthorizationBuilder()
            // Anything that forgot to name a policy still needs a signed-in user; the endpoint test names the culprit.
            .SetFallbackPolicy(new Microsoft.AspNetCore.Authorization.AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build()));

        services.AddAntiforgery(o =>
        {
            o.HeaderName = AntiforgeryHeader;
            o.Cookie.Name = "ContactRouter.Antiforgery";
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            // The security headers say frame-ancestors 'none' for every answer already.
            o.SuppressXFrameOptionsHeader = true;
        });

        services.AddRateLimiter(o =>
        {
            o.OnRejected = (context, ct) => new ValueTask(Problems.Field(StatusCodes.Status429TooManyRequests, "body",
                context.HttpContext.GetEndpoint()?.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.EndpointNameMetadata>()?.EndpointName == SessionApi.SignInName
                    ? "Too many sign-in attempts from this address; wait a minute."
                    : $"At most {security.MaxStreamsPerUser} live views per user; close one (another tab?) first.")
                .ExecuteAsync(context.HttpContext));
            o.AddPolicy(SignInLimit, context => RateLimitPartition.GetFixedWindowLimiter(
                context.Connection.RemoteIpAddress?.ToString() ?? "local",
                _ => new FixedWindowRateLimiterOptions { PermitLimit = security.SignInsPerMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
            o.AddPolicy(StreamLimit, context => RateLimitPartition.GetConcurrencyLimiter(
                context.User.Who(),
                _ => new ConcurrencyLimiterOptions { PermitLimit = security.MaxStreamsPerUser, QueueLimit = 0 }));
        });

        services.Configure<KestrelServerOptions>(o => o.Limits.MaxRequestBodySize = security.MaxRequestBodyBytes);
        services.AddHostedService<MachineClients.FromSettings>();
        services.AddHostedService<FirstAdministrator>();
        services.AddSingleton<FirstStartConsole>();
        return builder;
    }

    /// <summary>Authentication, authorization, limits and the antiforgery check, in that order; and the security headers on every answer.</summary>
    public static WebApplication UseRouterSecurity(this WebApplication app)
    {
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
        app.Use(CheckAntiforgery);
        return app;
    }

    /// <summary>
    /// A request that changes something and rides on a cookie must carry the antiforgery token the page got from
    /// <c>GET /api/me</c>: another site can make the browser send the cookie, but cannot read the token. A request with
    /// an Authorization header carries no cookie authority (the policy scheme ignores cookies then).
    /// </summary>
    private static async Task CheckAntiforgery(HttpContext context, Func<Task> next)
    {
        var method = context.Request.Method;
        if (HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) || HttpMethods.IsTrace(method)
            || context.Request.Headers.Authorization.Count > 0 || context.GetEndpoint() is null)
        {
            await next();
            return;
        }
        var antiforgery = context.RequestServices.GetRequiredService<IAntiforgery>();
        if (!await antiforgery.IsRequestValidAsync(context))
        {
            await Problems.Field(StatusCodes.Status403Forbidden, AntiforgeryHeader,
                $"A change made with a session cookie needs the {AntiforgeryHeader} header from GET /api/me.").ExecuteAsync(context);
            return;
        }
        await next();
    }

    public static string CookieName(string scheme) => $"ContactRouter.{scheme}";

    /// <summary>
    /// The session cookie: HttpOnly, SameSite=Lax (the identity provider's redirect back must carry it), Secure over
    /// HTTPS, sliding idle timeout. The API answers 401/403 instead of redirecting; pages go to the sign-in page.
    /// </summary>
    private static void Session(CookieAuthenticationOptions o, SecurityOptions security, string scheme)
    {
        o.Cookie.Name = CookieName(scheme);
        o.Cookie.HttpOnly = true;
        o.Cookie.SameSite = SameSiteMode.Lax;
        o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        o.ExpireTimeSpan = security.IdleTimeout;
        o.SlidingExpiration = true;
        o.LoginPath = Consoles.SignInPage;
        o.AccessDeniedPath = Consoles.SignInPage;
        o.Events.OnRedirectToLogin = context => Refuse(context, StatusCodes.Status401Unauthorized);
        o.Events.OnRedirectToAccessDenied = context => Refuse(context, StatusCodes.Status403Forbidden);
    }

    private static Task Refuse(RedirectContext<CookieAuthenticationOptions> context, int status)
    {
        if (context.Request.Path.StartsWithSegments("/api"))
        {
            context.Response.StatusCode = status;
            return Task.CompletedTask;
        }
        // A page: to sign in, or (signed in without the right role) to the sign-in page saying so, in Dutch.
        context.Response.Redirect(status == StatusCodes.Status403Forbidden ? Consoles.SignInPage + "?error=forbidden" : context.RedirectUri);
        return Task.CompletedTask;
    }
}

/// <summary>The built-in account's claims: its roles (Identity adds them) plus its agent id, centre and display name.</summary>
public sealed class StaffClaimsFactory(UserManager<StaffAccount> users, RoleManager<IdentityRole> roles, IOptions<IdentityOptions> options)
    : UserClaimsPrincipalFactory<StaffAccount, IdentityRole>(users, roles, options)
{
    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(StaffAccount user)
    {
        var identity = await base.GenerateClaimsAsync(user);
        if (user.AgentId is { } agentId) identity.AddClaim(new Claim(StaffClaims.AgentIdType, agentId));
        if (user.Centre is { } centre) identity.AddClaim(new Claim(StaffClaims.CentreType, centre));
        identity.AddClaim(new Claim(StaffClaims.DisplayName, user.DisplayName ?? user.UserName ?? ""));
        return identity;
    }
}
