using Microsoft.AspNetCore.Identity;

namespace ContactRouter.Store;

/// <summary>
/// A member of staff with a built-in account (ASP.NET Core Identity on the router's store). Staff of the
/// municipality's own identity provider have no row here: their roles come from the provider's claims.
/// </summary>
public sealed class StaffAccount : IdentityUser
{
    /// <summary>The name shown in the consoles' header and in the access log.</summary>
    public string? DisplayName { get; set; }

    /// <summary>The agent this account acts as (role agent): an account is linked to one agent id.</summary>
    public string? AgentId { get; set; }

    /// <summary>The centre a team lead steers: they may set its agents on break or offline.</summary>
    public string? Centre { get; set; }

    /// <summary>Set for a one-time password (the first administrator's): the first sign-in must choose a new one.</summary>
    public bool MustChangePassword { get; set; }
}

/// <summary>
/// A machine client (the telephone exchange, a web form, the SIP front) with an API key. Only the key's SHA-256
/// is stored: the key is 256 random bits, so a fast hash is enough (a slow password hash guards guessable secrets).
/// </summary>
public sealed class MachineClient
{
    public required string Name { get; init; }
    public required string KeyHash { get; set; }
    /// <summary>What it may do, space-separated (e.g. "contacts:queue contacts:abandon").</summary>
    public required string Scopes { get; set; }
    public required DateTimeOffset CreatedAt { get; init; }
}
