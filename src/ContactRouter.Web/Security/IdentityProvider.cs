using System.Security.Claims;
using ContactRouter.Store;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace ContactRouter.Web;

/// <summary>
/// The municipality's own identity provider (Entra ID, ADFS, Keycloak, …) through ASP.NET Core's OpenID Connect
/// handler: authorization code with PKCE; its roles, agent id and centre claims become the same claims a built-in
/// account has. Machine clients may instead present the provider's client-credentials JWT.
/// </summary>
public static class IdentityProvider
{
    public static void Configure(OpenIdConnectOptions o, OidcOptions oidc)
    {
        o.Authority = oidc.Authority;
        o.ClientId = oidc.ClientId;
        o.ClientSecret = oidc.ClientSecret;
        o.ResponseType = OpenIdConnectResponseType.Code;
        // The answer comes back as a top-level GET, so the handler's SameSite=Lax correlation cookies travel with it
        // (form_post is a cross-site POST and would need SameSite=None, which browsers refuse without HTTPS).
        o.ResponseMode = OpenIdConnectResponseMode.Query;
        o.UsePkce = true;
        o.RequireHttpsMetadata = oidc.RequireHttpsMetadata;
        o.SignInScheme = SecuritySetup.OidcCookie;
        o.MapInboundClaims = false;
        // The ID token stays in the session cookie: signing out at the provider (RP-initiated logout) sends it as the hint.
        o.SaveTokens = true;
        o.SignedOutRedirectUri = Consoles.SignInPage + "?signedOut";
        o.GetClaimsFromUserInfoEndpoint = true;
        o.Scope.Clear();
        foreach (var scope in oidc.Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries)) o.Scope.Add(scope);
        o.CorrelationCookie.SameSite = SameSiteMode.Lax;
        o.CorrelationCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        o.NonceCookie.SameSite = SameSiteMode.Lax;
        o.NonceCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        o.Events.OnTicketReceived = async context =>
        {
            context.Principal = Staff(context.Principal!, oidc, context.Principal!.Identity!.AuthenticationType);
            if (!StaffRoles.People.Any(context.Principal.IsInRole))
            {
                // The provider knows them, but gives them none of ours: no session at all, and the sign-in page says why.
                await AccessLogApi.Write(context.HttpContext, context.Principal, AccessActions.SignInFailed, why: "identity provider: no role");
                context.Response.Redirect(Consoles.SignInPage + "?error=no-role");
                context.HandleResponse();
                return;
            }
            await AccessLogApi.Write(context.HttpContext, context.Principal, AccessActions.SignIn, why: "identity provider");
        };
        o.Events.OnRemoteFailure = context =>
        {
            // Back to the sign-in page with a reason the page can say in Dutch, instead of an exception page.
            context.Response.Redirect(Consoles.SignInPage + "?error=provider");
            context.HandleResponse();
            return Task.CompletedTask;
        };
    }

    public static void ConfigureMachines(JwtBearerOptions o, OidcOptions oidc)
    {
        o.Authority = oidc.Authority;
        o.Audience = oidc.ApiAudience;
        o.RequireHttpsMetadata = oidc.RequireHttpsMetadata;
        o.MapInboundClaims = false;
        o.Events = new JwtBearerEvents
        {
            OnTokenValidated = context =>
            {
                var token = context.Principal!;
                var name = token.FindFirstValue("client_id") ?? token.FindFirstValue("azp") ?? token.FindFirstValue("sub") ?? "machine";
                var claims = new List<Claim> { new(ClaimTypes.Name, name), new(ClaimTypes.Role, StaffRoles.Machine) };
                // OAuth 2.0 puts scopes in one space-separated "scope" claim; Entra ID calls application permissions "roles".
                var scopes = token.FindAll("scope").Concat(token.FindAll("scp")).Concat(token.FindAll("roles"))
                    .SelectMany(c => c.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Where(Scopes.All.Contains).Distinct();
                claims.AddRange(scopes.Select(s => new Claim(StaffClaims.Scope, s)));
                context.Principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SecuritySetup.MachineJwt, ClaimTypes.Name, ClaimTypes.Role));
                return Task.CompletedTask;
            },
        };
    }

    /// <summary>The provider's claims as a member of staff: name, known roles only, agent id, centre.</summary>
    private static ClaimsPrincipal Staff(ClaimsPrincipal token, OidcOptions oidc, string? authenticationType)
    {
        var name = token.FindFirstValue("preferred_username") ?? token.FindFirstValue("upn") ?? token.FindFirstValue("email")
                   ?? token.FindFirstValue("sub") ?? "unknown";
        var claims = new List<Claim>
        {
            new(ClaimTypes.Name, AccessLog.Clip(name, 100)),
            new(StaffClaims.DisplayName, AccessLog.Clip(token.FindFirstValue("name") ?? name, 100)),
            new(StaffClaims.SignedInWith, StaffClaims.Provider),
        };
        claims.AddRange(token.FindAll(oidc.RoleClaim).Select(c => c.Value).Where(StaffRoles.People.Contains).Distinct()
            .Select(role => new Claim(ClaimTypes.Role, role)));
        if (token.FindFirstValue(oidc.AgentClaim) is { Length: > 0 } agentId) claims.Add(new Claim(StaffClaims.AgentIdType, agentId));
        if (token.FindFirstValue(oidc.CentreClaim) is { Length: > 0 } centre) claims.Add(new Claim(StaffClaims.CentreType, centre));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, authenticationType ?? "oidc", ClaimTypes.Name, ClaimTypes.Role));
    }
}
