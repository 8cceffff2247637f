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

    [Fact]
    public async Task Should_let_in_exactly_whom_the_policy_names()
    {
        var endpoints = _router.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();
        var unguarded = endpoints.Where(e => e.Metadata.GetMetadata<IAllowAnonymous>() is null && e.Metadata.GetOrderedMetadata<IAuthorizeData>().Count == 0)
            .Select(e => e.RoutePattern.RawText).ToList();
        unguarded.Should().BeEmpty("every endpoint names an authorization policy or allows anonymous access explicitly");
        var unknown = endpoints.SelectMany(e => e.Metadata.GetOrderedMetadata<IAuthorizeData>()).Select(a => a.Policy ?? "(none)")
            .Where(p => !EndpointWorld.Allowed.ContainsKey(p)).Distinct().ToList();
        unknown.Should().BeEmpty("every policy in use has a row in EndpointWorld's table");

        var values = await EndpointWorld.Arrange(_router, _http);
        var people = new Dictionary<Actor, Person>
        {
            [Actor.Agent] = EndpointWorld.Anna, [Actor.OtherAgent] = EndpointWorld.Bram, [Actor.TeamLead] = EndpointWorld.Lead,
            [Actor.Reception] = Person.Reception, [Actor.Admin] = Person.Admin, [Actor.Machine] = Person.Exchange,
        };
        var clients = new Dictionary<Actor, HttpClient>
        {
            // Signed out, but a real browser: it has the sign-in page's antiforgery token.
            [Actor.Anonymous] = await SignedOutBrowser(),
        };
        foreach (var (actor, person) in people) clients[actor] = _router.As(person);

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
                var allowed = anonymous || (people.TryGetValue(actor, out var person) && EndpointWorld.Allowed[policy!].Contains(person));
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
}
