using System.Net;
using System.Net.Http.Json;

namespace ContactRouter.Tests;

/// <summary>Overflow through the whole host: router, centres and API on the embedded default.</summary>
public sealed class When_a_centre_has_no_free_agent_and_a_neighbour_has_one : RouterSpec
{
    [Fact]
    public async Task Should_offer_the_contact_to_the_neighbours_agent_after_the_threshold()
    {
        // Fysiek has nobody; Eva of Sociaal (a ring neighbour of Fysiek) also knows Fysiek's domain.
        (await _http.PutAgent("eva", "sociaal", new { sociaal = 5, fysiek = 2 })).StatusCode.Should().Be(HttpStatusCode.OK);
        (await _http.SetStatus("eva", "available")).StatusCode.Should().Be(HttpStatusCode.OK);
        var contactId = await _http.Call("fysiek");
        await _http.ContactWhen(contactId, "queued");

        _router.Time.Advance(TimeSpan.FromSeconds(21));
        var eva = await _http.AgentWhen("eva", a => a["offer"] is not null, "the overflowed offer");
        eva["offer"]!["contactId"]!.GetValue<string>().Should().Be(contactId);
        eva["offer"]!["homeCentre"]!.GetValue<string>().Should().Be("fysiek");
        eva["offer"]!["overflowed"]!.GetValue<bool>().Should().BeTrue();

        var contact = await _http.GetJson($"/api/contacts/{contactId}");
        contact["centre"]!.GetValue<string>().Should().Be("sociaal");
        contact["homeCentre"]!.GetValue<string>().Should().Be("fysiek");
        contact["overflowed"]!.GetValue<bool>().Should().BeTrue();
        contact["hops"]!.GetValue<int>().Should().Be(1);
        contact["queuedAt"]!.GetValue<DateTimeOffset>().Should().Be(RouterFactory.NewClock().GetUtcNow(), "a moved contact keeps its arrival time");

        var centres = (await _http.GetJson("/api/centres")).AsArray();
        centres.Single(c => (string?)c!["centre"] == "fysiek")!["overflowOut"]!.GetValue<int>().Should().Be(1);
        centres.Single(c => (string?)c!["centre"] == "sociaal")!["overflowIn"]!.GetValue<int>().Should().Be(1);

        (await _http.PostAsJsonAsync("/api/agents/eva/accept", new { contactId })).StatusCode.Should().Be(HttpStatusCode.OK);
        (await _http.GetJson($"/api/contacts/{contactId}"))["status"]!.GetValue<string>().Should().Be("connected");
    }

    [Fact]
    public async Task Should_not_move_a_contact_to_an_agent_without_the_skill()
    {
        (await _http.PutAgent("finn", "sociaal", new { sociaal = 5 })).StatusCode.Should().Be(HttpStatusCode.OK);
        (await _http.SetStatus("finn", "available")).StatusCode.Should().Be(HttpStatusCode.OK);
        var contactId = await _http.Call("fysiek");
        await _http.ContactWhen(contactId, "queued");

        _router.Time.Advance(TimeSpan.FromSeconds(21));
        // A later caller at Sociaal proves the router and centres have caught up: Finn takes that one.
        var sociaalCaller = await _http.Call("sociaal");
        await _http.AgentWhen("finn", a => (string?)a["offer"]?["contactId"] == sociaalCaller, "the Sociaal caller");
        var contact = await _http.GetJson($"/api/contacts/{contactId}");
        contact["centre"]!.GetValue<string>().Should().Be("fysiek");
        contact["hops"]!.GetValue<int>().Should().Be(0);
    }
}
