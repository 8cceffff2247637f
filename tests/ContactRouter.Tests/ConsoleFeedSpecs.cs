using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace ContactRouter.Tests;

/// <summary>An agent's console feed: GET /api/agents/{id}/stream sends the agent view whenever it changes.</summary>
public sealed class When_an_agent_console_listens_to_its_own_stream : RouterSpec
{
    [Fact]
    public async Task Should_send_the_clock_then_the_agent_and_the_offer_with_the_customer_view_when_a_caller_is_routed()
    {
        await _http.PutAgent("anna", "sociaal", new { sociaal = 5 });
        using var response = await _http.GetAsync("/api/agents/anna/stream", HttpCompletionOption.ResponseHeadersRead);
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());

        var clock = await Sse.Next(reader, "clock");
        clock.GetValue<DateTimeOffset>().Should().Be(_router.Time.GetUtcNow());
        (await Sse.Next(reader, "agent"))["status"]!.GetValue<string>().Should().Be("offline");

        await _http.SetStatus("anna", "available");
        _router.Time.Advance(TimeSpan.FromSeconds(1));
        (await Sse.Next(reader, "agent"))["status"]!.GetValue<string>().Should().Be("available");

        var contactId = await _http.Call("sociaal", caller: "+31611112222");
        await _http.ContactWhen(contactId, "offered");
        _router.Time.Advance(TimeSpan.FromSeconds(1));
        var ringing = await Sse.Next(reader, "agent");
        ringing["status"]!.GetValue<string>().Should().Be("offered");
        ringing["offer"]!["contactId"]!.GetValue<string>().Should().Be(contactId);
        ringing["offer"]!["caller"]!.GetValue<string>().Should().Be("+31611112222");

        (await _http.PostAsJsonAsync("/api/agents/anna/accept", new { contactId })).StatusCode.Should().Be(HttpStatusCode.OK);
        _router.Time.Advance(TimeSpan.FromSeconds(1));
        var connected = await Sse.Next(reader, "agent");
        connected["status"]!.GetValue<string>().Should().Be("busy");
        connected["offer"].Should().BeNull();
        connected["connected"]!["contactId"]!.GetValue<string>().Should().Be(contactId, "the console keeps showing who is on the line");
    }

    [Fact]
    public async Task Should_answer_404_naming_the_agent_for_an_unknown_agent()
    {
        var response = await _http.GetAsync("/api/agents/nobody/stream");
        await response.ShouldBeProblem(HttpStatusCode.NotFound, "agentId");
    }
}

/// <summary>The agent console's "who are you" list: GET /api/agents.</summary>
public sealed class When_a_console_lists_the_agents : RouterSpec
{
    [Fact]
    public async Task Should_list_every_agent_by_name_with_centre_and_status_and_filter_by_centre()
    {
        await _http.PutAgent("piet", "fysiek", new { fysiek = 4 }, name: "Piet");
        await _http.PutAgent("anna", "sociaal", new { sociaal = 5 }, name: "Anna");
        await _http.SetStatus("anna", "available");

        var all = (await _http.GetJson("/api/agents")).AsArray();
        all.Select(a => a!["agentId"]!.GetValue<string>()).Should().Equal("anna", "piet");
        all[0]!["status"]!.GetValue<string>().Should().Be("available");
        all[1]!["centre"]!.GetValue<string>().Should().Be("fysiek");

        var sociaal = (await _http.GetJson("/api/agents?centre=sociaal")).AsArray();
        sociaal.Select(a => a!["name"]!.GetValue<string>()).Should().Equal("Anna");
    }

    [Fact]
    public async Task Should_refuse_an_unknown_centre()
    {
        await (await _http.GetAsync("/api/agents?centre=kcc")).ShouldBeProblem(HttpStatusCode.BadRequest, "centre");
    }
}

