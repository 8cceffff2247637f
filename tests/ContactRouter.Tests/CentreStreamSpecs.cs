using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace ContactRouter.Tests;

/// <summary>
/// The team lead's live feed: GET /api/centres/stream sends the centre rows whenever they change, with the municipality's
/// day beside them (the dashboard's one face, from the same read).
/// </summary>
public sealed class When_a_team_lead_watches_the_centres_live : RouterSpec
{
    [Fact]
    public async Task Should_send_the_rows_at_once_and_again_when_a_centre_changes()
    {
        using var response = await _http.GetAsync("/api/centres/stream", HttpCompletionOption.ResponseHeadersRead);
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("text/event-stream");
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());

        var first = await Sse.Next(reader, "centres");
        Sociaal(first)["agents"]!["available"]!.GetValue<int>().Should().Be(0);

        // A new agent is on the tile at once, signed off, before they do anything.
        (await _http.PutAgent("anna", "sociaal", new { sociaal = 5 })).EnsureSuccessStatusCode();
        var registered = await Sse.Next(reader, "centres");
        Sociaal(registered)["agents"]!["offline"]!.GetValue<int>().Should().Be(1);

        await _http.SetStatus("anna", "available");
        _router.Time.Advance(TimeSpan.FromSeconds(1));
        var second = await Sse.Next(reader, "centres");
        Sociaal(second)["agents"]!["available"]!.GetValue<int>().Should().Be(1);
    }

    [Fact]
    public async Task Should_send_the_municipalitys_day_as_get_municipality_counts_it()
    {
        using var response = await _http.GetAsync("/api/centres/stream", HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var first = await Sse.Next(reader, "centres");
        first["municipality"]!["serviceLevel"].Should().BeNull("nobody was answered or hung up yet");

        // A caller at Fysiek Domein hangs up after the grace; one at Sociaal Domein is answered at once.
        var gone = await _http.Call("fysiek", caller: "+31611110002");
        _router.Time.Advance(TimeSpan.FromSeconds(10));
        (await _http.PostAsync($"/api/contacts/{gone}/abandon", null)).EnsureSuccessStatusCode();
        await _http.PutAgent("anna", "sociaal", new { sociaal = 5 });
        await _http.SetStatus("anna", "available");
        var answered = await _http.Call("sociaal", caller: "+31611110003");
        await Api.Eventually(() => _http.GetJson("/api/agents/anna"), a => a["offer"] is not null, "the caller to ring at Anna's desk");
        (await _http.PostAsJsonAsync("/api/agents/anna/accept", new { contactId = answered })).EnsureSuccessStatusCode();
        _router.Time.Advance(TimeSpan.FromSeconds(1));

        var view = await Sse.Next(reader, "centres", v => (int)v["municipality"]!["answered"]! == 1);
        var day = view["municipality"]!;
        // Sociaal Domein alone is at 100 %; the municipality counts Fysiek Domein's hang-up too: 1 of 2.
        Sociaal(view)["serviceLevel"]!.GetValue<double>().Should().Be(1);
        day["serviceLevel"]!.GetValue<double>().Should().Be(0.5);
        day["abandonedShare"]!.GetValue<double>().Should().Be(0.5);
        day["abandonedAfterGrace"]!.GetValue<int>().Should().Be(1);
        day["offered"]!.GetValue<int>().Should().Be(2);
        day["serviceLevelColour"]!.GetValue<string>().Should().Be("red");
        // The same as the municipality's own endpoint, and the sum of the rows beside it.
        var municipality = await _http.GetJson("/api/centres/municipality");
        foreach (var key in new[] { "offered", "answered", "answeredWithinTarget", "abandoned", "abandonedAfterGrace", "waiting" })
        {
            day[key]!.GetValue<int>().Should().Be(municipality[key]!.GetValue<int>(), key);
            day[key]!.GetValue<int>().Should().Be(view["centres"]!.AsArray().Sum(r => r![key]!.GetValue<int>()), key);
        }
    }

    private static JsonNode Sociaal(JsonNode view) => view["centres"]!.AsArray().Single(r => (string?)r!["centre"] == "sociaal")!;
}
