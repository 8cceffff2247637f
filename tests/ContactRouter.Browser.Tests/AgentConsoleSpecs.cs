using System.Net.Http.Json;
using ContactRouter.Tests;
using Microsoft.Extensions.DependencyInjection;

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

        await using var console = await host.Open("/agent", nameof(When_an_agent_takes_a_call_in_the_console), Person.Agent("anna"));
        var page = console.Page;
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
        // The host's offer timeout is 2 minutes: the countdown starts at 120 s at most (it once began a second above).
        await Expect(page.Locator("#offer-countdown")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^Nog (\d{1,2}|1[01]\d|120) s om aan te nemen$"));
        // An agent with another window in front sees it on the tab.
        await Expect(page).ToHaveTitleAsync("🔔 Gesprek gaat over — ContactRouter");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Aannemen" })).ToBeFocusedAsync();

        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("#call")).ToBeVisibleAsync();
        await Expect(offer).ToBeHiddenAsync();
        await Expect(page.Locator("#agent-status")).ToHaveTextAsync("In gesprek");
        await Expect(page).ToHaveTitleAsync("Medewerkersconsole — ContactRouter");
        await Expect(page.Locator("#call .caller")).ToHaveTextAsync("+31687654321");

        // A break asked for during the call waits for its end, and says so.
        await Expect(page.Locator("#break-pending")).ToBeHiddenAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Pauze" }).ClickAsync();
        await Expect(page.Locator("#break-pending")).ToHaveTextAsync("Pauze aangevraagd: na dit gesprek en het nawerk gaat u met pauze.");
        await Expect(page.Locator("#agent-status")).ToHaveTextAsync("In gesprek");

        // A reload during the call keeps what was typed and chosen.
        await page.GetByLabel("Uitkomst").SelectOptionAsync("transferred");
        await page.GetByLabel("Korte samenvatting").FillAsync("Vraag over omgevingsvergunning");
        await page.ReloadAsync();
        await Expect(page.Locator("#call .caller")).ToHaveTextAsync("+31687654321");
        await Expect(page.GetByLabel("Korte samenvatting")).ToHaveValueAsync("Vraag over omgevingsvergunning");
        await Expect(page.GetByLabel("Uitkomst")).ToHaveValueAsync("transferred");

        await page.GetByLabel("Uitkomst").SelectOptionAsync("resolved");
        await page.GetByLabel("Korte samenvatting").FillAsync("Vraag over omgevingsvergunning dakkapel beantwoord.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Afronden" }).ClickAsync();
        await Expect(page.Locator("#wrapup")).ToBeVisibleAsync();
        await Expect(page.Locator("#wrapup-countdown")).ToContainTextAsync("tot het volgende gesprek");
        // Completed: the draft is gone from the tab's storage.
        (await page.EvaluateAsync<int>("() => Object.keys(sessionStorage).filter(k => k.startsWith('contactrouter.draft.')).length")).Should().Be(0);

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

        // Straight to the desk; Bram is still in wrap-up and clicks available at once, before the page's stream has
        // said anything (the console knows who sits there from the sign-in).
        await using var console = await host.Open("/agent", nameof(When_an_overflowed_caller_rings_at_an_agent), Person.Agent("bram"));
        var page = console.Page;
        await page.GetByRole(AriaRole.Button, new() { Name = "Beschikbaar" }).ClickAsync();
        await Expect(page.Locator("#agent-status")).ToHaveTextAsync("Beschikbaar");

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

/// <summary>A callback appointment falls due and rings at an agent, who sees the question and reaches the customer.</summary>
public sealed class When_a_callback_rings_at_an_agent(ConsoleHost host) : IClassFixture<ConsoleHost>
{
    private static readonly TimeZoneInfo Amsterdam = TimeZoneInfo.FindSystemTimeZoneById("Europe/Amsterdam");

