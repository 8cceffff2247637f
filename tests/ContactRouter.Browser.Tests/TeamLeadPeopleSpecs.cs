using ContactRouter.Tests;
using System.Net.Http.Json;
using System.Text.Json;

namespace ContactRouter.Browser.Tests;

/// <summary>
/// The team lead's people and queue of their own centre, live: agents with state, since when and whose caller; waiting
/// callers with wait, priority and overflow. The team lead raises a caller's priority, moves one to a neighbour and sends
/// an agent on break, and is told in Dutch when something is not theirs.
/// </summary>
public sealed class When_a_team_lead_steers_people_and_queue(ConsoleHost host) : IClassFixture<ConsoleHost>
{
    [Fact]
    public async Task Should_show_agents_and_waiting_callers_live_and_act_on_them()
    {
        // An agent of Sociaal Domein, still signed off.
        await host.PutAgent("sanne", "Sanne Bakker", "sociaal", new { sociaal = 5 });
        await using var console = await host.Open("/teamlead", nameof(When_a_team_lead_steers_people_and_queue), Person.TeamLead("sociaal"));
        var page = console.Page;
        var agents = page.Locator("#people-agents tbody");
        var waiting = page.Locator("#people-waiting tbody");
        await Expect(page.Locator("#connection")).ToHaveTextAsync("Live");
        await Expect(waiting).ToHaveTextAsync("Niemand wacht.");
        await Expect(agents.Locator("tr")).ToHaveCountAsync(1);
        // A new colleague is registered while the list is open: their row comes at once, before they do anything.
        await host.PutAgent("piet", "Piet de Vries", "sociaal", new { sociaal = 5 });
        // Then two callers, whom nobody takes yet.
        await Expect(agents.Locator("tr[data-agent='piet'] td").Nth(1)).ToHaveTextAsync("Afgemeld");
        // Signed off since they were registered: even that state says since when (and for how long).
        await Expect(agents.Locator("tr[data-agent='piet'] td").Nth(2)).ToHaveTextAsync(SinceAndHowLong);
        var first = await host.Call("sociaal", "+31611000011");
        var second = await host.Call("sociaal", "+31611000012");
        await Expect(waiting.Locator("tr")).ToHaveCountAsync(2);
        await Expect(waiting.Locator("tr").Nth(0)).ToHaveAttributeAsync("data-contact", first);
        // The overflow threshold here is a second: the column says from when (or that it may now).
        await Expect(waiting.Locator("tr").Nth(0).Locator("td").Nth(3)).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^(mogelijk|vanaf \\d\\d:\\d\\d)$"));
        await Panel(page, "teamlead-queue");

        // The second caller's priority goes up: they are first in line now, live.
        await page.GetByRole(AriaRole.Button, new() { Name = "Prioriteit van Beller 2 verhogen" }).ClickAsync();
        await Expect(waiting.Locator("tr").Nth(0)).ToHaveAttributeAsync("data-contact", second);
        await Expect(waiting.Locator("tr").Nth(0).Locator("td").Nth(2)).ToHaveTextAsync("1");

        // The other one goes to Fysiek Domein by hand: gone from this list, waiting on Fysiek Domein's tile.
        await page.GetByRole(AriaRole.Button, new() { Name = "Beller 2 naar Fysiek Domein verplaatsen" }).ClickAsync();
        await Expect(waiting.Locator("tr")).ToHaveCountAsync(1);
        await Expect(page.Locator("article[data-centre='fysiek'] [data-f='waiting']")).ToHaveTextAsync("1");
        var moved = await host.Json(await host.Api.GetAsync($"/api/contacts/{first}"));
        moved["centre"]!.GetValue<string>().Should().Be("fysiek");

        // Sanne comes in and the caller rings at her desk: her row says so, with the caller's centre and wait.
        (await host.Api.PostAsJsonAsync("/api/agents/sanne/status", new { status = "available" })).EnsureSuccessStatusCode();
        var sanne = agents.Locator("tr[data-agent='sanne'] td");
        await Expect(sanne.Nth(1)).ToHaveTextAsync("Gaat over");
        await Expect(sanne.Nth(2)).ToHaveTextAsync(SinceAndHowLong);
        await Expect(sanne.Nth(3)).ToHaveTextAsync("Sociaal Domein");
        await Expect(sanne.Nth(4)).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^\d+:\d\d$"));

        // Piet comes in; the team lead sends him on break.
        (await host.Api.PostAsJsonAsync("/api/agents/piet/status", new { status = "available" })).EnsureSuccessStatusCode();
        var piet = agents.Locator("tr[data-agent='piet'] td");
        await Expect(piet.Nth(1)).ToHaveTextAsync("Beschikbaar");
        await page.GetByRole(AriaRole.Button, new() { Name = "Piet de Vries op pauze zetten" }).ClickAsync();
        await Expect(piet.Nth(1)).ToHaveTextAsync("Pauze");
        // On break since the moment the centre put him there, in Amsterdam time.
        var lead = host.SignedIn(Person.TeamLead("sociaal"), out _);
        var pietRow = (await host.Json(await lead.GetAsync("/api/centres/sociaal/people")))["agents"]!.AsArray().Single(a => (string?)a!["agentId"] == "piet")!;
        pietRow["status"]!.GetValue<string>().Should().Be("break");
        var since = DateTimeOffset.Parse(pietRow["since"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
        since.Should().BeCloseTo(host.Clock.GetUtcNow(), TimeSpan.FromMinutes(1));
        var amsterdam = TimeZoneInfo.ConvertTime(since, TimeZoneInfo.FindSystemTimeZoneById("Europe/Amsterdam"));
        await Expect(piet.Nth(2)).ToHaveTextAsync(new System.Text.RegularExpressions.Regex($@"^{amsterdam:HH:mm} \(\d+:\d\d\)$"));

        // Not theirs: another centre's people, a caller waiting elsewhere, a move to a centre that is no neighbour.
        var other = await Refusal(page, "/api/centres/fysiek/people", null);
        other.GetProperty("status").GetInt32().Should().Be(403);
        other.GetProperty("code").GetString().Should().Be("centre-not-yours");
        var elsewhere = await Refusal(page, $"/api/contacts/{first}/priority", new { priority = 5 });
        elsewhere.GetProperty("status").GetInt32().Should().Be(403);
        elsewhere.GetProperty("code").GetString().Should().Be("caller-not-your-centre");
        var notNeighbour = await Refusal(page, $"/api/contacts/{second}/move", new { centre = "burgerzaken" });
        notNeighbour.GetProperty("status").GetInt32().Should().Be(400);
        notNeighbour.GetProperty("field").GetString().Should().Be("centre");
        var badPriority = await Refusal(page, $"/api/contacts/{second}/priority", new { priority = 10 });
        badPriority.GetProperty("status").GetInt32().Should().Be(400);
        badPriority.GetProperty("field").GetString().Should().Be("priority");
        var stillThere = await host.Json(await host.Api.GetAsync($"/api/contacts/{second}"));
        stillThere["centre"]!.GetValue<string>().Should().Be("sociaal");
        stillThere["priority"]!.GetValue<int>().Should().Be(1);

        // The moved caller hangs up at Fysiek Domein: its hung-up share passes the goal, and the dashboard says so on top.
        // After the 5 s grace, so the hang-up counts in the share (a short one would not).
        host.Clock.Offset += TimeSpan.FromSeconds(10);
        (await host.Api.PostAsync($"/api/contacts/{first}/abandon", null)).EnsureSuccessStatusCode();
        // (Its service level is red too now: a caller who gave up after the grace counts against it.)
        await Expect(page.Locator("#alerts li[data-level='red']", new() { HasText = "opgehangen" })).ToHaveTextAsync("Fysiek Domein: 100 % opgehangen, meer dan 5 %");
        // Sociaal Domein's tile shows its answered count and the average speed of answer (nobody answered yet).
        await Expect(page.Locator("article[data-centre='sociaal'] [data-f='answered']")).ToHaveTextAsync("0gem. 0 s");

        await Panel(page, "teamlead-people");

        // Each action is in the ledger with the team lead's name.
        var requesters = await host.Requesters();
        requesters.Should().Contain(("TransferContact", "teamlead-sociaal")).And.Contain(("RaisePriority", "teamlead-sociaal"))
            .And.Contain(("SetAgentStatus", "teamlead-sociaal"));
    }

    /// <summary>"10:42 (3:05)": since when, in Amsterdam time, and how long.</summary>
    private static readonly System.Text.RegularExpressions.Regex SinceAndHowLong = new(@"^\d\d:\d\d \(\d+:\d\d\)$");

    /// <summary>The people and queue panel alone, for the README.</summary>
    private static Task Panel(IPage page, string name) =>
        page.Locator("#people").ScreenshotAsync(new() { Path = Path.Combine(ConsolePage.ScreenshotFolder, $"{name}.png") });

    /// <summary>What the console's own API helper gets back (the team lead's session, with its antiforgery token).</summary>
    private static async Task<JsonElement> Refusal(IPage page, string path, object? body) =>
        await page.EvaluateAsync<JsonElement>(@"async ([path, body]) => {
            const { api } = await import('/js/api.js');
            try { await api(path, body ? { method: 'POST', body } : {}); return { status: 200 }; }
            catch (p) { return { status: p.status, field: p.field ?? p.body?.field ?? null, code: p.body?.code ?? null }; }
        }", new object?[] { path, body });
}
