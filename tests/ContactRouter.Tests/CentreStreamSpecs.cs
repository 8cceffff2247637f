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

        var first = await NextEvent(reader);
        Sociaal(first)["agents"]!["available"]!.GetValue<int>().Should().Be(0);

        await _http.PutAgent("anna", "sociaal", new { sociaal = 5 });
        await _http.SetStatus("anna", "available");
        _router.Time.Advance(TimeSpan.FromSeconds(1));
        var second = await NextEvent(reader);
        Sociaal(second)["agents"]!["available"]!.GetValue<int>().Should().Be(1);
    }

    private static JsonNode Sociaal(JsonNode rows) => rows.AsArray().Single(r => (string?)r!["centre"] == "sociaal")!;

    /// <summary>Reads up to the next "centres" event and returns its data.</summary>
    private static async Task<JsonNode> NextEvent(StreamReader reader)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        string? eventName = null;
        while (await reader.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal)) eventName = line[7..];
            else if (line.StartsWith("data: ", StringComparison.Ordinal) && eventName == "centres") return JsonNode.Parse(line[6..])!;
        }
        throw new Xunit.Sdk.XunitException("The stream ended before the next event.");
    }
}
