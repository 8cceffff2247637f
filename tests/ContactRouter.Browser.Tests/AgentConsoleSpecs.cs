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
