using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.RegularExpressions;
using ContactRouter.Store;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ContactRouter.Web;

/// <summary>Machine clients' API keys: made here, stored only as a hash, checked by <see cref="ApiKeyHandler"/>.</summary>
public static partial class MachineClients
{
    public const string Scheme = "api-key";

    public const string NamePattern = @"^[A-Za-z0-9._-]{1,64}\z";

    /// <summary>A new key: 256 random bits, with a prefix so a leaked key is recognisable in a secret scanner.</summary>
    public static string NewKey() => "crk_" + Base64Url(RandomNumberGenerator.GetBytes(32));

    public static string Hash(string key) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    /// <summary>Adds or updates the machine clients given as settings, so an automated install needs no admin step.</summary>
    public sealed class FromSettings(IServiceScopeFactory scopes, IOptions<SecurityOptions> security, TimeProvider time) : IHostedService
    {
        public async Task StartAsync(CancellationToken ct)
        {
            await using var scope = scopes.CreateAsyncScope();
            await Store(scope.ServiceProvider.GetRequiredService<RouterDbContext>(), security.Value, time, ct);
        }

        public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
    }

    private static async Task Store(RouterDbContext db, SecurityOptions options, TimeProvider time, CancellationToken ct)
    {
        foreach (var (name, client) in options.MachineClients)
        {
            var hash = Hash(client.Key!);
            var row = await db.MachineClients.FirstOrDefaultAsync(c => c.Name == name, ct);
            if (row is null)
                db.MachineClients.Add(new MachineClient { Name = name, KeyHash = hash, Scopes = string.Join(' ', client.ScopeList), CreatedAt = time.GetUtcNow() });
            else
            {
                row.KeyHash = hash;
                row.Scopes = string.Join(' ', client.ScopeList);
            }
        }
        await db.SaveChangesAsync(ct);
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    [GeneratedRegex(NamePattern)]
    public static partial Regex NameFormat();
}

/// <summary>
/// <c>Authorization: Bearer &lt;key&gt;</c> for machine clients: the key's hash is looked up, and the client signs in
/// with the role <c>machine</c> and its scopes. A wrong key is a plain 401; the key itself is never logged.
/// </summary>
public sealed class ApiKeyHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, RouterDbContext db)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return AuthenticateResult.NoResult();
        var key = header["Bearer ".Length..].Trim();
        if (key.Length is 0 or > 200) return AuthenticateResult.Fail("No valid key.");
        var hash = MachineClients.Hash(key);
        var client = await db.MachineClients.AsNoTracking().FirstOrDefaultAsync(c => c.KeyHash == hash, Context.RequestAborted);
        if (client is null) return AuthenticateResult.Fail("Unknown key.");
        var claims = new List<Claim> { new(ClaimTypes.Name, client.Name), new(ClaimTypes.Role, StaffRoles.Machine) };
        claims.AddRange(client.Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(s => new Claim(StaffClaims.Scope, s)));
        var identity = new ClaimsIdentity(claims, Scheme.Name, ClaimTypes.Name, ClaimTypes.Role);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Bearer";
        return base.HandleChallengeAsync(properties);
    }
}
