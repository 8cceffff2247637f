using System.Net;
using System.Net.Http.Json;
using ContactRouter.Web;
using Microsoft.EntityFrameworkCore;

namespace ContactRouter.Tests.SignIn;

/// <summary>
/// The world the endpoint-wide specs (every endpoint × every role, malformed requests on every endpoint) run in:
/// who each policy lets in, and a ringing world whose ids let valid requests reach deep.
/// </summary>
public static class EndpointWorld
{
    /// <summary>The agent the requests are about (agentId, her caller, her contact).</summary>
    public static readonly Person Anna = Person.Agent("anna");
    /// <summary>Another agent of her centre.</summary>
    public static readonly Person Bram = Person.Agent("bram");
    public static readonly Person Lead = Person.TeamLead("sociaal");
    public const string Caller = "+31611112222";

    /// <summary>Who gets past each policy, the resource checks included ("the agent" is Anna, whom the requests are about).</summary>
    public static readonly Dictionary<string, Person[]> Allowed = new()
    {
        [Policies.Staff] = [Anna, Bram, Lead, Person.Reception, Person.Admin],
        [Policies.Agent] = [Anna],
        [Policies.AgentOrTeamLead] = [Anna, Lead],
        [Policies.AgentState] = [Anna, Lead, Person.Admin],
        [Policies.TeamLead] = [Lead],
        [Policies.TeamLeadOrAdmin] = [Lead, Person.Admin],
        [Policies.Reception] = [Person.Reception],
        [Policies.Admin] = [Person.Admin],
        [Policies.CustomerView] = [Anna, Lead, Person.Reception],
        [Policies.QueueContacts] = [Person.Exchange, Person.Admin],
        [Policies.AbandonContacts] = [Person.Exchange],
        [Policies.ReadContact] = [Anna, Lead, Person.Exchange],
        // Anyone who sends commands; a command is read by its own requester (the exchange queued the caller) or an administrator.
        [Policies.Requester] = [Person.Exchange, Person.Admin],
    };

    /// <summary>
    /// Anna (sociaal) is connected to a caller, Bram works beside her, a callback is booked, a spare account and a spare
    /// machine key to act on; the answer holds a value for every route parameter of the API.
    /// </summary>
    public static async Task<Dictionary<string, string>> Arrange(RouterFactory router, HttpClient http)
    {
        (await http.PutAgent("anna", "sociaal", new { sociaal = 5 })).EnsureSuccessStatusCode();
        (await http.PutAgent("bram", "sociaal", new { sociaal = 5 })).EnsureSuccessStatusCode();
        (await http.SetStatus("anna", "available")).EnsureSuccessStatusCode();
        var contactId = await http.Call("sociaal", Caller);
        await http.AgentWhen("anna", a => (string?)a["offer"]?["contactId"] == contactId, "offered the caller");
        (await http.PostAsJsonAsync("/api/agents/anna/accept", new { contactId })).EnsureSuccessStatusCode();
        await http.ContactWhen(contactId, "connected");
        var callback = await http.PostAsJsonAsync("/api/callbacks", new { centre = "sociaal", caller = Caller, question = "Vraag" });
        callback.StatusCode.Should().Be(HttpStatusCode.Created, await callback.Content.ReadAsStringAsync());
        var admin = router.As(Person.Admin);
        (await admin.PostAsJsonAsync("/api/accounts", new { userName = "spare", roles = new[] { "reception" } })).StatusCode.Should().Be(HttpStatusCode.Created);
        (await admin.PostAsJsonAsync("/api/machine-clients", new { name = "spare", scopes = "contacts:read" })).StatusCode.Should().Be(HttpStatusCode.Created);
        return new Dictionary<string, string>
        {
            ["agentId"] = "anna",
            // The centre the harness's team lead steers (their people and queue).
            ["centre"] = "sociaal",
            ["contactId"] = contactId,
            ["phone"] = Caller,
            ["callbackId"] = (await callback.Json())["callbackId"]!.GetValue<string>(),
            // Never "admin" or "exchange": a request that changes them must not take away the harness's own access.
            ["userName"] = "spare",
            ["name"] = "spare",
            ["documentName"] = "v1",
            ["commandId"] = (await router.NewDbContext().AcceptedCommands.AsNoTracking()
                .FirstAsync(c => c.ContactId == contactId && c.MessageType == "QueueContact")).CommandId.ToString("N"),
        };
    }
}
