using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ContactRouter.Web;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace ContactRouter.Tests.SignIn;

/// <summary>
/// A team lead's real session works; a forged, tampered or expired one, or credentials of a kind the API does not take,
/// are a 401 problem answer — for a read (GET /api/centres) and for a change (POST /api/agents/{id}/status).
/// </summary>
public sealed class When_credentials_are_forged_or_expired : RouterSpec
{
    private static readonly Person Lead = Person.TeamLead("sociaal");
    private static readonly string SessionCookie = SecuritySetup.CookieName(IdentityConstants.ApplicationScheme);

    /// <summary>The team lead's cookies (session and antiforgery) as a Cookie header, and the antiforgery token for a change.</summary>
    private sealed record Session(CookieCollection Cookies, string Antiforgery)
    {
        public string Header(string? sessionValue = null) =>
            string.Join("; ", Cookies.Select(c => $"{c.Name}={(c.Name == SessionCookie && sessionValue is not null ? sessionValue : c.Value)}"));

        public string Value => Cookies.Single(c => c.Name == SessionCookie).Value;
    }

    [Theory]
    [InlineData("garbage session cookie")]
    [InlineData("random session cookie")]
    [InlineData("tampered session cookie")]
    [InlineData("session cookie in chunks that are not there")]
    [InlineData("bearer random key")]
    [InlineData("bearer key one character off")]
    [InlineData("basic with the team lead's real password")]
    public async Task Should_answer_401_to_a_forged_credential(string forgery)
    {
        var session = await SignIn();
        // The real session gets in (so the 401s below are the forgery's doing): it reads, and its change reaches the endpoint (no such agent).
        (await Read(session.Header())).StatusCode.Should().Be(HttpStatusCode.OK);
        await (await Change(session.Header(), session.Antiforgery)).ShouldBeProblem(HttpStatusCode.NotFound, "agentId");

        var (cookie, authorization) = forgery switch
        {
            "garbage session cookie" => (session.Header("garbage"), (string?)null),
            "random session cookie" => (session.Header(Convert.ToBase64String(RandomBytes(400)).TrimEnd('=').Replace('+', '-').Replace('/', '_')), null),
            "tampered session cookie" => (session.Header(Tampered(session.Value)), null),
            "session cookie in chunks that are not there" => (session.Header("chunks-2147483647"), null),
            "bearer random key" => ((string?)null, "Bearer crk_" + Convert.ToHexString(RandomBytes(32))),
            "bearer key one character off" => (null, "Bearer " + TestSecrets.ExchangeKey[..^1] + (TestSecrets.ExchangeKey[^1] == 'z' ? 'y' : 'z')),
            "basic with the team lead's real password" =>
                (null, "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Lead.UserName}:{StaffHandler.PasswordOf(Lead)}"))),
            _ => throw new ArgumentOutOfRangeException(nameof(forgery)),
        };

        foreach (var response in new[] { await Read(cookie, authorization), await Change(cookie, session.Antiforgery, authorization) })
        {
            await ShouldBeUnauthorized(response);
            // A machine client is told which scheme to use.
            if (authorization is not null) response.Headers.WwwAuthenticate.Select(h => h.Scheme).Should().Contain("Bearer");
        }
    }

    [Fact]
    public async Task Should_answer_401_to_a_real_session_cookie_once_it_was_idle_too_long()
    {
        var session = await SignIn();
        var idle = _router.Services.GetRequiredService<IOptions<SecurityOptions>>().Value.IdleTimeout;

        // Just within the idle timeout the cookie still works: the clock alone is not what ends it.
        _router.Time.Advance(idle - TimeSpan.FromMinutes(1));
        (await Read(session.Header())).StatusCode.Should().Be(HttpStatusCode.OK);
        // Past it (counted from when this cookie was issued; the answer above may have issued a fresh one, not used here).
        _router.Time.Advance(TimeSpan.FromMinutes(2));

        await ShouldBeUnauthorized(await Read(session.Header()));
        await ShouldBeUnauthorized(await Change(session.Header(), session.Antiforgery));
    }

    private async Task<Session> SignIn()
    {
        var handler = new StaffHandler(_router.Services, Lead);
        (await _router.CreateDefaultClient(handler).GetAsync("/api/me")).EnsureSuccessStatusCode();
        var cookies = handler.CookiesOf(Lead)!.GetCookies(_router.Server.BaseAddress);
        cookies.Select(c => c.Name).Should().Contain(SessionCookie);
        var me = new HttpRequestMessage(HttpMethod.Get, "/api/me");
        me.Headers.Add("Cookie", string.Join("; ", cookies.Select(c => $"{c.Name}={c.Value}")));
        var token = (await (await _router.Anonymous().SendAsync(me)).Json())["antiforgeryToken"]!.GetValue<string>();
        return new Session(cookies, token);
    }

    private Task<HttpResponseMessage> Read(string? cookie, string? authorization = null) =>
        Send(new HttpRequestMessage(HttpMethod.Get, "/api/centres"), cookie, authorization);

    private Task<HttpResponseMessage> Change(string? cookie, string antiforgery, string? authorization = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/agents/nobody/status") { Content = JsonContent.Create(new { status = "break" }) };
        request.Headers.Add(SecuritySetup.AntiforgeryHeader, antiforgery);
        return Send(request, cookie, authorization);
    }

    private Task<HttpResponseMessage> Send(HttpRequestMessage request, string? cookie, string? authorization)
    {
        if (cookie is not null) request.Headers.Add("Cookie", cookie);
        if (authorization is not null) request.Headers.TryAddWithoutValidation("Authorization", authorization);
        return _router.Anonymous().SendAsync(request);
    }

    private static async Task ShouldBeUnauthorized(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized, text);
        response.Content.Headers.ContentType?.MediaType.Should().Be("application/problem+json", text);
        JsonNode.Parse(text)!["status"]!.GetValue<int>().Should().Be(401, text);
    }

    /// <summary>One character in the middle changed (every bit of a middle base64url character counts).</summary>
    private static string Tampered(string value)
    {
        var i = value.Length / 2;
        return value[..i] + (value[i] == 'A' ? 'B' : 'A') + value[(i + 1)..];
    }

    private static byte[] RandomBytes(int count) => System.Security.Cryptography.RandomNumberGenerator.GetBytes(count);
}

