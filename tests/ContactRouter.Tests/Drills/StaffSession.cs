using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ContactRouter.Web;

namespace ContactRouter.Tests.Drills;

/// <summary>
/// A member of staff signed in to a real host over HTTP as the consoles do it: the session cookie from
/// <c>POST /api/session</c>, and on every change the <c>X-CSRF-TOKEN</c> header with the token <c>GET /api/me</c> gives
/// the signed-in user. The data-protection keys live in the store, so the session outlives a restarted host.
/// </summary>
public sealed class StaffSession : IDisposable
{
    private readonly HttpClient _http;
    private string _antiforgery = "";

    private StaffSession(Uri api)
    {
        _http = new HttpClient(Drill.Handler(new CookieContainer())) { BaseAddress = api, Timeout = Drill.ClientTimeout };
    }

    public string UserName { get; private init; } = "";

    /// <summary>Signs in; a one-time password is replaced by <paramref name="newPassword"/> in the same step, as the sign-in page does.</summary>
    public static async Task<StaffSession> SignIn(Uri api, string userName, string password, string? newPassword = null)
    {
        var session = new StaffSession(api) { UserName = userName };
        await session.RefreshToken();
        var answer = await session.Send(HttpMethod.Post, "/api/session", new { userName, password, newPassword });
        if (answer.StatusCode != HttpStatusCode.NoContent)
            throw new InvalidOperationException($"Signing in {userName} answered {(int)answer.StatusCode}: {await answer.Content.ReadAsStringAsync()}");
        // The token belongs to the signed-in user: fetch it again after signing in.
        await session.RefreshToken();
        return session;
    }

    public Task<HttpResponseMessage> Get(string path, CancellationToken ct = default) => _http.GetAsync(path, ct);

    /// <summary>A stream (server-sent events): the answer as soon as its headers came, its body read as it arrives.</summary>
    public Task<HttpResponseMessage> Open(string path, CancellationToken ct = default) => _http.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, ct);

    public Task<HttpResponseMessage> Post(string path, object body, CancellationToken ct = default) => Send(HttpMethod.Post, path, body, ct);

    public Task<HttpResponseMessage> Put(string path, object body, CancellationToken ct = default) => Send(HttpMethod.Put, path, body, ct);

    private async Task<HttpResponseMessage> Send(HttpMethod method, string path, object body, CancellationToken ct = default)
    {
        var request = new HttpRequestMessage(method, path) { Content = JsonContent.Create(body) };
        request.Headers.Add(SecuritySetup.AntiforgeryHeader, _antiforgery);
        return await _http.SendAsync(request, ct);
    }

    private async Task RefreshToken()
    {
        using var me = await _http.GetAsync("/api/me");
        me.EnsureSuccessStatusCode();
        _antiforgery = JsonNode.Parse(await me.Content.ReadAsStringAsync())!["antiforgeryToken"]!.GetValue<string>();
    }

    public void Dispose() => _http.Dispose();
}

/// <summary>The telephone exchange: a machine client with its API key as bearer token.</summary>
public static class Exchange
{
    public static HttpClient Client(Uri api, string key)
    {
        var http = new HttpClient(Drill.Handler(null)) { BaseAddress = api, Timeout = Drill.ClientTimeout };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return http;
    }
}
