using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ContactRouter.Tests;

namespace ContactRouter.Browser.Tests;

/// <summary>
/// A working day played in the three consoles (issue 13's "done when"): a caller hangs up after the grace, an agent takes
/// a call in her console, a caller overflows to the neighbour and is answered there, reception books a callback. Then no
/// console shows an English sentence or an API detail, every time shown is Amsterdam's (in December an hour off UTC, so
/// a UTC time would be seen), and the dashboard, GET /api/centres and the CSV count the day the same way.
/// </summary>
public sealed class When_a_whole_day_is_played_in_the_consoles(ConsoleHost host) : IClassFixture<ConsoleHost>
{
    private static readonly TimeZoneInfo Amsterdam = TimeZoneInfo.FindSystemTimeZoneById("Europe/Amsterdam");

    /// <summary>
    /// Words of the API's English details and of code that leaks (none is Dutch), and ISO 8601 instants. Matched as whole
    /// words, case-insensitive, on each console's visible text.
    /// </summary>
    private static readonly Regex English = new(
        @"\b(the|not|and|with|must|should|already|failed|error|unknown|invalid|undefined|null|NaN|true|false|agent \w+ is|contact \w+ is|waiting|available|offline|wrapup|busy|offered|abandoned|connected|callback|notBefore|notAfter|contactId|agentId|centre|problem|password|identity|unknown user|contact [0-9a-f]{8,})\b|\d{4}-\d\d-\d\dT\d\d:\d\d|\+00:00",
        RegexOptions.IgnoreCase);

