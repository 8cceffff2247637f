using ContactRouter.Tests;
using System.Net.Http.Json;
using System.Text;

namespace ContactRouter.Browser.Tests;

/// <summary>The team lead's dashboard: a centre's tile changes live, and the day's contacts come out as CSV.</summary>
public sealed class When_a_team_lead_watches_the_dashboard(ConsoleHost host) : IClassFixture<ConsoleHost>
{
    [Fact]
    public async Task Should_change_the_tile_of_a_centre_live_and_export_the_days_contacts()
    {
        await using var console = await host.Open("/teamlead", nameof(When_a_team_lead_watches_the_dashboard), Person.TeamLead());
        var page = console.Page;
        var tile = page.Locator("article[data-centre='sociaal']");
        await Expect(tile.Locator("h2")).ToHaveTextAsync("Sociaal Domein");
        await Expect(tile.Locator("[data-f='waiting']")).ToHaveTextAsync("0");
        await Expect(page.Locator("#connection")).ToHaveTextAsync("Live");
        await Expect(page.Locator(".tile")).ToHaveCountAsync(4);
        var municipality = page.Locator("#municipality");
        await Expect(municipality.Locator("[data-f='sl']")).ToHaveTextAsync("–nog niets beantwoord");

        // A caller at Fysiek Domein gives up after the grace (nobody works anywhere yet, so nothing moves them).
        var gone = await host.Call("fysiek", "+31611000003");
        host.Clock.Offset += TimeSpan.FromSeconds(10);
        (await host.Api.PostAsync($"/api/contacts/{gone}/abandon", null)).EnsureSuccessStatusCode();
        await Expect(municipality.Locator("[data-f='abandoned']")).ToHaveTextAsync("100 %1 van 1");
        await Expect(municipality).ToHaveAttributeAsync("data-sl", "red");

        // Two callers wait at Sociaal Domein; nobody is there to take them. No reload: the stream brings it.
        // (Overflow cannot move them either: no agent works anywhere yet.)
        var first = await host.Call("sociaal", "+31611000001");
        await host.Call("sociaal", "+31611000002");
        await Expect(tile.Locator("[data-f='waiting']")).ToHaveTextAsync("2");

        // An agent comes in and answers the first caller: service level and agents by state follow.
        await host.PutAgent("sanne", "Sanne Bakker", "sociaal", new { sociaal = 5 });
        (await host.Api.PostAsJsonAsync("/api/agents/sanne/status", new { status = "available" })).EnsureSuccessStatusCode();
        await Expect(tile.Locator("[data-f='agents'] [data-state='offered'] b")).ToHaveTextAsync("1");
        var offered = (await host.Json(await host.Api.GetAsync("/api/agents/sanne")))["offer"]!["contactId"]!.GetValue<string>();
        offered.Should().Be(first, "the longest waiting caller goes first");
        await host.Handle("sanne", offered, "resolved", "Vraag over Wmo-indicatie.");
        await Expect(tile.Locator("[data-f='waiting']")).ToHaveTextAsync("1");
        await Expect(tile.Locator("[data-f='agents'] [data-state='wrapup'] b")).ToHaveTextAsync("1");
        await Expect(tile.Locator(".sl-value")).ToHaveTextAsync("100 %");
        await Expect(tile).ToHaveAttributeAsync("data-sl", "green");
        // The municipality as one face: Sociaal Domein's answer and Fysiek Domein's hang-up together, from the same stream.
        await Expect(municipality.Locator("[data-f='sl'] .sl-value")).ToHaveTextAsync("50 %");
        await Expect(municipality.Locator("[data-f='abandoned']")).ToHaveTextAsync("50 %1 van 2");
        await Expect(municipality.Locator("[data-f='answered']")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^1gem\. \d+ s$"));
        await Expect(municipality.Locator("[data-f='waiting']")).ToHaveTextAsync("1");
        await Expect(municipality).ToHaveAttributeAsync("data-sl", "red");
        var day = await host.Json(await host.Api.GetAsync("/api/centres/municipality"));
        day["serviceLevel"]!.GetValue<double>().Should().Be(0.5);
        await Expect(tile.Locator("[data-f='chart'] svg title")).ToContainTextAsync("1 wachtend, servicelevel 100 %");
        await console.Snapshot("teamlead-dashboard");

        // The day's CSV of Sociaal Domein: one row per contact, no caller number.
        await page.GetByLabel("Centrum", new() { Exact = true }).SelectOptionAsync("sociaal");
        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Link, new() { Name = "CSV downloaden" }).ClickAsync());
        download.SuggestedFilename.Should().MatchRegex(@"^contacts-\d{4}-\d{2}-\d{2}-sociaal\.csv$");
        var path = await download.PathAsync();
        var lines = (await File.ReadAllTextAsync(path, Encoding.UTF8)).TrimStart('\uFEFF').Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        lines[0].Should().StartWith("Contact;Binnengekomen bij;Laatste centrum;Beantwoord door;Kanaal", "Dutch column names for Excel");
        lines.Skip(1).Should().HaveCount(2);
        lines.Should().Contain(l => l.StartsWith(offered + ";Sociaal Domein;Sociaal Domein;Sociaal Domein;phone;") && l.Contains(";sanne;opgelost;"));
        lines.Should().NotContain(l => l.Contains("+316"));
    }
}

/// <summary>The live connection drops (a proxy, a restart of the host): the page comes back by itself.</summary>
public sealed class When_the_dashboards_connection_drops(ConsoleHost host) : IClassFixture<ConsoleHost>
{
    [Fact]
    public async Task Should_say_so_and_come_back_live_by_itself_with_what_changed_meanwhile()
    {
        await using var console = await host.Open("/", nameof(When_the_dashboards_connection_drops), Person.TeamLead());
        var page = console.Page;
        // The stream refuses for a while, as a host that is restarting would.
        var refusing = true;
        // A browser without SharedWorker: the page holds the stream itself (the fallback), and Playwright can route it
        // (a shared worker's requests pass by page and context routes).
        await page.AddInitScriptAsync("delete window.SharedWorker;");
        await page.RouteAsync("**/api/centres/stream", async route =>
        {
            if (refusing) await route.AbortAsync();
            else await route.ContinueAsync();
        });
        await page.GotoAsync("/teamlead");
        await Expect(page.Locator("#connection")).ToHaveTextAsync("Verbinding weg — opnieuw verbinden…");

        await host.Call("bedrijfsvoering", "+31611000009");
        refusing = false;
        await Expect(page.Locator("#connection")).ToHaveTextAsync("Live", new() { Timeout = 15_000 });
        await Expect(page.Locator("article[data-centre='bedrijfsvoering'] [data-f='waiting']")).ToHaveTextAsync("1");
    }
}
