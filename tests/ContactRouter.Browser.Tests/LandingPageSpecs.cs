using ContactRouter.Tests;

namespace ContactRouter.Browser.Tests;

/// <summary>The landing page: the three consoles, each with one line, and a caller let in by hand.</summary>
public sealed class When_a_newcomer_opens_the_landing_page(ConsoleHost host) : IClassFixture<ConsoleHost>
{
    [Fact]
    public async Task Should_link_the_three_consoles_and_let_a_caller_in_that_reaches_the_centre()
    {
        // Someone with every role sees every console; letting a caller in by hand is the administrator's try-out.
        var everything = new Person("chef", ["agent", "teamlead", "reception", "admin"], AgentId: "chef", Centre: "sociaal");
        await using var console = await host.Open("/", nameof(When_a_newcomer_opens_the_landing_page), everything);
        var page = console.Page;
        await Expect(page.Locator("#signed-in")).ToContainTextAsync("chef");
        await Expect(page.Locator("#to-admin")).ToHaveAttributeAsync("href", "/admin");
        await Expect(page.Locator("#to-agent")).ToHaveAttributeAsync("href", "/agent");
        await Expect(page.Locator("#to-agent")).ToContainTextAsync("Gesprekken aannemen");
        await Expect(page.Locator("#to-teamlead")).ToHaveAttributeAsync("href", "/teamlead");
        await Expect(page.Locator("#to-reception")).ToHaveAttributeAsync("href", "/reception");

        // A wrong number: the field is marked and the message is Dutch; nothing is queued.
        await page.GetByLabel("Telefoonnummer van de beller").FillAsync("bel me");
        await page.GetByRole(AriaRole.Button, new() { Name = "Beller laten binnenkomen" }).ClickAsync();
        await Expect(page.Locator("#try-problem")).ToContainTextAsync("Controleer “telefoonnummer”.");
        await Expect(page.GetByLabel("Telefoonnummer van de beller")).ToHaveAttributeAsync("aria-invalid", "true");

        await page.GetByLabel("Centrum").SelectOptionAsync("fysiek");
        await page.GetByLabel("Telefoonnummer van de beller").FillAsync("+31687650000");
        await page.GetByRole(AriaRole.Button, new() { Name = "Beller laten binnenkomen" }).ClickAsync();
        await Expect(page.Locator("#try-result")).ToHaveTextAsync("Beller staat in de wachtrij van Fysiek Domein.");
        await Expect(page.Locator("#try-problem")).ToBeHiddenAsync();

        Dictionary<string, int> waiting = [];
        await host.Until(async () =>
        {
            var centres = await host.Json(await host.Api.GetAsync("/api/centres"));
            waiting = centres.AsArray().ToDictionary(c => c!["centre"]!.GetValue<string>(), c => c!["waiting"]!.GetValue<int>());
            return waiting["fysiek"] == 1;
        }, "the caller to wait at Fysiek Domein");
        waiting.Values.Sum().Should().Be(1, "the wrong number queued nothing");
    }
}
