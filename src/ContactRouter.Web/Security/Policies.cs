using Microsoft.AspNetCore.Authorization;

namespace ContactRouter.Web;

/// <summary>
/// Every endpoint and stream names one of these (or allows anonymous access explicitly); a test fails for an
/// endpoint that names none. Rules that depend on the resource (is this agent you? is this caller ringing at your
/// desk?) are checked in the endpoint, after the policy let the role in.
/// </summary>
public static class Policies
{
    /// <summary>Any signed-in member of staff: the consoles' pages, who am I, sign out.</summary>
    public const string Staff = "staff";
    public const string Agent = "agent";
    /// <summary>An agent for themselves, or a team lead for an agent of their centre (break, offline).</summary>
    public const string AgentOrTeamLead = "agent-or-teamlead";
    /// <summary>An agent's own view, a team lead's or an administrator's look at any agent (without the customer).</summary>
    public const string AgentState = "agent-state";
    public const string TeamLead = "teamlead";
    public const string TeamLeadOrAdmin = "teamlead-or-admin";
    public const string Reception = "reception";
    public const string Admin = "admin";
    /// <summary>Reception and team leads with a stated reason; an agent only for the caller ringing at or connected to them.</summary>
    public const string CustomerView = "customer-view";
    public const string QueueContacts = "queue-contacts";
    public const string AbandonContacts = "abandon-contacts";
    public const string ReadContact = "read-contact";
    /// <summary>Whoever may send a command at all (staff and machine clients): the command's own requester is checked in the endpoint.</summary>
    public const string Requester = "requester";

    public static void Add(AuthorizationBuilder authorization)
    {
        authorization
            .AddPolicy(Staff, p => p.RequireAuthenticatedUser().RequireRole(StaffRoles.People))
            .AddPolicy(Requester, p => p.RequireRole([.. StaffRoles.People, StaffRoles.Machine]))
            .AddPolicy(Agent, p => p.RequireRole(StaffRoles.Agent))
            .AddPolicy(AgentOrTeamLead, p => p.RequireRole(StaffRoles.Agent, StaffRoles.TeamLead))
            .AddPolicy(AgentState, p => p.RequireRole(StaffRoles.Agent, StaffRoles.TeamLead, StaffRoles.Admin))
            .AddPolicy(TeamLead, p => p.RequireRole(StaffRoles.TeamLead))
            .AddPolicy(TeamLeadOrAdmin, p => p.RequireRole(StaffRoles.TeamLead, StaffRoles.Admin))
            .AddPolicy(Reception, p => p.RequireRole(StaffRoles.Reception))
            .AddPolicy(Admin, p => p.RequireRole(StaffRoles.Admin))
            .AddPolicy(CustomerView, p => p.RequireRole(StaffRoles.Reception, StaffRoles.TeamLead, StaffRoles.Agent))
            // An administrator may let a caller in by hand (the landing page's try-out); otherwise it is the exchange's job.
            .AddPolicy(QueueContacts, p => p.RequireAssertion(c => c.User.HasScope(Scopes.QueueContacts) || c.User.IsInRole(StaffRoles.Admin)))
            .AddPolicy(AbandonContacts, p => p.RequireAssertion(c => c.User.HasScope(Scopes.AbandonContacts)))
            // An agent only their own contact (checked in the endpoint).
            .AddPolicy(ReadContact, p => p.RequireAssertion(c => c.User.HasScope(Scopes.ReadContacts)
                || c.User.IsInRole(StaffRoles.TeamLead) || c.User.IsInRole(StaffRoles.Agent)));
    }
}