/// <summary>
/// A body over the limit (64 KiB) is refused with 413 naming the body, whether it declares its length or comes in
/// chunks, and nothing of it is acted on: a call that would otherwise be valid is not queued.
/// </summary>
public sealed class When_a_body_is_too_large(ITestOutputHelper output) : RouterSpec
{
    [Fact]
    public async Task Should_refuse_a_declared_length_over_the_limit_with_413_and_change_nothing()
    {
        var limit = _router.Services.GetRequiredService<IOptions<SecurityOptions>>().Value.MaxRequestBodyBytes;
        var exchange = _router.As(Person.Exchange);

        // By machine key and by session cookie (whose antiforgery check runs before the body is read).
        await (await exchange.PostAsync("/api/contacts", Big.Call(limit))).ShouldBeProblem(HttpStatusCode.RequestEntityTooLarge, "body");
        await (await _router.As(Person.Admin).PutAsync("/api/agents/anna", Big.Json(limit, "name", new { centre = "sociaal", skills = new { sociaal = 3 } })))
            .ShouldBeProblem(HttpStatusCode.RequestEntityTooLarge, "body");
        await (await _router.As(Person.Reception).PostAsync("/api/callbacks", Big.Json(limit, "question", new { centre = "sociaal", caller = "+31612345678" })))
            .ShouldBeProblem(HttpStatusCode.RequestEntityTooLarge, "body");

        await Big.NothingChanged(_router, _router.As(Person.TeamLead()), exchange);
    }

