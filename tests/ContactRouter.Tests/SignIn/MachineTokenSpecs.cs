using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.Extensions.Time.Testing;

namespace ContactRouter.Tests.SignIn.MachineTokens;

/// <summary>
/// The telephone exchange signs in with the municipality's identity provider instead of an API key: a
/// client-credentials JWT from the real test provider (tests/oidc-provider), checked by the host against the
/// provider's published keys. The token's scopes are what it may do, nothing more; a token changed in transit is
/// nobody's.
/// </summary>
public sealed class When_the_exchange_brings_a_token_from_the_identity_provider : IAsyncLifetime
{
    private OidcProvider _provider = null!;
    private RouterFactory _router = null!;

    public async Task InitializeAsync()
    {
        // The web client needs a redirect URI to be registered; the in-memory host never follows it.
        _provider = await OidcProvider.Start(new Uri("http://localhost/"));
        // A virtual clock at the wall clock's time: the token's lifetime is checked against the time it was issued at.
        _router = new RouterFactory(RouterFactory.NewStorePath(), new FakeTimeProvider(TimeProvider.System.GetUtcNow()), new Dictionary<string, string?>
        {
            ["Security:Oidc:Authority"] = _provider.Authority,
            ["Security:Oidc:ClientId"] = OidcProvider.WebClient,
            ["Security:Oidc:ApiAudience"] = OidcProvider.ApiAudience,
        });
    }

    public async Task DisposeAsync()
    {
        await _router.DisposeAsync();
        await _provider.DisposeAsync();
    }

    private HttpClient WithToken(string token)
    {
        var http = _router.Anonymous();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    private static object ACaller => new { centre = "sociaal", channel = "phone", caller = "+31612340001" };

    [Fact]
    public async Task Should_queue_and_abandon_a_caller_and_nothing_else()
    {
        var token = await _provider.ClientCredentialsToken();
        token.Split('.').Should().HaveCount(3, "the provider issues JWT access tokens for the API's audience");
        var exchange = WithToken(token);

        var queued = await exchange.PostAsJsonAsync("/api/contacts", ACaller);
        queued.StatusCode.Should().Be(HttpStatusCode.Accepted, await queued.Content.ReadAsStringAsync() + _provider.Log);
        var contactId = (await queued.Json())["contactId"]!.GetValue<string>();
        await _router.StaffClient().ContactWhen(contactId, "queued");

        var abandoned = await exchange.PostAsync($"/api/contacts/{contactId}/abandon", null);
        abandoned.StatusCode.Should().Be(HttpStatusCode.OK, await abandoned.Content.ReadAsStringAsync());
        (await abandoned.Json())["status"]!.GetValue<string>().Should().Be("abandoned");

        // The centres' figures are for team leads; the token's scopes do not cover them.
        (await exchange.GetAsync("/api/centres")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        // A machine is nobody's session.
        (await exchange.GetJson("/api/me"))["signedIn"]!.GetValue<bool>().Should().BeFalse();
    }

    [Fact]
    public async Task Should_allow_only_the_scopes_the_token_carries()
    {
        var exchange = WithToken(await _provider.ClientCredentialsToken(scope: "contacts:queue"));

        var queued = await exchange.PostAsJsonAsync("/api/contacts", ACaller);
        queued.StatusCode.Should().Be(HttpStatusCode.Accepted, await queued.Content.ReadAsStringAsync());
        var contactId = (await queued.Json())["contactId"]!.GetValue<string>();
        await _router.StaffClient().ContactWhen(contactId, "queued");

        (await exchange.PostAsync($"/api/contacts/{contactId}/abandon", null)).StatusCode.Should().Be(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Should_refuse_a_token_with_one_character_changed()
    {
        var token = await _provider.ClientCredentialsToken();
        // One character in the middle of the signature (not its last one, whose low bits are padding).
        var signature = token.LastIndexOf('.') + 1;
        var at = signature + (token.Length - signature) / 2;
        var changed = token[..at] + (token[at] == 'A' ? 'B' : 'A') + token[(at + 1)..];

        var refused = await WithToken(changed).PostAsJsonAsync("/api/contacts", ACaller);
        refused.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        refused.Headers.WwwAuthenticate.ToString().Should().Contain("invalid_token");

        // The same request with the token as issued gets in.
        (await WithToken(token).PostAsJsonAsync("/api/contacts", ACaller)).StatusCode.Should().Be(HttpStatusCode.Accepted);
    }
}
