using System.Net;
using System.Text.Json.Nodes;

namespace ContactRouter.Tests;

/// <summary>The team lead's live feed: GET /api/centres/stream sends the centre rows whenever they change.</summary>
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

        await _http.PutAgent("anna", "sociaal", new { sociaal = 5 });
        await _http.SetStatus("anna", "available");
        _router.Time.Advance(TimeSpan.FromSeconds(1));
        var second = await Sse.Next(reader, "centres");
        Sociaal(second)["agents"]!["available"]!.GetValue<int>().Should().Be(1);
    }

    private static JsonNode Sociaal(JsonNode rows) => rows.AsArray().Single(r => (string?)r!["centre"] == "sociaal")!;
}
