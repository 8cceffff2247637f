using System.Net;
using System.Net.Http.Json;
using System.Text;

namespace ContactRouter.Tests;

/// <summary>The day's contacts as CSV for the team lead's Excel.</summary>
public sealed class When_a_team_lead_exports_the_day : RouterSpec
{
    [Fact]
    public async Task Should_give_one_row_per_contact_of_that_day_and_centre_without_caller_details()
    {
        await _http.PutAgent("anna", "sociaal", new { sociaal = 5 });
        await _http.SetStatus("anna", "available");
        var answered = await _http.Call("sociaal", "+31612345678");
        await _http.AgentWhen("anna", a => (string?)a["offer"]?["contactId"] == answered, "the offer");
        _router.Time.Advance(TimeSpan.FromSeconds(8));
        (await _http.PostAsJsonAsync("/api/agents/anna/accept", new { contactId = answered })).StatusCode.Should().Be(HttpStatusCode.OK);
        (await _http.PostAsJsonAsync($"/api/contacts/{answered}/complete", new { outcome = "resolved", summary = "geheim" })).StatusCode.Should().Be(HttpStatusCode.OK);
        var abandoned = await _http.Call("sociaal", "+31687654321");
        await _http.ContactWhen(abandoned, "queued");
        (await _http.PostAsync($"/api/contacts/{abandoned}/abandon", null)).StatusCode.Should().Be(HttpStatusCode.OK);
        var elsewhere = await _http.Call("fysiek");
        await _http.ContactWhen(elsewhere, "queued");

        var response = await _http.GetAsync("/api/reports/contacts.csv?date=2026-11-23&centre=sociaal");
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("text/csv");
        var bytes = await response.Content.ReadAsByteArrayAsync();
        bytes.Take(3).Should().Equal(Encoding.UTF8.GetPreamble(), "Excel needs the BOM to read UTF-8");
        var lines = Encoding.UTF8.GetString(bytes[3..]).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        lines.Should().HaveCount(3, "a header and the two Sociaal contacts");
        var header = lines[0].Split(';');
        var rows = lines[1..].Select(l => header.Zip(l.Split(';')).ToDictionary(p => p.First, p => p.Second)).ToList();
        rows.Select(r => r["contactId"]).Should().Equal(answered, abandoned);
        rows[0]["status"].Should().Be("completed");
        rows[0]["agentId"].Should().Be("anna");
        rows[0]["outcome"].Should().Be("resolved");
        rows[0]["waitedSeconds"].Should().Be("8");
        rows[1]["status"].Should().Be("abandoned");
        var text = string.Join("\n", lines);
        text.Should().NotContain("+3161234").And.NotContain("geheim", "no caller number or summary leaves in a report");

        (await _http.GetStringAsync("/api/reports/contacts.csv?date=2026-11-22")).Split("\r\n", StringSplitOptions.RemoveEmptyEntries)
            .Should().HaveCount(1, "nothing happened the day before");
        await (await _http.GetAsync("/api/reports/contacts.csv?date=23-11-2026")).ShouldBeProblem(HttpStatusCode.BadRequest, "date");
        await (await _http.GetAsync("/api/reports/contacts.csv?centre=nowhere")).ShouldBeProblem(HttpStatusCode.BadRequest, "centre");
    }
}
