using System.Net.Http.Json;
using ContactRouter.Tests;

namespace ContactRouter.Browser.Tests;

/// <summary>
/// A built-in account in the browser: the administrator makes it with a one-time password; a wrong password is said in
/// Dutch; the first sign-in chooses a new password and lands where the user was going; sign-out ends the session;
/// five wrong passwords lock the account.
/// </summary>
public sealed class When_staff_sign_in_with_a_built_in_account(ConsoleHost host) : IClassFixture<ConsoleHost>
{
    [Fact]
    public async Task Should_sign_in_with_the_one_time_password_choose_a_new_one_and_sign_out()
    {
        await host.PutAgent("eva", "Eva Bos", "sociaal", new { sociaal = 5 });
        var created = await host.Json(await host.Api.PostAsJsonAsync("/api/accounts",
            new { userName = "eva.bos", displayName = "Eva Bos", roles = new[] { "agent" }, agentId = "eva" }));
        var oneTime = created["oneTimePassword"]!.GetValue<string>();

        await using var console = await host.Open("/agent", nameof(When_staff_sign_in_with_a_built_in_account));
        var page = console.Page;
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/login\\?ReturnUrl=%2Fagent"));
        await Expect(page.Locator("h1")).ToHaveTextAsync("Inloggen");
        await Expect(page.Locator("#provider")).ToBeHiddenAsync(); // no identity provider is configured

        await page.GetByLabel("Gebruikersnaam").FillAsync("eva.bos");
        await page.GetByLabel("Wachtwoord", new() { Exact = true }).FillAsync("niet-mijn-wachtwoord");
        await page.GetByRole(AriaRole.Button, new() { Name = "Inloggen" }).ClickAsync();
        await Expect(page.Locator("#signin-problem")).ToHaveTextAsync("Gebruikersnaam of wachtwoord klopt niet.");

        await page.GetByLabel("Wachtwoord", new() { Exact = true }).FillAsync(oneTime);
        await page.GetByRole(AriaRole.Button, new() { Name = "Inloggen" }).ClickAsync();
        await Expect(page.GetByLabel("Nieuw wachtwoord", new() { Exact = true })).ToBeVisibleAsync();
        await Expect(page.GetByLabel("Nieuw wachtwoord", new() { Exact = true })).ToBeFocusedAsync();
        await page.GetByLabel("Nieuw wachtwoord", new() { Exact = true }).FillAsync("Eva-Eigen-Wachtw00rd");
        await page.GetByLabel("Nieuw wachtwoord nog eens").FillAsync("Eva-Eigen-Wachtw00rd");
        await console.Snapshot("sign-in");
        await page.GetByRole(AriaRole.Button, new() { Name = "Inloggen" }).ClickAsync();

        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/agent$"));
        await Expect(page.Locator("#signed-in")).ToHaveTextAsync("Eva Bos (medewerker)");
        await Expect(page.Locator("#agent-name")).ToHaveTextAsync("Eva Bos");

        await page.GetByRole(AriaRole.Button, new() { Name = "Uitloggen" }).ClickAsync();
        await Expect(page.Locator("#signin-notice")).ToHaveTextAsync("U bent uitgelogd.");
        await page.GotoAsync("/agent");
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/login"));
    }

    [Fact]
    public async Task Should_say_signed_out_even_when_a_call_meets_the_ended_session_first()
    {
        await using var console = await host.Open("/teamlead", nameof(Should_say_signed_out_even_when_a_call_meets_the_ended_session_first), Person.TeamLead());
        var page = console.Page;
        await Expect(page.Locator(".tile")).ToHaveCountAsync(4);

        // The sign-in page is held back until the dashboard, still running, has met the ended session (a 401): that
        // answer must not send the browser elsewhere than to "signed out".
        var signedOutPage = new System.Text.RegularExpressions.Regex(@"/login\?signedOut$");
        var held = new TaskCompletionSource();
        await page.RouteAsync(signedOutPage, async route =>
        {
            await held.Task;
            await route.ContinueAsync();
        });
        try
        {
            var leaving = page.WaitForRequestAsync(signedOutPage);
            // A click event, not ClickAsync: this spec holds the navigation the click starts back itself, and ClickAsync
            // waits for a navigation scheduled within the click (it was, under load in CI), so it waited for ever.
            var signOut = page.GetByRole(AriaRole.Button, new() { Name = "Uitloggen" });
            await Expect(signOut).ToBeEnabledAsync();
            await signOut.DispatchEventAsync("click");
            await leaving;
            // A new caller changes the tiles, so the dashboard reloads its chart: without a session now.
            var refused = page.WaitForResponseAsync(r => r.Url.Contains("/api/centres/history") && r.Status == 401);
            await host.Call("sociaal", "+31611000077");
            await refused;
        }
        finally
        {
            held.TrySetResult();
        }
        await Expect(page.Locator("#signin-notice")).ToHaveTextAsync("U bent uitgelogd.");
    }

    [Fact]
    public async Task Should_tell_a_user_whose_role_a_console_is_not_for_so()
    {
        await using var console = await host.Open("/admin", nameof(Should_tell_a_user_whose_role_a_console_is_not_for_so), Person.Reception);
        var page = console.Page;
        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync(
            "Deze console is voor de rol beheerder; die heeft uw account niet. Vraag de beheerder erom.");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Beheer" })).ToHaveCountAsync(0);
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Receptie" })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task Should_say_the_account_is_locked_after_five_wrong_passwords()
    {
        await host.Json(await host.Api.PostAsJsonAsync("/api/accounts", new { userName = "rob.receptie", roles = new[] { "reception" } }));
        await using var console = await host.Open("/login", nameof(Should_say_the_account_is_locked_after_five_wrong_passwords));
        var page = console.Page;
        await page.GetByLabel("Gebruikersnaam").FillAsync("rob.receptie");
        for (var i = 1; i <= 4; i++)
        {
            await page.GetByLabel("Wachtwoord", new() { Exact = true }).FillAsync($"fout-{i}");
            await page.GetByRole(AriaRole.Button, new() { Name = "Inloggen" }).ClickAsync();
            await Expect(page.Locator("#signin-problem")).ToHaveTextAsync("Gebruikersnaam of wachtwoord klopt niet.");
            // The next attempt must be seen as a new answer, not the same text left standing.
            await page.EvaluateAsync("document.querySelector('#signin-problem').textContent = ''");
        }
        await page.GetByLabel("Wachtwoord", new() { Exact = true }).FillAsync("fout-5");
        await page.GetByRole(AriaRole.Button, new() { Name = "Inloggen" }).ClickAsync();
        await Expect(page.Locator("#signin-problem")).ToContainTextAsync("tijdelijk geblokkeerd");
    }
}