    [Fact]
    public async Task Should_refuse_a_chunked_body_over_the_limit_with_413_and_queue_nothing()
    {
        // On real Kestrel: a chunked body declares no length the app could refuse up front, so Kestrel's limit refuses it
        // while it is read — and the in-memory test server has no such limit (there it is read whole and queued: 202).
        await using var host = new RouterFactory(RouterFactory.NewStorePath(), RouterFactory.NewClock());
        host.UseKestrel(0);
        host.StartServer();
        var limit = host.Services.GetRequiredService<IOptions<SecurityOptions>>().Value.MaxRequestBodyBytes;
        var exchange = host.As(Person.Exchange);
        var admin = host.As(Person.Admin);

        var streamed = new HttpRequestMessage(HttpMethod.Post, "/api/contacts") { Content = Big.Streamed(Big.Call(limit)) };
        var flagged = new HttpRequestMessage(HttpMethod.Post, "/api/contacts") { Content = Big.Call(limit) };
        flagged.Headers.TransferEncodingChunked = true;
        var byCookie = new HttpRequestMessage(HttpMethod.Put, "/api/agents/anna")
        {
            Content = Big.Streamed(Big.Json(limit, "name", new { centre = "sociaal", skills = new { sociaal = 3 } })),
        };

        foreach (var (client, request) in new[] { (exchange, streamed), (exchange, flagged), (admin, byCookie) })
        {
            (request.Headers.TransferEncodingChunked == true || request.Content!.Headers.ContentLength is null).Should().BeTrue("the body goes chunked, with no length up front");
            var response = await client.SendAsync(request);
            var problem = await response.ShouldBeProblem(HttpStatusCode.RequestEntityTooLarge, "body");
            output.WriteLine($"{request.Method} {request.RequestUri!.AbsolutePath} chunked on Kestrel: {(int)response.StatusCode} {problem["detail"]}");
        }

        await Big.NothingChanged(host, host.As(Person.TeamLead()), exchange);
    }
}

/// <summary>Bodies over the limit that would be valid under it, and the check that none of them was acted on.</summary>
file static class Big
{
    /// <summary>A call that is valid but for its size: a topic far over its own limit too, which is never read (the size is refused first).</summary>
    public static HttpContent Call(long limit) => Json(limit, "topic", new { centre = "sociaal", channel = "phone", caller = "+31612345678" });

    /// <summary>The fields of <paramref name="fine"/>, and <paramref name="field"/> long enough to take the body 10 KB over <paramref name="limit"/>.</summary>
    public static HttpContent Json(long limit, string field, object fine)
    {
        var node = JsonSerializer.SerializeToNode(fine, JsonSerializerOptions.Web)!.AsObject();
        node[field] = new string('x', (int)limit + 10_000);
        return new ByteArrayContent(Encoding.UTF8.GetBytes(node.ToJsonString())) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } };
    }

    /// <summary>The same bytes with no length known up front, so the client sends them chunked.</summary>
    public static HttpContent Streamed(HttpContent content)
    {
        var bytes = content.ReadAsByteArrayAsync().GetAwaiter().GetResult();
        var streamed = new StreamContent(new UnknownLength(bytes));
        streamed.Headers.ContentType = content.Headers.ContentType;
        return streamed;
    }

    /// <summary>Nothing queued, no agent, no callback; and a valid call behind them is queued and seen, so a queued oversized one would have been too.</summary>
    public static async Task NothingChanged(RouterFactory host, HttpClient teamLead, HttpClient exchange)
    {
        (await teamLead.GetJson("/api/centres")).AsArray().Select(c => c!["waiting"]!.GetValue<int>()).Should().OnlyContain(w => w == 0);
        using (var db = host.NewDbContext())
        {
            db.Contacts.Count().Should().Be(0);
            db.Agents.Count().Should().Be(0);
            db.Callbacks.Count().Should().Be(0);
        }

        var contactId = await exchange.Call("sociaal");
        await teamLead.ContactWhen(contactId, "queued");
        (await teamLead.GetJson("/api/centres")).AsArray().Sum(c => c!["waiting"]!.GetValue<int>()).Should().Be(1);
        host.NewDbContext().Contacts.Count().Should().Be(1);
    }

    private sealed class UnknownLength(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
