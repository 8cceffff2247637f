using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
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

        var response = await _http.GetAsync("/api/reports/contacts.csv?date=2026-11-23&centre=sociaal&columns=keys");
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
        rows[0]["answeringCentre"].Should().Be("sociaal");
        rows[0]["answeredWithinTarget"].Should().Be("true");
        rows[0]["queuedAt"].Should().Be("2026-11-23T10:00:00+01:00", "the municipality's wall clock, with its offset");
        rows[1]["status"].Should().Be("abandoned");
        rows[1]["answeringCentre"].Should().BeEmpty();
        var text = string.Join("\n", lines);
        text.Should().NotContain("+3161234").And.NotContain("geheim", "no caller number or summary leaves in a report");

        (await _http.GetStringAsync("/api/reports/contacts.csv?date=2026-11-22")).Split("\r\n", StringSplitOptions.RemoveEmptyEntries)
            .Should().HaveCount(1, "nothing happened the day before");
        await (await _http.GetAsync("/api/reports/contacts.csv?date=23-11-2026")).ShouldBeProblem(HttpStatusCode.BadRequest, "date");
        await (await _http.GetAsync("/api/reports/contacts.csv?centre=nowhere")).ShouldBeProblem(HttpStatusCode.BadRequest, "centre");
        await (await _http.GetAsync("/api/reports/contacts.csv?columns=french")).ShouldBeProblem(HttpStatusCode.BadRequest, "columns");
    }

    [Fact]
    public async Task Should_speak_Dutch_in_Amsterdam_time_by_default()
    {
        await _http.PutAgent("anna", "sociaal", new { sociaal = 5 });
        var answered = await _http.Call("sociaal");
        await _http.ContactWhen(answered, "queued");
        // Anna signs on only after the caller has waited 40 s (an offer would time out before that).
        _router.Time.Advance(TimeSpan.FromSeconds(40));
        await _http.SetStatus("anna", "available");
        await _http.AgentWhen("anna", a => (string?)a["offer"]?["contactId"] == answered, "the offer");
        (await _http.PostAsJsonAsync("/api/agents/anna/accept", new { contactId = answered })).StatusCode.Should().Be(HttpStatusCode.OK);
        (await _http.PostAsJsonAsync($"/api/contacts/{answered}/complete", new { outcome = "resolved" })).StatusCode.Should().Be(HttpStatusCode.OK);

        var rows = await Csv("/api/reports/contacts.csv?date=2026-11-23");

        var row = rows.Single();
        row.Keys.Should().ContainInOrder("Contact", "Binnengekomen bij", "Laatste centrum", "Beantwoord door", "Kanaal");
        row["Binnengekomen bij"].Should().Be("Sociaal Domein");
        row["Beantwoord door"].Should().Be("Sociaal Domein");
        row["Status"].Should().Be("afgerond");
        row["Uitkomst"].Should().Be("opgelost");
        row["Binnengekomen om"].Should().Be("2026-11-23 10:00:00", "09:00 UTC is 10:00 in Amsterdam in November");
        row["Opgenomen om"].Should().Be("2026-11-23 10:00:40");
        row["Binnen de norm opgenomen"].Should().Be("nee", "40 s is past the 30 s target");
        row["Overgelopen"].Should().Be("nee");
    }

    private async Task<List<Dictionary<string, string>>> Csv(string path)
    {
        var bytes = await _http.GetByteArrayAsync(path);
        var lines = Encoding.UTF8.GetString(bytes[3..]).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var header = lines[0].Split(';');
        return lines[1..].Select(l => header.Zip(l.Split(';')).ToDictionary(p => p.First, p => p.Second)).ToList();
    }
}