    [Fact]
    public async Task Should_show_the_question_to_call_back_about_and_end_in_reached()
    {
        // A working-day morning at the municipality, whatever the hour of the test run.
        var morning = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(1);
        while (morning.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday) morning = morning.AddDays(1);
        var nine = morning.ToDateTime(new TimeOnly(9, 0));
        host.Clock.Set(new DateTimeOffset(nine, Amsterdam.GetUtcOffset(nine)));

        await host.PutAgent("carla", "Carla Mulder", "sociaal", new { sociaal = 5 });
        (await host.Api.PostAsJsonAsync("/api/agents/carla/status", new { status = "available" })).EnsureSuccessStatusCode();
        var booked = await host.Json(await host.Api.PostAsJsonAsync("/api/callbacks", new
        {
            centre = "sociaal", caller = "+31633445566", name = "Mw. Yilmaz", question = "Status van de aanvraag huishoudelijke hulp?",
        }));
        var callbackId = booked["callbackId"]!.GetValue<string>();

        await using var console = await host.Open("/agent", nameof(When_a_callback_rings_at_an_agent), Person.Agent("carla"));
        var page = console.Page;
        await Expect(page.Locator("#agent-status")).ToHaveTextAsync("Beschikbaar");

        // The slot begins: a scheduler round queues the outbound call at Sociaal Domein. This one, or the host's
        // own round every 15 s if it came first (the appointment's version lets only one of them queue it).
        host.Clock.Set(booked["slotStart"]!.GetValue<DateTimeOffset>().AddSeconds(1));
        await using (var scope = host.Services.CreateAsyncScope())
            await ContactRouter.Components.CallbackScheduler.RunOnce(scope.ServiceProvider, CancellationToken.None);

        var offer = page.Locator("#offer");
        await Expect(offer).ToBeVisibleAsync();
        await Expect(offer.Locator("h2")).ToHaveTextAsync("Terugbelafspraak: bel de klant");
        await Expect(offer.Locator("#callback-question")).ToContainTextAsync("Status van de aanvraag huishoudelijke hulp?");
        // The first call of the appointment is its first attempt (it once said "Poging 2").
        await Expect(offer.Locator("#callback-question")).ToContainTextAsync("Poging 1;");
        await Expect(offer.Locator(".caller")).ToHaveTextAsync("+31633445566");
        await page.GetByRole(AriaRole.Button, new() { Name = "Aannemen" }).ClickAsync();

        await Expect(page.Locator("#call #callback-question")).ToBeVisibleAsync();
        await Expect(page.GetByLabel("Uitkomst").Locator("option")).ToHaveTextAsync(["Bereikt", "Niet bereikt"]);
        await page.GetByLabel("Uitkomst").SelectOptionAsync("reached");
        await page.GetByLabel("Korte samenvatting").FillAsync("Aanvraag loopt; besluit volgt binnen twee weken.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Afronden" }).ClickAsync();
        await Expect(page.Locator("#wrapup")).ToBeVisibleAsync();

        await host.Until(async () => (await host.Json(await host.Api.GetAsync($"/api/callbacks/{callbackId}")))["status"]!.GetValue<string>() == "done",
            "the callback to be done");
    }
}

/// <summary>
/// An agent with another window in front must still notice a call: the console plays two tones and, with the agent's
/// permission, shows a desktop notification without the caller's number. The page's own Web Audio and Notification
/// objects are watched (not replaced), and "another window in front" is the document reporting itself hidden.
/// </summary>
public sealed class When_an_offer_rings_while_the_console_is_behind_another_window(ConsoleHost host) : IClassFixture<ConsoleHost>
{
    private const string Watch = """
        window.__tones = 0;
        window.__notifications = [];
        const start = OscillatorNode.prototype.start;
        OscillatorNode.prototype.start = function (...args) { window.__tones++; return start.apply(this, args); };
        const Real = window.Notification;
        window.Notification = class extends Real {
          constructor(title, options) { super(title, options); window.__notifications.push({ title, body: options?.body ?? '' }); }
        };
        Object.defineProperty(document, 'visibilityState', { get: () => window.__behind ? 'hidden' : 'visible' });
        """;

    [Fact]
    public async Task Should_ring_and_notify_without_the_callers_number()
    {
        await host.PutAgent("dirk", "Dirk Smit", "bedrijfsvoering", new { bedrijfsvoering = 5 });
        await using var console = await host.Open("/agent", nameof(When_an_offer_rings_while_the_console_is_behind_another_window), Person.Agent("dirk"));
        var page = console.Page;
        await page.Context.GrantPermissionsAsync(["notifications"]);
        await page.AddInitScriptAsync(Watch);
        await page.ReloadAsync();
        await Expect(page.Locator("#connection")).ToHaveTextAsync("Live");
        // The presence button is the user gesture that lets the page make sound.
        await page.GetByRole(AriaRole.Button, new() { Name = "Beschikbaar" }).ClickAsync();
        await Expect(page.Locator("#agent-status")).ToHaveTextAsync("Beschikbaar");
        await page.EvaluateAsync("window.__behind = true");

        await host.Call("bedrijfsvoering", "+31699887766");

        await Expect(page.Locator("#offer")).ToBeVisibleAsync();
        await Expect(page).ToHaveTitleAsync("🔔 Gesprek gaat over — ContactRouter");
        (await page.EvaluateAsync<int>("window.__tones")).Should().Be(2, "two short tones per offer");
        var notifications = await page.EvaluateAsync<Notice[]>("window.__notifications");
        notifications.Should().ContainSingle().Which.Title.Should().Be("Inkomend gesprek");
        notifications[0].Body.Should().NotContain("699887766", "the caller's number stays in the console, off the desktop");
    }

    public sealed class Notice
    {
        public string Title { get; set; } = "";
        public string Body { get; set; } = "";
    }
}
