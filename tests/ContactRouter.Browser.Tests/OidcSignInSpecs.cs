using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace ContactRouter.Browser.Tests.Oidc;

/// <summary>
/// Signing in with the municipality's identity provider, end to end: the sign-in page's button, the real provider's
/// own login form (tests/oidc-provider), back into the console with the roles, agent id and name the provider
/// says. Each test is a fresh browser, so the provider has no session of an earlier test to reuse.
/// </summary>
public sealed class When_staff_sign_in_with_the_identity_provider(OidcConsoleHost oidc) : IClassFixture<OidcConsoleHost>
{
    private ConsoleHost Host => oidc.Host;

    private Regex SignInPageFor(string path) =>
        new($"^{Regex.Escape(new Uri(Host.BaseAddress, "/login").ToString())}\\?ReturnUrl={Regex.Escape(Uri.EscapeDataString(path))}$");

    /// <summary>From the sign-in page through the provider's login form, with the provider's test user.</summary>
    private static async Task SignInAtTheProvider(IPage page, string login, string password)
    {
        await page.GetByRole(AriaRole.Link, new() { Name = $"Inloggen met {OidcConsoleHost.DisplayName}" }).ClickAsync();
        await page.GetByLabel("Username").FillAsync(login);
        await page.GetByLabel("Password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
    }

    private async Task<List<JsonNode>> AccessLogOf(string user) =>
        (await Host.Json(await Host.Api.GetAsync($"/api/access-log?user={Uri.EscapeDataString(user)}"))).AsArray().Select(e => e!).ToList();

    [Fact]
    public async Task Should_bring_a_team_lead_through_the_providers_login_to_the_dashboard_and_sign_out_again()
    {
        await using var console = await Host.Open("/teamlead", "oidc-teamlead");
        var page = console.Page;
        await Expect(page).ToHaveURLAsync(SignInPageFor("/teamlead"));
        var provider = page.GetByRole(AriaRole.Link, new() { Name = "Inloggen met Testgemeente" });
        await Expect(provider).ToBeVisibleAsync();
        await provider.ClickAsync();

        // The provider's own form, on the provider's address.
        await Expect(page).ToHaveURLAsync(new Regex($"^{Regex.Escape(oidc.Provider.Authority)}/interaction/"));
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Sign in" })).ToBeVisibleAsync();
        await page.GetByLabel("Username").FillAsync("tl.jansen");
        await page.GetByLabel("Password").FillAsync("Not-Her-Passw0rd!");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("Invalid username or password.");
        await Expect(page).ToHaveURLAsync(new Regex($"^{Regex.Escape(oidc.Provider.Authority)}/"));

        await page.GetByLabel("Password").FillAsync("Teamlead-Passw0rd!");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        // Back where she was going, as the provider's user with the provider's role.
        await Expect(page).ToHaveURLAsync(new Uri(Host.BaseAddress, "/teamlead").ToString());
        await Expect(page.Locator("#signed-in")).ToHaveTextAsync("Tineke Jansen (teamleider)");
        await Expect(page.Locator(".tile")).ToHaveCountAsync(4);
        await Expect(page.Locator("article[data-centre='sociaal'] h2")).ToHaveTextAsync("Sociaal Domein");
        await console.Snapshot("oidc-teamlead-dashboard");

        var signIns = (await AccessLogOf("tl.jansen")).Where(e => (string?)e["action"] == "sign-in").ToList();
        signIns.Should().ContainSingle("one sign-in through the provider").Which["role"]!.GetValue<string>().Should().Be("teamlead");
        signIns[0]["why"]!.GetValue<string>().Should().Be("identity provider");

        // Signing out ends the provider's session too: its button asks for the password again instead of signing
        // the next person at this desk straight back in as her.
        await page.GetByRole(AriaRole.Button, new() { Name = "Uitloggen" }).ClickAsync();
        await Expect(page.Locator("#signin-notice")).ToHaveTextAsync("U bent uitgelogd.");
        (await AccessLogOf("tl.jansen")).Should().Contain(e => (string?)e["action"] == "sign-out");
        await page.GetByRole(AriaRole.Link, new() { Name = $"Inloggen met {OidcConsoleHost.DisplayName}" }).ClickAsync();
        await Expect(page.GetByLabel("Username")).ToBeVisibleAsync();
        await Expect(page).ToHaveURLAsync(new Regex($"^{Regex.Escape(oidc.Provider.Authority)}/interaction/"));

        await page.GotoAsync("/teamlead");
        await Expect(page).ToHaveURLAsync(SignInPageFor("/teamlead"));
        await Expect(page.Locator("#signed-in")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Should_give_an_agent_her_own_desk_from_the_providers_agent_id()
    {
        await Host.PutAgent("anna", "Anna de Vries", "sociaal", new { sociaal = 5 });
        await using var console = await Host.Open("/agent", "oidc-agent");
        var page = console.Page;
        await Expect(page).ToHaveURLAsync(SignInPageFor("/agent"));

        await SignInAtTheProvider(page, "anna", "Agent-Passw0rd!");

        await Expect(page).ToHaveURLAsync(new Uri(Host.BaseAddress, "/agent").ToString());
        await Expect(page.Locator("#signed-in")).ToHaveTextAsync("Anna de Vries (medewerker)");
        await Expect(page.Locator("#agent-name")).ToHaveTextAsync("Anna de Vries");
        await Expect(page.Locator("#connection")).ToHaveTextAsync("Live");
        (await AccessLogOf("anna")).Should().Contain(e => (string?)e["action"] == "sign-in" && (string?)e["role"] == "agent");
    }

    [Fact]
    public async Task Should_keep_a_provider_user_without_a_known_role_out_and_say_why()
    {
        await using var console = await Host.Open("/teamlead", "oidc-no-role");
        var page = console.Page;
        await Expect(page).ToHaveURLAsync(SignInPageFor("/teamlead"));

        // The provider knows her, but gives her none of the app's roles: no session, and the sign-in page says why.
        await SignInAtTheProvider(page, "nobody", "Nobody-Passw0rd!");
        await Expect(page).ToHaveURLAsync(new Regex(@"/login\?error=no-role$"));
        await Expect(page.Locator("#signin-problem")).ToHaveTextAsync("Uw account heeft geen rol in ContactRouter. Vraag de beheerder om een rol.");
        await page.GotoAsync("/teamlead");
        await Expect(page).ToHaveURLAsync(SignInPageFor("/teamlead"));

        (await AccessLogOf("nobody")).Should().Contain(e => (string?)e["action"] == "sign-in-failed" && (string?)e["why"] == "identity provider: no role")
            .And.NotContain(e => (string?)e["action"] == "sign-in");
    }

    [Fact]
    public async Task Should_send_an_answer_the_app_cannot_match_to_its_own_sign_in_back_to_the_sign_in_page_with_a_reason()
    {
        await using var console = await Host.Open("/reception", "oidc-failed");
        var page = console.Page;
        await page.GetByRole(AriaRole.Link, new() { Name = $"Inloggen met {OidcConsoleHost.DisplayName}" }).ClickAsync();
        await Expect(page.GetByLabel("Username")).ToBeVisibleAsync();
        // The app's proof that it started this sign-in is gone (a browser that dropped it, or an answer someone else started).
        await page.Context.ClearCookiesAsync(new() { NameRegex = new Regex(@"^\.AspNetCore\.Correlation\.") });
        await page.GetByLabel("Username").FillAsync("rc.bakker");
        await page.GetByLabel("Password").FillAsync("Receptie-Passw0rd!");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        await Expect(page).ToHaveURLAsync(new Uri(Host.BaseAddress, "/login?error=provider").ToString());
        await Expect(page.Locator("#signin-problem")).ToHaveTextAsync("Inloggen via het gemeente-account is niet gelukt. Probeer het opnieuw.");
        await page.GotoAsync("/reception");
        await Expect(page).ToHaveURLAsync(SignInPageFor("/reception"));
        (await AccessLogOf("rc.bakker")).Should().NotContain(e => (string?)e["action"] == "sign-in");
    }
}