/// <summary>
/// The day's numbers add up the same way on the dashboard (GET /api/centres, which the team lead's stream sends), for the
/// municipality (GET /api/centres/municipality) and in the CSV, overflow and hang-ups included (README, "The day's numbers").
/// </summary>
public sealed class When_the_days_numbers_are_added_up : RouterSpec
{
    [Fact]
    public async Task Should_give_the_same_counts_per_centre_and_for_the_municipality_in_the_api_and_in_the_csv()
    {
        // Fysiek has nobody; Eva of Sociaal also knows Fysiek's domain.
        (await _http.PutAgent("eva", "sociaal", new { sociaal = 5, fysiek = 2 })).StatusCode.Should().Be(HttpStatusCode.OK);
        (await _http.SetStatus("eva", "available")).StatusCode.Should().Be(HttpStatusCode.OK);
        var moved = await _http.Call("fysiek", "+31600000001");
        await _http.ContactWhen(moved, "queued");
        _router.Time.Advance(TimeSpan.FromSeconds(21));
        await _http.AgentWhen("eva", a => (string?)a["offer"]?["contactId"] == moved, "the overflowed offer");
        (await _http.PostAsJsonAsync("/api/agents/eva/accept", new { contactId = moved })).StatusCode.Should().Be(HttpStatusCode.OK);

        var shortHangUp = await _http.Call("fysiek", "+31600000002");
        await _http.ContactWhen(shortHangUp, "queued");
        _router.Time.Advance(TimeSpan.FromSeconds(3));
        (await _http.PostAsync($"/api/contacts/{shortHangUp}/abandon", null)).StatusCode.Should().Be(HttpStatusCode.OK);
        var lateHangUp = await _http.Call("fysiek", "+31600000003");
        await _http.ContactWhen(lateHangUp, "queued");
        _router.Time.Advance(TimeSpan.FromSeconds(10));
        (await _http.PostAsync($"/api/contacts/{lateHangUp}/abandon", null)).StatusCode.Should().Be(HttpStatusCode.OK);
        var waiting = await _http.Call("sociaal", "+31600000004");
        await _http.ContactWhen(waiting, "queued");

        var centres = (await _http.GetJson("/api/centres")).AsArray().ToDictionary(c => (string)c!["centre"]!, c => c!);
        var fysiek = centres["fysiek"];
        Int(fysiek, "arrived").Should().Be(3);
        Int(fysiek, "offered").Should().Be(3);
        Int(fysiek, "overflowOut").Should().Be(1);
        Int(fysiek, "abandoned").Should().Be(2);
        Int(fysiek, "abandonedAfterGrace").Should().Be(1, "the 3 s hang-up is within the 5 s grace");
        fysiek["serviceLevel"]!.GetValue<double>().Should().Be(0, "nobody answered here, one caller gave up after the grace");
        var sociaal = centres["sociaal"];
        Int(sociaal, "arrived").Should().Be(1);
        Int(sociaal, "overflowIn").Should().Be(1);
        Int(sociaal, "offered").Should().Be(2, "what it answers it was offered: its own caller and the one moved to it");
        Int(sociaal, "answered").Should().Be(1);
        foreach (var c in centres.Values)
            Int(c, "offered").Should().Be(Int(c, "answered") + Int(c, "abandoned") + Int(c, "overflowOut") + Int(c, "waiting"),
                $"{c["centre"]}'s offered contacts are answered, abandoned, moved on or waiting");

        var municipality = await _http.GetJson("/api/centres/municipality");
        Int(municipality, "offered").Should().Be(4, "four people called; the moved one counts once");
        Int(municipality, "answered").Should().Be(1);
        Int(municipality, "abandoned").Should().Be(2);
        Int(municipality, "abandonedAfterGrace").Should().Be(1);
        Int(municipality, "waiting").Should().Be(1);
        municipality["serviceLevel"]!.GetValue<double>().Should().Be(0.5);
        municipality["abandonedShare"]!.GetValue<double>().Should().Be(0.5);

        // The CSV, one row per contact, adds up to the same numbers by the rule the README gives.
        var bytes = await _http.GetByteArrayAsync("/api/reports/contacts.csv?date=2026-11-23&columns=keys");
        var lines = Encoding.UTF8.GetString(bytes[3..]).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var header = lines[0].Split(';');
        var rows = lines[1..].Select(l => header.Zip(l.Split(';')).ToDictionary(p => p.First, p => p.Second)).ToList();
        rows.Should().HaveCount(4, "one row per contact");
        foreach (var (id, c) in centres)
        {
            var arrived = rows.Count(r => r["homeCentre"] == id);
            var overflowIn = rows.Count(r => r["centre"] == id && r["hops"] != "0");
            var overflowOut = rows.Count(r => r["homeCentre"] == id && r["centre"] != id);
            var answered = rows.Count(r => r["answeringCentre"] == id);
            var withinTarget = rows.Count(r => r["answeringCentre"] == id && r["answeredWithinTarget"] == "true");
            var abandoned = rows.Count(r => r["centre"] == id && r["status"] == "abandoned");
            var afterGrace = rows.Count(r => r["centre"] == id && r["abandonedAfterGrace"] == "true");
            new[] { arrived, overflowIn, overflowOut, answered, withinTarget, abandoned, afterGrace }.Should().Equal(
                [Int(c, "arrived"), Int(c, "overflowIn"), Int(c, "overflowOut"), Int(c, "answered"), Int(c, "answeredWithinTarget"),
                 Int(c, "abandoned"), Int(c, "abandonedAfterGrace")], $"{id} counted from the CSV");
        }
        rows.Count(r => r["answeredWithinTarget"] == "true").Should().Be(Int(municipality, "answeredWithinTarget"));
        rows.Count(r => r["abandonedAfterGrace"] == "true").Should().Be(Int(municipality, "abandonedAfterGrace"));
    }

    private static int Int(JsonNode node, string name) => node[name]!.GetValue<int>();
}
