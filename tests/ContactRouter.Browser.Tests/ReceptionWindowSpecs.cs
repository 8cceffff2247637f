using System.Net.Http.Json;
using ContactRouter.Tests;
using Microsoft.Extensions.DependencyInjection;

namespace ContactRouter.Browser.Tests;

/// <summary>
/// Reception's time window through a working day: times without a day are kept (not the soonest slot), a weekend
/// says "gesloten", and the day's list shows an unreached appointment's next attempt and leaves a cancelled one out
/// of the count. The server's clock stands on a Monday 10:00 in Amsterdam, a week or more ahead.
/// </summary>
public sealed class When_reception_books_within_a_time_window(ConsoleHost host) : IClassFixture<ConsoleHost>
{
    private static readonly TimeZoneInfo Amsterdam = TimeZoneInfo.FindSystemTimeZoneById("Europe/Amsterdam");

    private static DateOnly Monday()
    {
        var day = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(7);
        while (day.DayOfWeek != DayOfWeek.Monday) day = day.AddDays(1);
        return day;
    }

    private static DateTimeOffset At(DateOnly day, int hour, int minute = 0)
    {
        var local = day.ToDateTime(new TimeOnly(hour, minute));
        return new DateTimeOffset(local, Amsterdam.GetUtcOffset(local));
    }

    private void MondayMorning() => host.Clock.Set(At(Monday(), 10));

    private async Task<IPage> Fill(ConsolePage console, string centre, string question, string? day, string from, string until)
    {
        var page = console.Page;
        await page.GetByLabel("Voor centrum").SelectOptionAsync(centre);
        await page.GetByLabel("Telefoonnummer van de klant").FillAsync("+31644556677");
        await page.GetByLabel("Waarover moet worden teruggebeld?").FillAsync(question);
        if (day is not null) await page.GetByLabel("Dag (optioneel)").FillAsync(day);
        await page.GetByLabel("Vanaf").FillAsync(from);
        await page.GetByLabel("Uiterlijk").FillAsync(until);
        await page.GetByRole(AriaRole.Button, new() { Name = "Inplannen" }).ClickAsync();
        return page;
    }

    [Fact]
    public async Task Times_without_a_day_are_booked_today_within_them()
    {
        MondayMorning();
        await using var console = await host.Open("/reception", nameof(Times_without_a_day_are_booked_today_within_them), Person.Reception);
        var page = await Fill(console, "sociaal", "Na tweeën bellen graag", day: null, "14:00", "15:00");

        var notice = page.Locator("#booked-notice");
        await Expect(notice).ToContainTextAsync("14:00");
        var callback = await host.Json(await host.Api.GetAsync($"/api/callbacks/{await notice.GetAttributeAsync("data-callback")}"));
        callback["slotStart"]!.GetValue<DateTimeOffset>().Should().Be(At(Monday(), 14));
        callback["notAfter"]!.GetValue<DateTimeOffset>().Should().Be(At(Monday(), 15));
    }

    [Fact]
    public async Task A_saturday_is_said_to_be_closed()
    {
        MondayMorning();
        await using var console = await host.Open("/reception", nameof(A_saturday_is_said_to_be_closed), Person.Reception);
        var saturday = Monday().AddDays(5);
        var page = await Fill(console, "fysiek", "Zaterdag bellen over de vergunning", saturday.ToString("yyyy-MM-dd"), "10:00", "12:00");

        var alternatives = page.Locator("#alternatives");
        await Expect(alternatives).ToContainTextAsync($"Fysiek Domein is gesloten op zaterdag {saturday.Day} ");
        await Expect(alternatives).Not.ToContainTextAsync("Geen plek");
        // The nearest slots offered are on the Monday after, at opening.
        await Expect(alternatives.GetByRole(AriaRole.Button).First).ToContainTextAsync("08:30");
        await console.Snapshot("reception-closed");
    }

