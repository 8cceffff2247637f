using ContactRouter.Tests;
using System.Net.Http.Json;

namespace ContactRouter.Browser.Tests;

/// <summary>Reception books a callback that lands at a neighbour when the home centre is full, sees it in the day's list, and cancels it.</summary>
public sealed class When_reception_books_a_callback_for_a_full_centre(ConsoleHost host) : IClassFixture<ConsoleHost>
{
    private static readonly TimeZoneInfo Amsterdam = TimeZoneInfo.FindSystemTimeZoneById("Europe/Amsterdam");

    [Fact]
    public async Task Should_land_at_a_neighbour_say_why_and_show_it_in_the_days_list()
    {
        const string caller = "+31622334455";
        var day = NextWorkingDay();
        var from = new DateTimeOffset(day.ToDateTime(new TimeOnly(10, 0)), Amsterdam.GetUtcOffset(day.ToDateTime(new TimeOnly(10, 0))));
        // Fysiek Domein, Burgerzaken's neighbour, has an agent who knows Burgerzaken's work.
        await host.PutAgent("femke", "Femke Smit", "fysiek", new { fysiek = 5, burgerzaken = 3 });
        // Burgerzaken's 10:00 slot holds four callbacks; four are booked already.
        for (var i = 0; i < 4; i++)
        {
            var booked = await host.Json(await host.Api.PostAsJsonAsync("/api/callbacks", new
            {
                centre = "burgerzaken", caller = $"+3161000000{i}", question = "Paspoort verlopen", notBefore = from, notAfter = from.AddMinutes(15),
            }));
            booked["centre"]!.GetValue<string>().Should().Be("burgerzaken");
        }
        (await host.Api.PutAsJsonAsync($"/api/customers/{caller}", new { name = "Dhr. De Boer" })).EnsureSuccessStatusCode();

        await using var console = await host.Open("/reception", nameof(When_reception_books_a_callback_for_a_full_centre), Person.Reception);
        var page = console.Page;
        await page.GetByLabel("Telefoonnummer", new() { Exact = true }).FillAsync(caller);
        await page.GetByLabel("Reden (komt in het toegangslog)").FillAsync("terugbelverzoek verhuizing");
        await page.GetByRole(AriaRole.Button, new() { Name = "Zoeken" }).ClickAsync();
        await Expect(page.Locator("#customer")).ToContainTextAsync("Dhr. De Boer");

        await page.GetByLabel("Voor centrum").SelectOptionAsync("burgerzaken");
        await Expect(page.GetByLabel("Telefoonnummer van de klant")).ToHaveValueAsync(caller);
        await page.GetByLabel("Waarover moet worden teruggebeld?").FillAsync("Verhuizing doorgeven: welke documenten?");
        await page.GetByLabel("Dag (optioneel)").FillAsync(day.ToString("yyyy-MM-dd"));
        await page.GetByLabel("Vanaf").FillAsync("10:00");
        await page.GetByLabel("Uiterlijk").FillAsync("10:15");
        await page.GetByRole(AriaRole.Button, new() { Name = "Inplannen" }).ClickAsync();

        var notice = page.Locator("#booked-notice");
        await Expect(notice).ToBeVisibleAsync();
        await Expect(notice).ToContainTextAsync("10:00");
        await Expect(page.Locator("#booked-why")).ToContainTextAsync("Burgerzaken heeft geen plek in dit venster.");
        var callbackId = await notice.GetAttributeAsync("data-callback");
        var callback = await host.Json(await host.Api.GetAsync($"/api/callbacks/{callbackId}"));
        var neighbour = callback["centre"]!.GetValue<string>();
        neighbour.Should().Be("fysiek");
        callback["homeCentre"]!.GetValue<string>().Should().Be("burgerzaken");
        callback["question"]!.GetValue<string>().Should().Be("Verhuizing doorgeven: welke documenten?");
        callback["name"]!.GetValue<string>().Should().Be("Dhr. De Boer");

        await page.GetByLabel("Dag", new() { Exact = true }).FillAsync(day.ToString("yyyy-MM-dd"));
        var row = page.Locator($"section[data-centre='{neighbour}'] tr[data-callback='{callbackId}']");
        await Expect(row).ToContainTextAsync("van Burgerzaken");
        await Expect(row).ToContainTextAsync("Ingepland");
        await Expect(page.Locator("section[data-centre='burgerzaken'] tbody tr")).ToHaveCountAsync(4);
        await console.Snapshot("reception");

        await row.GetByRole(AriaRole.Button, new() { Name = "Annuleren" }).ClickAsync();
        await Expect(row).ToContainTextAsync("Geannuleerd");
        (await host.Json(await host.Api.GetAsync($"/api/callbacks/{callbackId}")))["status"]!.GetValue<string>().Should().Be("cancelled");
    }

    /// <summary>The first Monday–Friday after today in Amsterdam: a day whose 10:00 is open and still ahead.</summary>
    private static DateOnly NextWorkingDay()
    {
        var day = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, Amsterdam).DateTime).AddDays(1);
        while (day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday) day = day.AddDays(1);
        return day;
    }
}