/// <summary>The team lead's chart: GET /api/centres/history.</summary>
public sealed class When_a_team_lead_looks_at_the_last_hours : RouterSpec
{
    [Fact]
    public async Task Should_give_waiting_and_service_level_per_interval_per_centre()
    {
        await _http.PutAgent("anna", "sociaal", new { sociaal = 5 });
        await _http.SetStatus("anna", "available");
        var first = await _http.Call("sociaal", caller: "+31611112222");
        await _http.ContactWhen(first, "offered");
        var second = await _http.Call("sociaal", caller: "+31611113333");
        await _http.ContactWhen(second, "queued");
        _router.Time.Advance(TimeSpan.FromSeconds(10));
        (await _http.PostAsJsonAsync("/api/agents/anna/accept", new { contactId = first })).StatusCode.Should().Be(HttpStatusCode.OK);

        var history = (await _http.GetFromJsonAsync<JsonArray>("/api/centres/history?hours=2&minutes=30"))!;
        history.Select(c => c!["centre"]!.GetValue<string>()).Should().BeEquivalentTo(["burgerzaken", "fysiek", "sociaal", "bedrijfsvoering"]);
        var sociaal = history.Single(c => c!["centre"]!.GetValue<string>() == "sociaal")!;
        var points = sociaal["points"]!.AsArray();
        points.Should().HaveCount(4, "two hours of 30-minute intervals");
        var now = points[^1]!;
        now["at"]!.GetValue<DateTimeOffset>().Should().Be(new DateTimeOffset(2026, 11, 23, 9, 30, 0, TimeSpan.Zero), "the last interval holds now (09:00:10)");
        now["waiting"]!.GetValue<int>().Should().Be(1);
        now["answered"]!.GetValue<int>().Should().Be(1);
        now["serviceLevel"]!.GetValue<double>().Should().Be(1.0);
        points[0]!["waiting"]!.GetValue<int>().Should().Be(0);

        var tile = (await _http.GetJson("/api/centres")).AsArray().Single(c => c!["centre"]!.GetValue<string>() == "sociaal")!;
        tile["serviceLevelColour"]!.GetValue<string>().Should().Be("green");
        tile["serviceLevelGoal"]!.GetValue<double>().Should().Be(0.8);
        tile["abandonedShare"]!.GetValue<double>().Should().Be(0);
        var quiet = (await _http.GetJson("/api/centres")).AsArray().Single(c => c!["centre"]!.GetValue<string>() == "fysiek")!;
        quiet["serviceLevelColour"].Should().BeNull("nothing was answered there yet");
    }

    [Theory]
    [InlineData("hours=0", "hours")]
    [InlineData("hours=25", "hours")]
    [InlineData("minutes=7", "minutes")]
    [InlineData("minutes=120", "minutes")]
    public async Task Should_refuse_a_span_or_interval_it_cannot_chart(string query, string field)
    {
        var response = await _http.GetAsync($"/api/centres/history?{query}");
        await response.ShouldBeProblem(HttpStatusCode.BadRequest, field);
    }
}

/// <summary>Reads server-sent events the way a browser's EventSource does.</summary>
public static class Sse
{
    /// <summary>Reads up to the next event called <paramref name="name"/> and returns its data.</summary>
    public static async Task<JsonNode> Next(StreamReader reader, string name) => (await NextWithId(reader, name)).Data;

    /// <summary>Reads events called <paramref name="name"/> until one's data is <paramref name="wanted"/>.</summary>
    public static async Task<JsonNode> Next(StreamReader reader, string name, Func<JsonNode, bool> wanted)
    {
        while (true)
        {
            var data = await Next(reader, name);
            if (wanted(data)) return data;
        }
    }

    /// <summary>The next event called <paramref name="name"/>: its data and its id (null when it has none).</summary>
    public static async Task<(JsonNode Data, string? Id)> NextWithId(StreamReader reader, string name)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        string? eventName = null;
        string? id = null;
        JsonNode? data = null;
        while (await reader.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.Length == 0)
            {
                // An event ends with an empty line.
                if (eventName == name && data is not null) return (data, id);
                (eventName, id, data) = (null, null, null);
            }
            else if (line.StartsWith("event: ", StringComparison.Ordinal)) eventName = line[7..];
            else if (line.StartsWith("id: ", StringComparison.Ordinal)) id = line[4..];
            else if (line.StartsWith("data: ", StringComparison.Ordinal)) data = JsonNode.Parse(line[6..]);
        }
        throw new Xunit.Sdk.XunitException("The stream ended before the next event.");
    }
}