    [Fact]
    public async Task The_days_list_shows_the_next_attempt_and_counts_no_cancelled_row()
    {
        MondayMorning();
        var monday = Monday();
        await host.PutAgent("daan", "Daan Bakker", "bedrijfsvoering", new { bedrijfsvoering = 5 });
        (await host.Api.PostAsJsonAsync("/api/agents/daan/status", new { status = "available" })).EnsureSuccessStatusCode();
        var unreached = await host.Json(await host.Api.PostAsJsonAsync("/api/callbacks", new
        {
            centre = "bedrijfsvoering", caller = "+31655667788", question = "Factuur klopt niet", notBefore = At(monday, 11), notAfter = At(monday, 16),
        }));
        var cancelled = await host.Json(await host.Api.PostAsJsonAsync("/api/callbacks", new
        {
            centre = "bedrijfsvoering", caller = "+31655667799", question = "Toch niet nodig", notBefore = At(monday, 12), notAfter = At(monday, 16),
        }));
        (await host.Api.DeleteAsync($"/api/callbacks/{cancelled["callbackId"]}")).EnsureSuccessStatusCode();

        // 11:00: the first attempt rings at Daan, who does not reach the customer.
        var callbackId = unreached["callbackId"]!.GetValue<string>();
        host.Clock.Set(At(monday, 11).AddSeconds(1));
        await using (var scope = host.Services.CreateAsyncScope())
            await ContactRouter.Components.CallbackScheduler.RunOnce(scope.ServiceProvider, CancellationToken.None);
        var contactId = $"{callbackId}-1";
        await host.Until(async () => (string?)(await host.Json(await host.Api.GetAsync("/api/agents/daan")))["offer"]?["contactId"] == contactId, "the offer");
        await host.Handle("daan", contactId, "notreached", "Voicemail");
        await host.Until(async () => (await host.Json(await host.Api.GetAsync($"/api/callbacks/{callbackId}")))["attempts"]!.GetValue<int>() == 1
            && (await host.Json(await host.Api.GetAsync($"/api/callbacks/{callbackId}")))["status"]!.GetValue<string>() == "booked", "the retry to be planned");

        await using var console = await host.Open("/reception", nameof(The_days_list_shows_the_next_attempt_and_counts_no_cancelled_row), Person.Reception);
        var page = console.Page;
        await page.GetByLabel("Dag", new() { Exact = true }).FillAsync(monday.ToString("yyyy-MM-dd"));
        var section = page.Locator("section[data-centre='bedrijfsvoering']");
        await Expect(section.Locator("h3")).ToHaveTextAsync("Bedrijfsvoering (1)");
        await Expect(section.Locator("tbody tr")).ToHaveCountAsync(2);
        var row = section.Locator($"tr[data-callback='{callbackId}']");
        await Expect(row).ToContainTextAsync("1 poging gedaan");
        // Retried 30 minutes after the attempt began.
        await Expect(row).ToContainTextAsync("volgende poging");
        await Expect(row).ToContainTextAsync("11:30");
        await console.Snapshot("reception-attempts");
    }

    [Fact]
    public async Task An_appointment_is_found_by_name_and_moved_to_a_new_window()
    {
        MondayMorning();
        var monday = Monday();
        var jansen = await host.Json(await host.Api.PostAsJsonAsync("/api/callbacks", new
        {
            centre = "fysiek", caller = "+31611223344", name = "Eva Jansen", question = "Over de omgevingsvergunning",
            notBefore = At(monday, 11), notAfter = At(monday, 12),
        }));
        (await host.Api.PostAsJsonAsync("/api/callbacks", new
        {
            centre = "fysiek", caller = "+31611229999", name = "Piet Pietersen", question = "Over de bouwtekening",
            notBefore = At(monday, 13), notAfter = At(monday, 14),
        })).EnsureSuccessStatusCode();
        var callbackId = jansen["callbackId"]!.GetValue<string>();

        await using var console = await host.Open("/reception", nameof(An_appointment_is_found_by_name_and_moved_to_a_new_window), Person.Reception);
        var page = console.Page;
        await page.GetByLabel("Dag", new() { Exact = true }).FillAsync(monday.ToString("yyyy-MM-dd"));
        var section = page.Locator("section[data-centre='fysiek']");
        await page.GetByLabel("Zoeken op naam of telefoonnummer").FillAsync("jans");
        await Expect(section.Locator("tbody tr")).ToHaveCountAsync(1);
        await page.GetByLabel("Zoeken op naam of telefoonnummer").FillAsync("06-1122 3344");
        await Expect(section.Locator("tbody tr")).ToHaveCountAsync(1);
        var row = section.Locator($"tr[data-callback='{callbackId}']");
        await Expect(row).ToContainTextAsync("Eva Jansen");

        await row.GetByRole(AriaRole.Button, new() { Name = "Afspraak van" }).ClickAsync();
        await Expect(page.Locator("#book-heading")).ToContainTextAsync("verzetten");
        await Expect(page.GetByLabel("Waarover moet worden teruggebeld?")).ToBeDisabledAsync();
        await page.GetByLabel("Dag (optioneel)").FillAsync(monday.ToString("yyyy-MM-dd"));
        await page.GetByLabel("Vanaf").FillAsync("15:00");
        await page.GetByLabel("Uiterlijk").FillAsync("16:00");
        await page.GetByRole(AriaRole.Button, new() { Name = "Verzetten", Exact = true }).ClickAsync();

        await Expect(page.Locator("#booked-notice")).ToContainTextAsync("Verzet naar");
        await Expect(page.Locator("#booked-notice")).ToContainTextAsync("15:00");
        var moved = await host.Json(await host.Api.GetAsync($"/api/callbacks/{callbackId}"));
        moved["slotStart"]!.GetValue<DateTimeOffset>().Should().Be(At(monday, 15));
        moved["question"]!.GetValue<string>().Should().Be("Over de omgevingsvergunning");
        await Expect(row).ToContainTextAsync("15:00");
        await Expect(page.Locator("#book-heading")).ToHaveTextAsync("Terugbelafspraak maken");
    }
}
