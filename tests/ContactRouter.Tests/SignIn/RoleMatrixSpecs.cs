using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using ContactRouter.Web;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace ContactRouter.Tests.SignIn;

/// <summary>
/// Every endpoint the app maps (read from its own endpoint list, not from a list kept here) × every kind of caller:
/// anonymous, the agent it is about, another agent, a team lead, reception, an administrator, the telephone exchange.
/// What each may do comes from the endpoint's policy; a new endpoint without a policy, or with a policy this table
/// does not know, fails the test.
/// </summary>
public sealed class When_every_endpoint_is_tried_by_every_role(ITestOutputHelper output) : RouterSpec
{
    private enum Actor { Anonymous, Agent, OtherAgent, TeamLead, Reception, Admin, Machine }

    /// <summary>Who gets past each policy (the resource checks included: "Agent" is the agent the request is about).</summary>
    private static readonly Dictionary<string, Actor[]> Allowed = new()
    {
        [Policies.Staff] = [Actor.Agent, Actor.OtherAgent, Actor.TeamLead, Actor.Reception, Actor.Admin],
        [Policies.Agent] = [Actor.Agent],
        [Policies.AgentOrTeamLead] = [Actor.Agent, Actor.TeamLead],
        [Policies.AgentState] = [Actor.Agent, Actor.TeamLead, Actor.Admin],
        [Policies.TeamLead] = [Actor.TeamLead],
        [Policies.TeamLeadOrAdmin] = [Actor.TeamLead, Actor.Admin],
        [Policies.Reception] = [Actor.Reception],
        [Policies.Admin] = [Actor.Admin],
        [Policies.CustomerView] = [Actor.Agent, Actor.TeamLead, Actor.Reception],
        [Policies.QueueContacts] = [Actor.Machine, Actor.Admin],
        [Policies.AbandonContacts] = [Actor.Machine],
        [Policies.ReadContact] = [Actor.Agent, Actor.TeamLead, Actor.Machine],
    };

    private const string Caller = "+31611112222";

