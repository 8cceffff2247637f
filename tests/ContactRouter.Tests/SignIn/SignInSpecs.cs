using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ContactRouter.Web;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ContactRouter.Tests.SignIn;

/// <summary>Signing in by hand, as the sign-in page does: the antiforgery token from GET /api/me, then POST /api/session.</summary>
internal sealed class Browser(WebApplicationFactory<Program> host)
{
    public HttpClient Http { get; } = host.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = true, AllowAutoRedirect = false });
    public string Token { get; private set; } = "";

    public async Task<JsonNode> Me()
    {
        var me = JsonNode.Parse(await Http.GetStringAsync("/api/me"))!;
        Token = me["antiforgeryToken"]!.GetValue<string>();
        return me;
    }

    public async Task<HttpResponseMessage> SignIn(string userName, string password, string? newPassword = null)
    {
        await Me();
        var answer = await Send(HttpMethod.Post, "/api/session", new { userName, password, newPassword });
        await Me(); // the token belongs to the user: a new one after signing in
        return answer;
    }

    /// <summary>A change with the session cookie and, unless told otherwise, the antiforgery token.</summary>
    public Task<HttpResponseMessage> Send(HttpMethod method, string path, object? body = null, bool withToken = true)
    {
        var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        if (withToken) request.Headers.Add(SecuritySetup.AntiforgeryHeader, Token);
        return Http.SendAsync(request);
    }
}

/// <summary>The README's run command on an empty store: the first administrator and their one-time password.</summary>
public sealed class When_the_router_starts_for_the_first_time : IAsyncLifetime
{
    private readonly string _store = RouterFactory.NewStorePath();
    private readonly List<WebApplicationFactory<Program>> _hosts = [];
    private readonly ConcurrentQueue<string> _logLines = new();

    /// <summary>A host on the shared store without an administrator password in its settings; what it prints goes to <paramref name="console"/>.</summary>
    private WebApplicationFactory<Program> Start(StringWriter console)
    {
        var host = new RouterFactory(_store, RouterFactory.NewClock(), new Dictionary<string, string?> { ["Security:Admin:Password"] = "" })
            .WithWebHostBuilder(b =>
            {
                b.ConfigureTestServices(s => s.AddSingleton(new FirstStartConsole { Out = console }));
                b.ConfigureLogging(l => l.SetMinimumLevel(LogLevel.Trace).AddProvider(new CapturingLoggerProvider(_logLines)));
            });
        _hosts.Add(host);
        _ = host.Server;
        return host;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var host in _hosts) await host.DisposeAsync();
    }

    [Fact]
    public async Task Should_print_a_one_time_password_once_that_must_be_replaced_at_the_first_sign_in()
    {
        var first = new StringWriter();
        var host = Start(first);
        var printed = first.ToString();
        printed.Should().Contain("/login").And.Contain("user name:          admin");
        var password = System.Text.RegularExpressions.Regex.Match(printed, @"one-time password:\s+(\S+)").Groups[1].Value;
        password.Should().NotBeEmpty();
        _logLines.Should().NotContain(l => l.Contains(password), "the password goes to the console only, never into a log");

        var browser = new Browser(host);
        var tooEarly = await browser.SignIn("admin", password);
        await tooEarly.ShouldBeProblem(HttpStatusCode.BadRequest, "newPassword");
        (await browser.Me())["signedIn"]!.GetValue<bool>().Should().BeFalse("a one-time password alone signs nobody in");

        (await browser.SignIn("admin", password, "Mijn-Eigen-Wachtw00rd")).StatusCode.Should().Be(HttpStatusCode.NoContent);
        var me = await browser.Me();
        me["signedIn"]!.GetValue<bool>().Should().BeTrue();
        me["roles"]!.AsArray().Select(r => (string)r!).Should().Equal("admin");
        (await new Browser(host).SignIn("admin", password)).StatusCode.Should().Be(HttpStatusCode.Unauthorized, "the one-time password is used up");

        // The newcomer's next step: an agent account and a team-lead account, each told once.
        var created = await browser.Send(HttpMethod.Post, "/api/accounts", new { userName = "anna", displayName = "Anna de Vries", roles = new[] { "agent" }, agentId = "anna" });
        created.StatusCode.Should().Be(HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var annaPassword = (await created.Json())["oneTimePassword"]!.GetValue<string>();
        (await (await browser.Send(HttpMethod.Get, "/api/accounts")).Content.ReadAsStringAsync()).Should().NotContain(annaPassword, "shown once, in the answer that made it");
        var anna = new Browser(host);
        (await anna.SignIn("anna", annaPassword, "Anna-Eigen-Wachtw00rd")).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await anna.Me())["agentId"]!.GetValue<string>().Should().Be("anna");

        var again = new StringWriter();
        Start(again);
        again.ToString().Should().BeEmpty("accounts exist now: nothing is printed again");
    }
}

