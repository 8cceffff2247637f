using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ContactRouter.Store;
using ContactRouter.Web;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ContactRouter.Tests;

/// <summary>Who sends a request: a member of staff with a built-in account, or the telephone exchange with its API key.</summary>
public sealed record Person(string UserName, string[] Roles, string? AgentId = null, string? Centre = null)
{
    public static Person Agent(string agentId) => new(agentId, [StaffRoles.Agent], AgentId: agentId);
    public static Person TeamLead(string centre = "sociaal") => new($"teamlead-{centre}", [StaffRoles.TeamLead], Centre: centre);
    public static readonly Person Reception = new("reception", [StaffRoles.Reception]);
    public static readonly Person Admin = new(TestSecrets.AdminUserName, [StaffRoles.Admin]);
    /// <summary>The telephone exchange: not a person, its API key (<see cref="TestSecrets.ExchangeKey"/>).</summary>
    public static readonly Person Exchange = new("exchange", [StaffRoles.Machine]);

    public bool IsMachine => Roles.Contains(StaffRoles.Machine);
}

/// <summary>The secrets the test hosts are given as settings, as an automated install would.</summary>
public static class TestSecrets
{
    public const string AdminUserName = "admin";
    public const string AdminPassword = "Admin-Test-Passw0rd!";
    public const string ExchangeKey = "crk_test-exchange-key-0123456789abcdefghijklmnopqrstuvwxyz";
    /// <summary>Every built-in account a test makes gets this password.</summary>
    public const string StaffPassword = "Staff-Test-Passw0rd!";

    public static IEnumerable<KeyValuePair<string, string?>> Settings() =>
    [
        new("Security:Admin:Password", AdminPassword),
        new("Security:MachineClients:exchange:Key", ExchangeKey),
        new("Security:MachineClients:exchange:Scopes", string.Join(' ', Scopes.All)),
        // The harness signs in many accounts from one address within a minute; the limit has its own spec.
        new("Security:SignInsPerMinute", "100000"),
    ];
}

