namespace ContactRouter.Web;

/// <summary>Sign-in, sessions, machine clients and request limits (section "Security").</summary>
public sealed class SecurityOptions
{
    public const string Section = "Security";

    /// <summary>A session ends after this long without a request (sliding).</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Wrong passwords in a row before a built-in account is locked for <see cref="LockoutTime"/>.</summary>
    public int MaxFailedSignIns { get; set; } = 5;

    public TimeSpan LockoutTime { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Sign-in attempts per minute from one client address, whatever the account (password guessing across accounts).</summary>
    public int SignInsPerMinute { get; set; } = 20;

    /// <summary>Open live streams per signed-in user: a browser allows 6 connections per host, so more tabs would freeze each other.</summary>
    public int MaxStreamsPerUser { get; set; } = 4;

    /// <summary>The largest request body; above it the answer is 413. Every body of the API is a small JSON object.</summary>
    public long MaxRequestBodyBytes { get; set; } = 64 * 1024;

    /// <summary>The first administrator, created when the store has no accounts.</summary>
    public FirstAdministratorOptions Admin { get; set; } = new();

    /// <summary>Machine clients whose API key is given as a setting (automated installs), by name.</summary>
    public Dictionary<string, MachineClientOptions> MachineClients { get; set; } = new();

    /// <summary>The municipality's own identity provider; off while <see cref="OidcOptions.Authority"/> is empty.</summary>
    public OidcOptions Oidc { get; set; } = new();

    public IEnumerable<string> Problems()
    {
        if (IdleTimeout <= TimeSpan.Zero) yield return "IdleTimeout must be positive.";
        if (MaxFailedSignIns < 1) yield return "MaxFailedSignIns must be at least 1.";
        if (LockoutTime <= TimeSpan.Zero) yield return "LockoutTime must be positive.";
        if (SignInsPerMinute < 1) yield return "SignInsPerMinute must be at least 1.";
        if (MaxStreamsPerUser < 1) yield return "MaxStreamsPerUser must be at least 1.";
        if (MaxRequestBodyBytes < 1024) yield return "MaxRequestBodyBytes must be at least 1024.";
        foreach (var (name, client) in MachineClients)
        {
            if (!Web.MachineClients.NameFormat().IsMatch(name)) yield return $"MachineClients:{name}: a name is 1–64 letters, digits, '.', '_' or '-'.";
            if (client.Key is not { Length: >= 32 }) yield return $"MachineClients:{name}:Key must be at least 32 characters.";
            foreach (var scope in client.ScopeList)
                if (!Scopes.All.Contains(scope)) yield return $"MachineClients:{name}:Scopes: unknown scope '{scope}' (known: {string.Join(", ", Scopes.All)}).";
        }
        if (Oidc.Enabled && (string.IsNullOrWhiteSpace(Oidc.ClientId) || !Uri.TryCreate(Oidc.Authority, UriKind.Absolute, out _)))
            yield return "Oidc: Authority must be an absolute URL and ClientId is required.";
    }
}

public sealed class FirstAdministratorOptions
{
    public string UserName { get; set; } = "admin";

    /// <summary>For automated installs: the first administrator's password. Unset: a one-time password is printed once.</summary>
    public string? Password { get; set; }
}

public sealed class MachineClientOptions
{
    public string? Key { get; set; }

    /// <summary>Space-separated, e.g. "contacts:queue contacts:abandon".</summary>
    public string Scopes { get; set; } = "";

    public IReadOnlyList<string> ScopeList => Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}

public sealed class OidcOptions
{
    public string? Authority { get; set; }
    public string? ClientId { get; set; }
    public string? ClientSecret { get; set; }

    /// <summary>The claim that carries the roles (Entra ID: "roles"; Keycloak with a mapper: often "roles" or "groups").</summary>
    public string RoleClaim { get; set; } = "roles";

    /// <summary>The claim that links a person to their agent id.</summary>
    public string AgentClaim { get; set; } = "agent_id";

    /// <summary>The claim naming a team lead's centre.</summary>
    public string CentreClaim { get; set; } = "centre";

    public string Scopes { get; set; } = "openid profile";

    /// <summary>What the sign-in page's button says after "Inloggen met".</summary>
    public string DisplayName { get; set; } = "gemeente-account";

    /// <summary>Set to accept machine clients' client-credentials tokens (JWT) issued by the provider for this audience.</summary>
    public string? ApiAudience { get; set; }

    public bool Enabled => !string.IsNullOrWhiteSpace(Authority);

    /// <summary>Plain HTTP to the provider only on loopback (a test provider); everywhere else its metadata must come over HTTPS.</summary>
    public bool RequireHttpsMetadata => !(Uri.TryCreate(Authority, UriKind.Absolute, out var uri) && uri.IsLoopback);
}