    [Fact]
    public async Task Should_let_in_exactly_whom_the_policy_names()
    {
        var endpoints = _router.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();
        var unguarded = endpoints.Where(e => e.Metadata.GetMetadata<IAllowAnonymous>() is null && e.Metadata.GetOrderedMetadata<IAuthorizeData>().Count == 0)
            .Select(e => e.RoutePattern.RawText).ToList();
        unguarded.Should().BeEmpty("every endpoint names an authorization policy or allows anonymous access explicitly");
        var unknown = endpoints.SelectMany(e => e.Metadata.GetOrderedMetadata<IAuthorizeData>()).Select(a => a.Policy ?? "(none)")
            .Where(p => !Allowed.ContainsKey(p)).Distinct().ToList();
        unknown.Should().BeEmpty("every policy in use has a row in this test's table");

        var values = await Arrange();
        var clients = new Dictionary<Actor, HttpClient>
        {
            // Signed out, but a real browser: it has the sign-in page's antiforgery token.
            [Actor.Anonymous] = await SignedOutBrowser(),
            [Actor.Agent] = _router.As(Person.Agent("anna")),
            [Actor.OtherAgent] = _router.As(Person.Agent("bram")),
            [Actor.TeamLead] = _router.As(Person.TeamLead("sociaal")),
            [Actor.Reception] = _router.As(Person.Reception),
            [Actor.Admin] = _router.As(Person.Admin),
            [Actor.Machine] = _router.As(Person.Exchange),
        };

        // Reads first, then changes, signing out last: a change must not take away what a later row needs.
        var requests = endpoints
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(m => (Endpoint: e, Method: m)))
            .OrderBy(r => r.Method == "GET" ? 0 : r.Endpoint.RoutePattern.RawText == "/api/session" ? 2 : 1)
            .ToList();
        var wrong = new List<string>();
        var tried = 0;
        foreach (var (endpoint, method) in requests)
        {
            var pattern = endpoint.RoutePattern.RawText!;
            var path = Regex.Replace(pattern, @"\{(\w+)[^}]*\}", m => Uri.EscapeDataString(values[m.Groups[1].Value]));
            if (!path.StartsWith('/')) path = "/" + path;
            var anonymous = endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null;
            var policy = endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy).FirstOrDefault();
            foreach (var (actor, client) in clients)
            {
                var allowed = anonymous || Allowed[policy!].Contains(actor);
                var status = await Send(client, method, path);
                tried++;
                var page = !path.StartsWith("/api") && !anonymous;
                var expected = allowed ? "allowed" : actor == Actor.Anonymous ? (page ? "302 to /login" : "401") : "403";
                var ok = status switch
                {
                    _ when allowed => status is not (401 or 403) && status < 500 && (method != "GET" || status is >= 200 and < 300 || path.Contains("signin")),
                    _ when actor == Actor.Anonymous => page ? status == 302 : status == 401,
                    _ => status == 403,
                };
                if (!ok) wrong.Add($"{method} {pattern} as {actor}: {status}, expected {expected}");
            }
        }
        output.WriteLine($"Matrix: {requests.Count} endpoints (method × route) × {clients.Count} roles = {tried} requests.");
        wrong.Should().BeEmpty();
    }

    private async Task<HttpClient> SignedOutBrowser()
    {
        var browser = new Browser(_router);
        await browser.Me();
        browser.Http.DefaultRequestHeaders.Add(SecuritySetup.AntiforgeryHeader, browser.Token);
        return browser.Http;
    }

    private static async Task<int> Send(HttpClient client, string method, string path)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), method == "GET" ? path + "?reason=matrix" : path);
        if (method is not ("GET" or "DELETE")) request.Content = JsonContent.Create(new { });
        // A live stream answers its headers and then stays open: the status is all this test needs.
        using var cancel = new CancellationTokenSource();
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancel.Token);
        var status = (int)response.StatusCode;
        await cancel.CancelAsync();
        return status;
    }

    /// <summary>A ringing world: Anna (sociaal) is connected to a caller, Bram works beside her, a callback is booked, a spare account and key to act on.</summary>
    private async Task<Dictionary<string, string>> Arrange()
    {
        (await _http.PutAgent("anna", "sociaal", new { sociaal = 5 })).EnsureSuccessStatusCode();
        (await _http.PutAgent("bram", "sociaal", new { sociaal = 5 })).EnsureSuccessStatusCode();
        (await _http.SetStatus("anna", "available")).EnsureSuccessStatusCode();
        var contactId = await _http.Call("sociaal", Caller);
        await _http.AgentWhen("anna", a => (string?)a["offer"]?["contactId"] == contactId, "offered the caller");
        (await _http.PostAsJsonAsync("/api/agents/anna/accept", new { contactId })).EnsureSuccessStatusCode();
        await _http.ContactWhen(contactId, "connected");
        var callback = await _http.PostAsJsonAsync("/api/callbacks", new { centre = "sociaal", caller = Caller, question = "Vraag" });
        callback.StatusCode.Should().Be(HttpStatusCode.Created, await callback.Content.ReadAsStringAsync());
        var admin = _router.As(Person.Admin);
        (await admin.PostAsJsonAsync("/api/accounts", new { userName = "spare", roles = new[] { "reception" } })).StatusCode.Should().Be(HttpStatusCode.Created);
        (await admin.PostAsJsonAsync("/api/machine-clients", new { name = "spare", scopes = "contacts:read" })).StatusCode.Should().Be(HttpStatusCode.Created);
        return new Dictionary<string, string>
        {
            ["agentId"] = "anna",
            ["contactId"] = contactId,
            ["phone"] = Caller,
            ["callbackId"] = (await callback.Json())["callbackId"]!.GetValue<string>(),
            ["userName"] = "spare",
            ["name"] = "spare",
            ["documentName"] = "v1",
        };
    }
}
