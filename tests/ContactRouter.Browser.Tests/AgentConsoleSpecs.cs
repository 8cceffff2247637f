using System.Net.Http.Json;

namespace ContactRouter.Browser.Tests;

/// <summary>An agent's turn in the console: available, a caller arrives, the offer rings with the customer view, accept, summary, complete.</summary>
public sealed class When_an_agent_takes_a_call_in_the_console(ConsoleHost host) : IClassFixture<ConsoleHost>
{
    [Fact]
    public async Task Should_show_the_offer_with_the_customer_view_and_take_it_to_wrap_up()
    {
        await host.PutAgent("anna", "Anna de Vries", "fysiek", new { fysiek = 5, sociaal = 4 });
        // A caller known from an earlier contact at another centre.
        (await host.Api.PutAsJsonAsync("/api/customers/+31687654321", new { name = "J. Jansen" })).EnsureSuccessStatusCode();

        await using var console = await host.Open("/agent", nameof(When_an_agent_takes_a_call_in_the_console));
        var page = console.Page;
        await page.GetByLabel("Medewerker").SelectOptionAsync("anna");
        await page.GetByRole(AriaRole.Button, new() { Name = "Beginnen" }).ClickAsync();
        await Expect(page.Locator("#agent-name")).ToHaveTextAsync("Anna de Vries");
        await Expect(page.Locator("#connection")).ToHaveTextAsync("Live");

        await page.GetByRole(AriaRole.Button, new() { Name = "Beschikbaar" }).ClickAsync();
        await Expect(page.Locator("#agent-status")).ToHaveTextAsync("Beschikbaar");

        var contactId = await host.Call("fysiek", "+31687654321");
        var offer = page.Locator("#offer");
        await Expect(offer).ToBeVisibleAsync();
        await Expect(offer.Locator("h2")).ToHaveTextAsync("Inkomend gesprek");
        await Expect(offer.Locator(".caller")).ToHaveTextAsync("+31687654321");
        await Expect(offer.Locator("#customer-view")).ToContainTextAsync("J. Jansen");
        await Expect(page.Locator("#offer-countdown")).ToContainTextAsync("s om aan te nemen");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Aannemen" })).ToBeFocusedAsync();

        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("#call")).ToBeVisibleAsync();
        await Expect(offer).ToBeHiddenAsync();
        await Expect(page.Locator("#agent-status")).ToHaveTextAsync("In gesprek");
        await Expect(page.Locator("#call .caller")).ToHaveTextAsync("+31687654321");

        await page.GetByLabel("Uitkomst").SelectOptionAsync("resolved");
        await page.GetByLabel("Korte samenvatting").FillAsync("Vraag over omgevingsvergunning dakkapel beantwoord.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Afronden" }).ClickAsync();
        await Expect(page.Locator("#wrapup")).ToBeVisibleAsync();
        await Expect(page.Locator("#wrapup-countdown")).ToContainTextAsync("tot het volgende gesprek");

        var contact = await host.Json(await host.Api.GetAsync($"/api/contacts/{contactId}"));
        contact["status"]!.GetValue<string>().Should().Be("completed");
        contact["agentId"]!.GetValue<string>().Should().Be("anna");
        contact["summary"]!.GetValue<string>().Should().Be("Vraag over omgevingsvergunning dakkapel beantwoord.");
        contact["outcome"]!.GetValue<string>().Should().Be("resolved");
    }
}

/// <summary>A caller who overflowed from a neighbour, with a history at another centre and an open callback.</summary>
public sealed class When_an_overflowed_caller_rings_at_an_agent(ConsoleHost host) : IClassFixture<ConsoleHost>
{
    [Fact]
    public async Task Should_mark_where_it_came_from_and_show_the_contacts_and_callbacks_of_every_centre()
    {
        const string caller = "+31611223344";
        await host.PutAgent("bram", "Bram Visser", "fysiek", new { fysiek = 5, sociaal = 4 });
        (await host.Api.PutAsJsonAsync($"/api/customers/{caller}", new { name = "Mw. El Amrani" })).EnsureSuccessStatusCode();
        (await host.Api.PostAsJsonAsync("/api/agents/bram/status", new { status = "available" })).EnsureSuccessStatusCode();
        // An earlier contact, handled at Fysiek Domein; Bram is in wrap-up after it, so he goes on break.
        var earlier = await host.Call("fysiek", caller);
        // 404 until the centre worker has taken the contact off its queue.
        await host.Until(async () => (await host.Api.GetStringAsync("/api/agents/bram")).Contains(earlier), "the earlier contact to ring at Bram");
        await host.Handle("bram", earlier, "callback", "Wil terugbellen over bijzondere bijstand.");
        (await host.Api.PostAsJsonAsync("/api/callbacks", new { centre = "sociaal", caller, question = "Aanvraag bijzondere bijstand: welke stukken?" })).EnsureSuccessStatusCode();

        await using var console = await host.Open("/agent?agent=bram", nameof(When_an_overflowed_caller_rings_at_an_agent));
        var page = console.Page;
        await page.GetByRole(AriaRole.Button, new() { Name = "Beschikbaar" }).ClickAsync();
        await Expect(page.Locator("#agent-status")).Not.ToHaveTextAsync("Nawerk");

        // Nobody at Sociaal Domein: after a second the overflow router moves the caller to Fysiek Domein.
        await host.Call("sociaal", caller);
        var offer = page.Locator("#offer");
        await Expect(offer).ToBeVisibleAsync(new() { Timeout = 20_000 });
        await Expect(offer.Locator("#overflowed-from")).ToHaveTextAsync("Overgelopen van Sociaal Domein");
        var view = offer.Locator("#customer-view");
        await Expect(view).ToContainTextAsync("Mw. El Amrani");
        await Expect(view).ToContainTextAsync("Fysiek Domein");
        await Expect(view).ToContainTextAsync("Wil terugbellen over bijzondere bijstand.");
        await Expect(view).ToContainTextAsync("Openstaande terugbelafspraken");
        await Expect(view).ToContainTextAsync("Aanvraag bijzondere bijstand: welke stukken?");
        await console.Snapshot("agent-console");

        await page.GetByRole(AriaRole.Button, new() { Name = "Weigeren" }).ClickAsync();
        await Expect(offer).ToBeHiddenAsync();
    }
}
