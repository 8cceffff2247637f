using System.Net.Http.Json;
using ContactRouter.Tests;
using Microsoft.Extensions.DependencyInjection;

namespace ContactRouter.Browser.Tests;

/// <summary>
/// "Afspraak is afspraak": a callback that will likely be late is an alert on top of the team lead's dashboard, live,
/// the moment the scheduler sees it at risk. The server's clock stands on a Monday morning in Amsterdam, a week ahead.
/// </summary>
public sealed class When_a_callback_is_at_risk(ConsoleHost host) : IClassFixture<ConsoleHost>
{
    private static readonly TimeZoneInfo Amsterdam = TimeZoneInfo.FindSystemTimeZoneById("Europe/Amsterdam");

    [Fact]
    public async Task Should_alert_the_team_lead_live()
    {
        var monday = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(7);
        while (monday.DayOfWeek != DayOfWeek.Monday) monday = monday.AddDays(1);
        // 10:15, not earlier: the step to 10:31 below must stay within the session's idle timeout (30 min), or the
        // console is rightly signed out before it can show the alert.
        host.Clock.Set(At(monday, 10, 15));
        // Between 10:30 and 11:00; nobody works at Sociaal Domein, so no attempt will be made in time.
        var booked = await host.Json(await host.Api.PostAsJsonAsync("/api/callbacks", new
        {
            centre = "sociaal", caller = "+31655660011", question = "Vraag over bijzondere bijstand", notBefore = At(monday, 10, 30), notAfter = At(monday, 11),
        }));
        booked["centre"]!.GetValue<string>().Should().Be("sociaal");

        await using var console = await host.Open("/teamlead", nameof(When_a_callback_is_at_risk), Person.TeamLead("sociaal"));
        var page = console.Page;
        var callbacks = page.Locator("article[data-centre='sociaal'] [data-f='callbacks']");
        await Expect(page.Locator("#connection")).ToHaveTextAsync("Live");
        await Expect(callbacks).ToHaveTextAsync("1 / 0");
        await Expect(page.Locator("#alerts")).ToBeHiddenAsync();

        // 10:31: less than the 30-minute margin is left before 11:00. The scheduler's round (every 15 s) is run at once.
        host.Clock.Set(At(monday, 10, 31));
        await using (var scope = host.Services.CreateAsyncScope())
            await ContactRouter.Components.CallbackScheduler.RunOnce(scope.ServiceProvider, CancellationToken.None);

        await Expect(callbacks).ToHaveTextAsync("1 / 1");
        var alert = page.Locator("#alerts li", new() { HasText = "terugbelafspraak" });
        await Expect(alert).ToHaveTextAsync("Sociaal Domein: 1 terugbelafspraak dreigt te laat te worden");
        await Expect(alert).ToHaveAttributeAsync("data-level", "amber");
        await Expect(page.Locator("#alerts")).ToBeVisibleAsync();
        var row = (await host.Json(await host.Api.GetAsync("/api/centres"))).AsArray().Single(r => (string?)r!["centre"] == "sociaal")!;
        row["callbacksAtRisk"]!.GetValue<int>().Should().Be(1);
    }

    private static DateTimeOffset At(DateOnly day, int hour, int minute = 0)
    {
        var local = day.ToDateTime(new TimeOnly(hour, minute));
        return new DateTimeOffset(local, Amsterdam.GetUtcOffset(local));
    }
}