    [Fact]
    public async Task Should_show_no_english_no_utc_time_and_numbers_that_add_up()
    {
        var monday = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(7);
        while (monday.DayOfWeek != DayOfWeek.Monday) monday = monday.AddDays(1);
        host.Clock.Set(At(monday, 9));
        await host.PutAgent("anna", "Anna de Vries", "sociaal", new { sociaal = 5 });
        await host.PutAgent("bram", "Bram Visser", "fysiek", new { fysiek = 5, sociaal = 3 });

        // 09:00 A caller at Fysiek Domein, where nobody works yet, hangs up after the grace.
        var gone = await host.Call("fysiek", "+31611000101");
        host.Clock.Offset += TimeSpan.FromSeconds(10);
        (await host.Api.PostAsync($"/api/contacts/{gone}/abandon", null)).EnsureSuccessStatusCode();

        // Anna signs on in her console and takes a caller there.
        await using var agent = await host.Open("/agent", "whole-day-agent", Person.Agent("anna"));
        var desk = agent.Page;
        await Expect(desk.Locator("#connection")).ToHaveTextAsync("Live");
        await desk.GetByRole(AriaRole.Button, new() { Name = "Beschikbaar" }).ClickAsync();
        await Expect(desk.Locator("#agent-status")).ToHaveTextAsync("Beschikbaar");
        var answered = await host.Call("sociaal", "+31611000102");
        await Expect(desk.Locator("#offer")).ToBeVisibleAsync();
        await desk.GetByRole(AriaRole.Button, new() { Name = "Aannemen" }).ClickAsync();
        await Expect(desk.Locator("#agent-status")).ToHaveTextAsync("In gesprek");
        await desk.GetByLabel("Uitkomst").SelectOptionAsync("resolved");
        await desk.GetByLabel("Korte samenvatting").FillAsync("Vraag over de Wmo beantwoord.");
        await desk.GetByRole(AriaRole.Button, new() { Name = "Afronden" }).ClickAsync();
        await Expect(desk.Locator("#wrapup")).ToBeVisibleAsync();
        await NoEnglish(desk, "agent console");

        // Bram comes in at Fysiek Domein; a Sociaal Domein caller finds Anna in wrap-up and overflows to him.
        (await host.Api.PostAsJsonAsync("/api/agents/bram/status", new { status = "available" })).EnsureSuccessStatusCode();
        var overflowed = await host.Call("sociaal", "+31611000103");
        await host.Until(async () => (string?)(await host.Json(await host.Api.GetAsync($"/api/contacts/{overflowed}")))["status"] == "offered", "the overflowed caller to ring");
        var taker = (await host.Json(await host.Api.GetAsync($"/api/contacts/{overflowed}")))["agentId"]!.GetValue<string>();
        await host.Handle(taker, overflowed, "resolved", "Afspraak paspoort gemaakt.");

        // Reception books a callback at Sociaal Domein for this afternoon, 14:00–15:00 Amsterdam time.
        await using var reception = await host.Open("/reception", "whole-day-reception", Person.Reception);
        var front = reception.Page;
        await front.GetByLabel("Voor centrum").SelectOptionAsync("sociaal");
        await front.GetByLabel("Telefoonnummer van de klant").FillAsync("+31611000104");
        await front.GetByLabel("Waarover moet worden teruggebeld?").FillAsync("Bijzondere bijstand: welke papieren?");
        await front.GetByLabel("Dag (optioneel)").FillAsync(monday.ToString("yyyy-MM-dd"));
        await front.GetByLabel("Vanaf").FillAsync("14:00");
        await front.GetByLabel("Uiterlijk").FillAsync("15:00");
        await front.GetByRole(AriaRole.Button, new() { Name = "Inplannen" }).ClickAsync();
        var notice = front.Locator("#booked-notice");
        await Expect(notice).ToBeVisibleAsync();
        var callbackId = await notice.GetAttributeAsync("data-callback");
        var callback = await host.Json(await host.Api.GetAsync($"/api/callbacks/{callbackId}"));
        var slot = DateTimeOffset.Parse(callback["slotStart"]!.GetValue<string>(), CultureInfo.InvariantCulture);
        // The slot shown is the Amsterdam one, and it is the afternoon asked for (UTC would say an hour earlier).
        var local = TimeZoneInfo.ConvertTime(slot, Amsterdam);
        local.Hour.Should().BeInRange(14, 14);
        await Expect(notice).ToContainTextAsync(local.ToString("HH:mm"));
        await front.GetByLabel("Dag", new() { Exact = true }).FillAsync(monday.ToString("yyyy-MM-dd"));
        var row = front.Locator($"tr[data-callback='{callbackId}']");
        await Expect(row).ToContainTextAsync(local.ToString("HH:mm"));
        await Expect(row).Not.ToContainTextAsync(slot.UtcDateTime.ToString("HH:mm"));
        await NoEnglish(front, "reception");

        // The team lead of Sociaal Domein looks at the day.
        await using var lead = await host.Open("/teamlead", "whole-day-teamlead", Person.TeamLead("sociaal"));
        var board = lead.Page;
        await Expect(board.Locator("#connection")).ToHaveTextAsync("Live");
        await Expect(board.Locator("#municipality [data-f='answered']")).ToHaveTextAsync(new Regex(@"^2gem\. \d+ s$"));
        var centres = (await host.Json(await host.Api.GetAsync("/api/centres"))).AsArray().Select(r => r!).ToList();
        var municipality = await host.Json(await host.Api.GetAsync("/api/centres/municipality"));
        Int(municipality, "answered").Should().Be(2);
        Int(municipality, "abandonedAfterGrace").Should().Be(1);
        Int(municipality, "offered").Should().Be(3, "each caller once");

        // Dashboard = GET /api/centres, centre by centre, and the one face = GET /api/centres/municipality.
        foreach (var c in centres)
        {
            var tile = board.Locator($"article[data-centre='{c["centre"]}']");
            await Expect(tile.Locator("[data-f='waiting']")).ToHaveTextAsync(Int(c, "waiting").ToString(CultureInfo.InvariantCulture));
            await Expect(tile.Locator("[data-f='answered']")).ToHaveTextAsync(new Regex($@"^{Int(c, "answered")}gem\. {Math.Round(c["averageSpeedOfAnswerSeconds"]!.GetValue<double>())} s$"));
            await Expect(tile.Locator("[data-f='abandoned'] small")).ToHaveTextAsync($"{Int(c, "abandonedAfterGrace")} van {Int(c, "answered") + Int(c, "abandonedAfterGrace")}");
            await Expect(tile.Locator("[data-f='overflow']")).ToHaveTextAsync($"{Int(c, "overflowIn")} / {Int(c, "overflowOut")}");
            await Expect(tile.Locator(".sl-value")).ToHaveTextAsync(Percent(c["serviceLevel"]));
        }
        await Expect(board.Locator("#municipality [data-f='sl'] .sl-value")).ToHaveTextAsync(Percent(municipality["serviceLevel"]));
        await Expect(board.Locator("#municipality [data-f='abandoned'] small")).ToHaveTextAsync($"{Int(municipality, "abandonedAfterGrace")} van {Int(municipality, "answered") + Int(municipality, "abandonedAfterGrace")}");

        // The CSV (keys) counts the same, by the rule the README gives.
        var keys = await host.Api.GetByteArrayAsync($"/api/reports/contacts.csv?date={monday:yyyy-MM-dd}&columns=keys");
        var lines = Encoding.UTF8.GetString(keys).TrimStart('\uFEFF').Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var header = lines[0].Split(';');
        var rows = lines[1..].Select(l => header.Zip(l.Split(';')).ToDictionary(p => p.First, p => p.Second)).ToList();
        rows.Should().HaveCount(3, "one row per contact");
        foreach (var c in centres)
        {
            var id = c["centre"]!.GetValue<string>();
            new[]
            {
                rows.Count(r => r["homeCentre"] == id), rows.Count(r => r["centre"] == id && r["hops"] != "0"),
                rows.Count(r => r["homeCentre"] == id && r["centre"] != id), rows.Count(r => r["answeringCentre"] == id),
                rows.Count(r => r["centre"] == id && r["status"] == "abandoned"), rows.Count(r => r["centre"] == id && r["abandonedAfterGrace"] == "true"),
            }.Should().Equal([Int(c, "arrived"), Int(c, "overflowIn"), Int(c, "overflowOut"), Int(c, "answered"), Int(c, "abandoned"), Int(c, "abandonedAfterGrace")],
                $"{id} counted from the CSV");
        }
        rows.Count(r => r["answeredWithinTarget"] == "true").Should().Be(Int(municipality, "answeredWithinTarget"));

        // The Dutch CSV from the dashboard: its times are Amsterdam's, as on every screen.
        await board.GetByLabel("Datum").FillAsync(monday.ToString("yyyy-MM-dd"));
        var download = await board.RunAndWaitForDownloadAsync(() => board.GetByRole(AriaRole.Link, new() { Name = "CSV downloaden" }).ClickAsync());
        var dutch = (await File.ReadAllTextAsync(await download.PathAsync(), Encoding.UTF8)).TrimStart('\uFEFF');
        var queuedAt = DateTimeOffset.Parse((await host.Json(await host.Api.GetAsync($"/api/contacts/{answered}")))["queuedAt"]!.GetValue<string>(), CultureInfo.InvariantCulture);
        dutch.Should().Contain(TimeZoneInfo.ConvertTime(queuedAt, Amsterdam).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture))
            .And.NotContain(queuedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture));

        // The people list's times are Amsterdam's too.
        var people = await host.Json(await host.SignedIn(Person.TeamLead("sociaal"), out _).GetAsync("/api/centres/sociaal/people"));
        foreach (var a in people["agents"]!.AsArray())
        {
            var since = DateTimeOffset.Parse(a!["since"]!.GetValue<string>(), CultureInfo.InvariantCulture);
            await Expect(board.Locator($"tr[data-agent='{a["agentId"]}'] [data-f='since']"))
                .ToHaveTextAsync(new Regex($@"^{TimeZoneInfo.ConvertTime(since, Amsterdam):HH:mm} \("));
        }
        await NoEnglish(board, "team lead");
        await lead.Snapshot("whole-day-teamlead");
    }

    /// <summary>No English word or ISO instant in what the page shows (its visible text, not its markup).</summary>
    private static async Task NoEnglish(IPage page, string console)
    {
        var text = await page.Locator("body").InnerTextAsync();
        English.Matches(text).Select(m => m.Value).Should().BeEmpty($"the {console} speaks Dutch; it showed: {text}");
    }

    private static int Int(JsonNode node, string name) => node[name]!.GetValue<int>();

    private static string Percent(JsonNode? share) => share is null ? "–" : $"{Math.Round(share.GetValue<double>() * 100)} %";

    private static DateTimeOffset At(DateOnly day, int hour, int minute = 0)
    {
        var local = day.ToDateTime(new TimeOnly(hour, minute));
        return new DateTimeOffset(local, Amsterdam.GetUtcOffset(local));
    }
}