public sealed class When_someone_signs_in : RouterSpec
{
    private async Task Account(string userName, params string[] roles) =>
        await StaffHandler.EnsureAccount(_router.Services, new Person(userName, roles, AgentId: roles.Contains("agent") ? userName : null, Centre: "sociaal"));

    [Fact]
    public async Task Should_refuse_a_wrong_password_and_an_unknown_user_alike_and_log_both()
    {
        await Account("tineke", StaffRoles.TeamLead);
        var browser = new Browser(_router);
        await (await browser.SignIn("tineke", "not-her-password")).ShouldBeProblem(HttpStatusCode.Unauthorized, "password");
        await (await browser.SignIn("nobody\nforged line", "whatever")).ShouldBeProblem(HttpStatusCode.Unauthorized, "password");
        // A name longer than any account's is no name at all: refused as such (and, like a wrong one, logged below).
        await (await browser.SignIn(new string('x', 10_000), "whatever")).ShouldBeProblem(HttpStatusCode.BadRequest, "userName");
        await (await browser.SignIn(new string('x', 256), "whatever")).ShouldBeProblem(HttpStatusCode.Unauthorized, "password");
        (await (await browser.Http.GetAsync("/api/centres")).Content.ReadAsStringAsync()).Should().NotContain("burgerzaken");

        var log = (await _router.As(Person.Admin).GetJson("/api/access-log")).AsArray();
        log.Should().Contain(e => (string)e!["who"]! == "tineke" && (string)e["action"]! == "sign-in-failed");
        log.Should().Contain(e => (string)e!["who"]! == "nobody\\u000aforged line" && (string)e["action"]! == "sign-in-failed",
            "a typed name is escaped in the log: it cannot forge a line");
        log.Should().Contain(e => ((string)e!["who"]!).StartsWith("xxxx") && ((string)e["who"]!).Length == 200, "and cut to 200 characters");

        (await browser.SignIn("tineke", TestSecrets.StaffPassword)).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await browser.Http.GetAsync("/api/centres")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await _router.As(Person.Admin).GetJson("/api/access-log?user=tineke")).AsArray()
            .Should().Contain(e => (string)e!["action"]! == "sign-in" && (string)e["role"]! == "teamlead");
    }

    [Fact]
    public async Task Should_keep_the_session_valid_in_every_API_process_on_the_same_store()
    {
        // A second API process of the same deployment (or this one restarted): another host on the same store.
        await using var other = new RouterFactory(_router.StorePath, _router.Time);
        var handler = new StaffHandler(_router.Services, Person.TeamLead());
        (await _router.CreateDefaultClient(handler).GetAsync("/api/centres")).StatusCode.Should().Be(HttpStatusCode.OK);
        var cookie = handler.CookiesOf(Person.TeamLead())!.GetCookieHeader(new Uri("http://localhost"));

        var there = new HttpRequestMessage(HttpMethod.Get, "/api/centres");
        there.Headers.Add("Cookie", cookie);
        (await other.Anonymous().SendAsync(there)).StatusCode.Should().Be(HttpStatusCode.OK, "the keys that seal the cookie are in the store");
        // Not a folder of this machine's user (the framework's default, which processes on other machines do not share).
        _router.NewDbContext().DataProtectionKeys.Count().Should().BeGreaterThan(0);
    }

    [Fact]
    public async Task Should_not_start_a_session_for_an_account_without_a_role()
    {
        await Account("roleless");
        var browser = new Browser(_router);
        var refused = await browser.SignIn("roleless", TestSecrets.StaffPassword);
        (await refused.ShouldBeProblem(HttpStatusCode.Forbidden, "userName"))["code"]!.GetValue<string>().Should().Be("no-role");
        (await browser.Me())["signedIn"]!.GetValue<bool>().Should().BeFalse();
        (await _router.As(Person.Admin).GetJson("/api/access-log?user=roleless")).AsArray()
            .Should().Contain(e => (string)e!["action"]! == "sign-in-failed" && (string)e["why"]! == "no role");
    }

    [Fact]
    public async Task Should_lock_the_account_after_five_wrong_passwords_even_for_the_right_one()
    {
        await Account("rob", StaffRoles.Reception);
        var browser = new Browser(_router);
        for (var i = 0; i < 4; i++) (await browser.SignIn("rob", $"wrong-{i}")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        var fifth = await browser.SignIn("rob", "wrong-5");
        (await fifth.ShouldBeProblem(HttpStatusCode.Forbidden, "userName"))["code"]!.GetValue<string>().Should().Be("locked-out");
        var right = await browser.SignIn("rob", TestSecrets.StaffPassword);
        (await right.ShouldBeProblem(HttpStatusCode.Forbidden, "userName"))["code"]!.GetValue<string>().Should().Be("locked-out");
        (await browser.Me())["signedIn"]!.GetValue<bool>().Should().BeFalse();

        // The administrator resets it: unlocked, with a one-time password.
        var reset = await _router.As(Person.Admin).PostAsync("/api/accounts/rob/password", null);
        reset.StatusCode.Should().Be(HttpStatusCode.OK);
        var oneTime = (await reset.Json())["oneTimePassword"]!.GetValue<string>();
        (await browser.SignIn("rob", oneTime, "Rob-Nieuw-Wachtw00rd")).StatusCode.Should().Be(HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task Should_end_the_session_at_sign_out_and_after_the_idle_timeout()
    {
        await Account("tineke", StaffRoles.TeamLead);
        var browser = new Browser(_router);
        (await browser.SignIn("tineke", TestSecrets.StaffPassword)).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await browser.Send(HttpMethod.Delete, "/api/session")).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await browser.Http.GetAsync("/api/centres")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);

        (await browser.SignIn("tineke", TestSecrets.StaffPassword)).StatusCode.Should().Be(HttpStatusCode.NoContent);
        _router.Time.Advance(TimeSpan.FromMinutes(20));
        (await browser.Http.GetAsync("/api/centres")).StatusCode.Should().Be(HttpStatusCode.OK, "20 minutes idle is within the timeout");
        _router.Time.Advance(TimeSpan.FromMinutes(31));
        (await browser.Http.GetAsync("/api/centres")).StatusCode.Should().Be(HttpStatusCode.Unauthorized, "31 minutes idle is past it");
        var page = await browser.Http.GetAsync("/teamlead");
        page.StatusCode.Should().Be(HttpStatusCode.Redirect, "a page sends you to sign in");
        page.Headers.Location!.ToString().Should().Contain("/login");
    }

    [Fact]
    public async Task Should_refuse_a_change_made_with_the_cookie_but_without_the_antiforgery_token()
    {
        (await _http.PutAgent("anna", "sociaal", new { sociaal = 5 })).EnsureSuccessStatusCode();
        await Account("anna", StaffRoles.Agent);
        var browser = new Browser(_router);
        (await browser.SignIn("anna", TestSecrets.StaffPassword)).StatusCode.Should().Be(HttpStatusCode.NoContent);

        var forged = await browser.Send(HttpMethod.Post, "/api/agents/anna/status", new { status = "available" }, withToken: false);
        await forged.ShouldBeProblem(HttpStatusCode.Forbidden, SecuritySetup.AntiforgeryHeader);
        (await _http.GetJson("/api/agents/anna"))["status"]!.GetValue<string>().Should().Be("offline", "nothing changed");

        (await browser.Send(HttpMethod.Post, "/api/agents/anna/status", new { status = "available" })).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Should_limit_sign_in_attempts_per_address()
    {
        await using var strict = new RouterFactory(RouterFactory.NewStorePath(), RouterFactory.NewClock(),
            new Dictionary<string, string?> { ["Security:SignInsPerMinute"] = "3" });
        var browser = new Browser(strict);
        for (var i = 0; i < 3; i++) (await browser.SignIn("someone", "wrong")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        var fourth = await browser.SignIn("someone", "wrong");
        fourth.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        fourth.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
    }

    [Fact]
    public async Task Should_put_the_security_headers_on_every_answer()
    {
        foreach (var path in new[] { "/login", "/api/me", "/css/console.css", "/api/centres" })
        {
            var answer = await _router.Anonymous().GetAsync(path);
            var csp = answer.Headers.GetValues("Content-Security-Policy").Single();
            csp.Should().Contain("script-src 'self'").And.Contain("frame-ancestors 'none'").And.NotContain("unsafe-inline", path);
            answer.Headers.GetValues("X-Content-Type-Options").Single().Should().Be("nosniff");
            answer.Headers.GetValues("X-Frame-Options").Single().Should().Be("DENY");
        }
    }

    [Fact]
    public async Task Should_cap_the_live_streams_one_user_keeps_open()
    {
        await using var strict = new RouterFactory(RouterFactory.NewStorePath(), RouterFactory.NewClock(),
            new Dictionary<string, string?> { ["Security:MaxStreamsPerUser"] = "2" });
        var lead = strict.As(Person.TeamLead());
        using var cancel = new CancellationTokenSource();
        var open = new List<HttpResponseMessage>();
        for (var i = 0; i < 2; i++)
        {
            var stream = await lead.GetAsync("/api/centres/stream", HttpCompletionOption.ResponseHeadersRead, cancel.Token);
            stream.StatusCode.Should().Be(HttpStatusCode.OK);
            open.Add(stream);
        }
        var third = await lead.GetAsync("/api/centres/stream", HttpCompletionOption.ResponseHeadersRead, cancel.Token);
        third.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        (await strict.As(Person.TeamLead("fysiek")).GetAsync("/api/centres/stream", HttpCompletionOption.ResponseHeadersRead, cancel.Token))
            .StatusCode.Should().Be(HttpStatusCode.OK, "the cap is per user");
        await cancel.CancelAsync();
        foreach (var stream in open) stream.Dispose();
    }
}

/// <summary>What each role may do with agents and customers, beyond the policy: whose agent, whose caller, which centre.</summary>
public sealed class When_staff_act_on_agents_and_customers : RouterSpec
{
    private const string Caller = "+31622223333";

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        (await _http.PutAgent("anna", "sociaal", new { sociaal = 5 })).EnsureSuccessStatusCode();
        (await _http.PutAgent("bram", "sociaal", new { sociaal = 5 })).EnsureSuccessStatusCode();
        (await _http.PutAgent("femke", "fysiek", new { fysiek = 5 })).EnsureSuccessStatusCode();
    }

    [Fact]
    public async Task Should_refuse_an_agent_acting_for_another_and_change_nothing()
    {
        var bram = _router.As(Person.Agent("bram"));
        await (await bram.PostAsJsonAsync("/api/agents/anna/status", new { status = "available" })).ShouldBeProblem(HttpStatusCode.Forbidden, "agentId");
        await (await bram.GetAsync("/api/agents/anna")).ShouldBeProblem(HttpStatusCode.Forbidden, "agentId");
        (await bram.GetAsync("/api/agents/anna/stream")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await _http.GetJson("/api/agents/anna"))["status"]!.GetValue<string>().Should().Be("offline");

        (await _http.SetStatus("anna", "available")).EnsureSuccessStatusCode();
        var contactId = await _http.Call("sociaal", Caller);
        await _http.AgentWhen("anna", a => (string?)a["offer"]?["contactId"] == contactId, "the offer");
        await (await bram.PostAsJsonAsync("/api/agents/anna/accept", new { contactId })).ShouldBeProblem(HttpStatusCode.Forbidden, "agentId");
        await (await bram.PostAsJsonAsync("/api/agents/bram/accept", new { contactId })).ShouldBeProblem(HttpStatusCode.Conflict, "contactId");
        (await _http.GetJson($"/api/contacts/{contactId}"))["status"]!.GetValue<string>().Should().Be("offered", "still ringing at Anna");
    }

    [Fact]
    public async Task Should_let_an_agent_see_a_customer_only_while_the_caller_rings_or_talks_with_them()
    {
        var anna = _router.As(Person.Agent("anna"));
        var path = $"/api/customers/{Uri.EscapeDataString(Caller)}";
        (await anna.GetAsync(path)).StatusCode.Should().Be(HttpStatusCode.Forbidden, "nobody calls yet");

        (await _http.SetStatus("anna", "available")).EnsureSuccessStatusCode();
        var contactId = await _http.Call("sociaal", Caller);
        await _http.AgentWhen("anna", a => (string?)a["offer"]?["contactId"] == contactId, "the offer");
        // The customer view is built from the centres' events: the caller is known to it a moment after queueing.
        var ringing = await Api.Eventually(() => anna.GetAsync(path), r => r.StatusCode != HttpStatusCode.NotFound, "the caller in the customer view");
        ringing.StatusCode.Should().Be(HttpStatusCode.OK, "it rings at Anna");
        (await _router.As(Person.Agent("bram")).GetAsync(path)).StatusCode.Should().Be(HttpStatusCode.Forbidden, "not at Bram");

        // A team lead sees Anna's state, not who calls her.
        var seen = await _router.As(Person.TeamLead()).GetJson("/api/agents/anna");
        seen["offer"]!["contactId"]!.GetValue<string>().Should().Be(contactId);
        seen["offer"]!["caller"].Should().BeNull();
        seen["offer"]!["customer"].Should().BeNull();

        (await anna.PostAsJsonAsync("/api/agents/anna/accept", new { contactId })).EnsureSuccessStatusCode();
        (await anna.PostAsJsonAsync($"/api/contacts/{contactId}/complete", new { outcome = "resolved" })).EnsureSuccessStatusCode();
        (await anna.GetAsync(path)).StatusCode.Should().Be(HttpStatusCode.Forbidden, "the call is over");

        var log = (await _http.GetJson($"/api/access-log?customer={Uri.EscapeDataString(Caller)}")).AsArray();
        log.Should().OnlyContain(e => (string)e!["who"]! == "anna" && (string)e["role"]! == "agent" && (string)e["why"]! == $"contact {contactId}");
    }

    [Fact]
    public async Task Should_let_a_team_lead_take_agents_of_their_own_centre_off_the_line_only()
    {
        (await _http.SetStatus("anna", "available")).EnsureSuccessStatusCode();
        (await _http.SetStatus("femke", "available")).EnsureSuccessStatusCode();
        var lead = _router.As(Person.TeamLead("sociaal"));
        (await lead.PostAsJsonAsync("/api/agents/anna/status", new { status = "break" })).StatusCode.Should().Be(HttpStatusCode.OK);
        (await _http.GetJson("/api/agents/anna"))["status"]!.GetValue<string>().Should().Be("break");
        await (await lead.PostAsJsonAsync("/api/agents/anna/status", new { status = "available" })).ShouldBeProblem(HttpStatusCode.Forbidden, "status");
        await (await lead.PostAsJsonAsync("/api/agents/femke/status", new { status = "offline" })).ShouldBeProblem(HttpStatusCode.Forbidden, "agentId");
        (await _http.GetJson("/api/agents/femke"))["status"]!.GetValue<string>().Should().Be("available", "another centre's agent is untouched");

        // Without a reason, no customer view for a team lead either.
        await (await lead.GetAsync($"/api/customers/{Uri.EscapeDataString(Caller)}")).ShouldBeProblem(HttpStatusCode.BadRequest, "reason");
    }

    [Fact]
    public async Task Should_link_one_agent_to_one_account_and_log_role_changes()
    {
        var admin = _router.As(Person.Admin);
        (await admin.PostAsJsonAsync("/api/accounts", new { userName = "anna.devries", roles = new[] { "agent" }, agentId = "anna" }))
            .StatusCode.Should().Be(HttpStatusCode.Created);
        await (await admin.PostAsJsonAsync("/api/accounts", new { userName = "anna2", roles = new[] { "agent" }, agentId = "anna" }))
            .ShouldBeProblem(HttpStatusCode.Conflict, "agentId");
        await (await admin.PostAsJsonAsync("/api/accounts", new { userName = "lead", roles = new[] { "teamlead" } }))
            .ShouldBeProblem(HttpStatusCode.BadRequest, "centre");
        await (await admin.PostAsJsonAsync("/api/accounts", new { userName = "x", roles = new[] { "root" } })).ShouldBeProblem(HttpStatusCode.BadRequest, "roles");

        (await admin.PutAsJsonAsync("/api/accounts/anna.devries", new { roles = new[] { "agent", "reception" }, agentId = "anna" }))
            .StatusCode.Should().Be(HttpStatusCode.OK);
        (await admin.GetJson("/api/access-log?user=admin")).AsArray()
            .Should().Contain(e => (string)e!["action"]! == "roles-changed" && (string)e["why"]! == "anna.devries: agent -> agent,reception");
    }
}
