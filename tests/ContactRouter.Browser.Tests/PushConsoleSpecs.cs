using System.Net.Http.Json;
using ContactRouter.Tests;

namespace ContactRouter.Browser.Tests;

/// <summary>
/// A <see cref="ConsoleHost"/> that allows one live stream per user and a console grace of one second: eight tabs
/// that all stay live can only share one connection, and an agent whose console closed is away within seconds.
/// </summary>
public sealed class PushConsoleHost : IAsyncLifetime
{
    public ConsoleHost Host { get; } = new(0, new Dictionary<string, string?>
    {
        // The team lead's console holds two streams (the centres' rows, and the people and queue of their centre): one
        // browser's worth. A second browser is over it.
        ["Security:MaxStreamsPerUser"] = "2",
        ["Router:ConsoleGrace"] = "00:00:01",
    });

    public Task InitializeAsync() => Host.InitializeAsync();
    public Task DisposeAsync() => Host.DisposeAsync();
}

/// <summary>A team lead with eight tabs of the dashboard open in one browser.</summary>
public sealed class When_a_team_lead_has_many_tabs_open(PushConsoleHost fixture) : IClassFixture<PushConsoleHost>
{
    /// <summary>Eight Chromium tabs on a busy two-core machine: a patient wait (it polls; nothing sleeps).</summary>
    internal static readonly LocatorAssertionsToHaveTextOptions Patient = new() { Timeout = 15_000 };

    [Fact]
    public async Task Should_update_every_tab_over_one_connection_and_say_so_when_a_second_browser_goes_over_the_cap()
    {
        var host = fixture.Host;
        const string test = nameof(When_a_team_lead_has_many_tabs_open);
        await using var first = await host.Open("/teamlead", test, Person.TeamLead());
        var tabs = new List<IPage> { first.Page };
        // More than HTTP/1.1's six connections per host: with streams per tab the seventh would hang (and the cap is one browser's).
        for (var i = 1; i < 8; i++)
        {
            var tab = await first.Page.Context.NewPageAsync();
            await tab.GotoAsync("/teamlead");
            tabs.Add(tab);
        }
        foreach (var tab in tabs)
        {
            await Expect(tab.Locator("#connection")).ToHaveTextAsync("Live", Patient);
            await Expect(tab.Locator("article[data-centre='burgerzaken'] [data-f='waiting']")).ToHaveTextAsync("0", Patient);
        }

        await host.Call("burgerzaken", "+31611000101");
        await host.Call("burgerzaken", "+31611000102");
        foreach (var tab in tabs)
            await Expect(tab.Locator("article[data-centre='burgerzaken'] [data-f='waiting']")).ToHaveTextAsync("2", Patient);

        // The same person in a second browser: over the cap, and the console says why.
        await using var other = await host.Open("/teamlead", test + "-over-the-cap", Person.TeamLead());
        await Expect(other.Page.Locator("#connection")).ToContainTextAsync("Te veel live vensters", new() { Timeout = 15_000 });
        await Expect(other.Page.Locator("#connection")).ToHaveAttributeAsync("data-state", "refused");
    }
}

/// <summary>An agent closes their console while available: after the grace nobody is offered to them; coming back restores them.</summary>
public sealed class When_an_agents_console_is_closed(PushConsoleHost fixture) : IClassFixture<PushConsoleHost>
{
    private static readonly LocatorAssertionsToHaveTextOptions Patient = When_a_team_lead_has_many_tabs_open.Patient;

    [Fact]
    public async Task Should_show_them_away_offer_them_nothing_and_restore_them_when_the_console_opens_again()
    {
        var host = fixture.Host;
        const string test = nameof(When_an_agents_console_is_closed);
        await host.PutAgent("kees", "Kees Visser", "fysiek", new { fysiek = 5 });
        await using var lead = await host.Open("/teamlead", test + "-teamlead", Person.TeamLead("fysiek"));
        var tile = lead.Page.Locator("article[data-centre='fysiek']");

        var console = await host.Open("/agent", test, Person.Agent("kees"));
        await Expect(console.Page.Locator("#connection")).ToHaveTextAsync("Live");
        await console.Page.GetByRole(AriaRole.Button, new() { Name = "Beschikbaar" }).ClickAsync();
        await Expect(console.Page.Locator("#agent-status")).ToHaveTextAsync("Beschikbaar");
        await Expect(tile.Locator("[data-f='agents'] [data-state='available'] b")).ToHaveTextAsync("1");

        // The browser closes: its stream ends; after the grace the team lead sees the desk empty.
        await console.DisposeAsync();
        await Expect(tile.Locator("[data-f='agents'] [data-state='away'] b")).ToHaveTextAsync("1", Patient);
        await Expect(tile.Locator("[data-f='agents'] [data-state='available'] b")).ToHaveTextAsync("0");
        await Expect(tile.Locator("[data-f='agents'] [data-state='away']")).ToContainTextAsync("Console weg");
        (await host.Json(await host.Api.GetAsync("/api/agents/kees")))["status"]!.GetValue<string>().Should().Be("away");

        // A caller now waits rather than ringing on the empty desk (the API answers once the centre has routed it).
        var contactId = await host.Call("fysiek", "+31611000201");
        var contact = await host.Json(await host.Api.GetAsync($"/api/contacts/{contactId}"));
        contact["status"]!.GetValue<string>().Should().Be("queued");
        await Expect(tile.Locator("[data-f='waiting']")).ToHaveTextAsync("1");

        // Back at the desk: available as before, and the waiting caller rings at once.
        await using var again = await host.Open("/agent", test + "-again", Person.Agent("kees"));
        await Expect(again.Page.Locator("#offer")).ToBeVisibleAsync();
        await Expect(again.Page.Locator("#offer .caller")).ToHaveTextAsync("+31611000201");
        await Expect(tile.Locator("[data-f='agents'] [data-state='offered'] b")).ToHaveTextAsync("1");
        await Expect(tile.Locator("[data-f='agents'] [data-state='away']")).ToHaveCountAsync(0);
    }
}
