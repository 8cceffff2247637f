using System.Security.Claims;

namespace ContactRouter.Web;

/// <summary>The roles of issue 9: who may do what is decided by these names only.</summary>
public static class StaffRoles
{
    public const string Agent = "agent";
    public const string TeamLead = "teamlead";
    public const string Reception = "reception";
    public const string Admin = "admin";

    /// <summary>Not a person: a machine client (the telephone exchange, a web form) acting within its scopes.</summary>
    public const string Machine = "machine";

    public static readonly string[] People = [Agent, TeamLead, Reception, Admin];
}

/// <summary>What a machine client may do.</summary>
public static class Scopes
{
    public const string QueueContacts = "contacts:queue";
    public const string AbandonContacts = "contacts:abandon";
    public const string ReadContacts = "contacts:read";

    public static readonly string[] All = [QueueContacts, AbandonContacts, ReadContacts];
}

/// <summary>The claims every sign-in (built-in account, identity provider, machine key) ends up with.</summary>
public static class StaffClaims
{
    public const string AgentIdType = "agent_id";
    public const string CentreType = "centre";
    public const string DisplayName = "display_name";
    public const string Scope = "scope";
    /// <summary>How the session began: <see cref="Provider"/> for the identity provider; absent for a built-in account.</summary>
    public const string SignedInWith = "signed_in_with";
    public const string Provider = "provider";

    public static string? AgentId(this ClaimsPrincipal user) => user.FindFirstValue(AgentIdType);
    public static string? Centre(this ClaimsPrincipal user) => user.FindFirstValue(CentreType);

    /// <summary>Whether the signed-in user is the agent <paramref name="agentId"/> (an account is linked to one agent).</summary>
    public static bool IsAgent(this ClaimsPrincipal user, string agentId) =>
        user.IsInRole(StaffRoles.Agent) && string.Equals(user.AgentId(), agentId, StringComparison.Ordinal);

    public static bool HasScope(this ClaimsPrincipal user, string scope) =>
        user.IsInRole(StaffRoles.Machine) && user.FindAll(Scope).Any(c => c.Value == scope);

    /// <summary>The roles for the access log: every role the user holds, comma-separated.</summary>
    public static string RoleList(this ClaimsPrincipal user)
    {
        var roles = user.FindAll(ClaimTypes.Role).Select(c => c.Value).Distinct().Order().ToList();
        return roles.Count == 0 ? "none" : string.Join(',', roles);
    }

    public static string Who(this ClaimsPrincipal user) => user.Identity?.Name ?? "unknown";
}