/// <summary>
/// Sends each request as a signed-in user over the real sign-in: a built-in account (made on first use through the
/// host's own UserManager, then signed in with POST /api/session, its cookie and antiforgery token kept per account)
/// or the exchange's API key. Either one fixed <see cref="Person"/>, or — for the specs written before sign-in
/// existed — the account whose job the request is (<see cref="TheRoleItNeeds"/>).
/// </summary>
public sealed class StaffHandler(IServiceProvider host, Person? fixedPerson) : DelegatingHandler
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Session> _sessions = new();
    private readonly SemaphoreSlim _signingIn = new(1, 1);

    private sealed record Session(CookieContainer Cookies, string Antiforgery);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        if (request.Headers.Authorization is not null || request.Headers.Contains("Cookie")) return await base.SendAsync(request, ct);
        var person = fixedPerson ?? await TheRoleItNeeds(request);
        if (person is null) return await base.SendAsync(request, ct);
        if (person.IsMachine)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", TestSecrets.ExchangeKey);
            return await base.SendAsync(request, ct);
        }
        var origin = new Uri(request.RequestUri!.GetLeftPart(UriPartial.Authority));
        var session = await SessionOf(person, origin, ct);
        var response = await Send(request, session.Cookies, session.Antiforgery, ct);
        if (response.StatusCode != HttpStatusCode.Unauthorized) return response;
        // The session ended (the idle timeout, on a clock a spec moved hours ahead): sign in again, as a person would.
        _sessions.TryRemove(person.UserName, out _);
        var again = new HttpRequestMessage(request.Method, request.RequestUri);
        if (request.Content is not null)
        {
            again.Content = new ByteArrayContent(await request.Content.ReadAsByteArrayAsync(ct));
            foreach (var h in request.Content.Headers) again.Content.Headers.TryAddWithoutValidation(h.Key, h.Value);
        }
        session = await SessionOf(person, origin, ct);
        return await Send(again, session.Cookies, session.Antiforgery, ct);
    }

    private async Task<HttpResponseMessage> Send(HttpRequestMessage request, CookieContainer cookies, string? antiforgery, CancellationToken ct)
    {
        var uri = new Uri(request.RequestUri!.GetLeftPart(UriPartial.Authority));
        var header = cookies.GetCookieHeader(uri);
        if (header.Length > 0) request.Headers.Add("Cookie", header);
        if (antiforgery is not null && request.Method != HttpMethod.Get && request.Method != HttpMethod.Head)
            request.Headers.Add(SecuritySetup.AntiforgeryHeader, antiforgery);
        var response = await base.SendAsync(request, ct);
        if (response.Headers.TryGetValues("Set-Cookie", out var set))
            foreach (var cookie in set) cookies.SetCookies(uri, cookie);
        return response;
    }

    /// <summary>The session cookies of <paramref name="person"/> once a request was sent as them (for a browser to take over).</summary>
    public CookieContainer? CookiesOf(Person person) => _sessions.TryGetValue(person.UserName, out var session) ? session.Cookies : null;

    private async Task<Session> SessionOf(Person person, Uri origin, CancellationToken ct)
    {
        await _signingIn.WaitAsync(ct);
        try
        {
            if (_sessions.TryGetValue(person.UserName, out var known)) return known;
            await EnsureAccount(host, person);
            var cookies = new CookieContainer();
            var anonymous = await Me(cookies, origin, ct);
            var signIn = new HttpRequestMessage(HttpMethod.Post, new Uri(origin, "/api/session"))
            {
                Content = JsonContent.Create(new { userName = person.UserName, password = PasswordOf(person) }),
            };
            var answer = await Send(signIn, cookies, anonymous, ct);
            if (answer.StatusCode != HttpStatusCode.NoContent)
                throw new InvalidOperationException($"Signing in {person.UserName} answered {(int)answer.StatusCode}: {await answer.Content.ReadAsStringAsync(ct)}");
            var session = new Session(cookies, await Me(cookies, origin, ct));
            _sessions[person.UserName] = session;
            return session;
        }
        finally
        {
            _signingIn.Release();
        }
    }

    private async Task<string> Me(CookieContainer cookies, Uri origin, CancellationToken ct)
    {
        var me = await Send(new HttpRequestMessage(HttpMethod.Get, new Uri(origin, "/api/me")), cookies, null, ct);
        me.EnsureSuccessStatusCode();
        return JsonNode.Parse(await me.Content.ReadAsStringAsync(ct))!["antiforgeryToken"]!.GetValue<string>();
    }

    public static string PasswordOf(Person person) => person == Person.Admin ? TestSecrets.AdminPassword : TestSecrets.StaffPassword;

    /// <summary>Makes the built-in account (idempotent), as an administrator would.</summary>
    public static async Task EnsureAccount(IServiceProvider host, Person person)
    {
        if (person == Person.Admin) return; // made by the host itself from its settings
        await using var scope = host.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<StaffAccount>>();
        if (await users.FindByNameAsync(person.UserName) is not null) return;
        await Accounts.EnsureRoles(scope.ServiceProvider);
        var account = new StaffAccount { UserName = person.UserName, DisplayName = person.UserName, AgentId = person.AgentId, Centre = person.Centre };
        var created = await users.CreateAsync(account, TestSecrets.StaffPassword);
        if (!created.Succeeded && await users.FindByNameAsync(person.UserName) is null)
            throw new InvalidOperationException(string.Join(" ", created.Errors.Select(e => e.Description)));
        await users.AddToRolesAsync(account, person.Roles);
    }

    /// <summary>
    /// The account whose job a request is: the exchange queues and abandons, an agent acts for themselves and
    /// completes their own contact, the administrator registers agents, reception keeps callbacks and customers,
    /// a team lead watches centres and reports.
    /// </summary>
    private async Task<Person?> TheRoleItNeeds(HttpRequestMessage request)
    {
        var path = request.RequestUri!.IsAbsoluteUri ? request.RequestUri.AbsolutePath : request.RequestUri.OriginalString.Split('?')[0];
        var parts = path.Trim('/').Split('/');
        var method = request.Method;
        if (parts.Length < 2 || parts[0] != "api") return Person.Admin;
        switch (parts[1])
        {
            case "contacts" when method == HttpMethod.Post && parts.Length == 2:
            case "contacts" when parts.Length == 4 && parts[3] == "abandon":
                return Person.Exchange;
            case "contacts" when parts.Length == 4 && parts[3] == "complete":
                await using (var scope = host.CreateAsyncScope())
                {
                    var id = Uri.UnescapeDataString(parts[2]);
                    var agentId = await scope.ServiceProvider.GetRequiredService<RouterDbContext>().Contacts.AsNoTracking()
                        .Where(c => c.Id == id).Select(c => c.AgentId).FirstOrDefaultAsync();
                    // A contact nobody holds: an agent who is not (yet) connected to it.
                    return Person.Agent(agentId ?? "nobody");
                }
            case "contacts":
                return Person.TeamLead();
            case "agents" when method == HttpMethod.Put:
                return Person.Admin;
            case "agents" when parts.Length >= 3:
                return Person.Agent(Uri.UnescapeDataString(parts[2]));
            case "agents":
            case "centres":
            case "reports":
                return Person.TeamLead();
            case "customers":
            case "callbacks":
                return Person.Reception;
            default:
                return Person.Admin;
        }
    }
}

public static class StaffClients
{
    /// <summary>A client whose every request is sent by the account whose job it is (see <see cref="StaffHandler"/>).</summary>
    public static HttpClient StaffClient(this WebApplicationFactory<Program> host) => host.CreateDefaultClient(new StaffHandler(host.Services, null));

    /// <summary>A client signed in as <paramref name="person"/> for every request.</summary>
    public static HttpClient As(this WebApplicationFactory<Program> host, Person person) => host.CreateDefaultClient(new StaffHandler(host.Services, person));

    /// <summary>A client with no credentials at all.</summary>
    public static HttpClient Anonymous(this WebApplicationFactory<Program> host) => host.CreateDefaultClient();
}
