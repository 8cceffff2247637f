using System.Net;
using System.Net.Http.Json;

namespace ContactRouter.Tests;

/// <summary>An agent's day through the HTTP API, on the embedded default (in-memory bus, SQLite file).</summary>
public sealed class When_an_agent_takes_a_call : RouterSpec
{
    [Fact]
    public async Task Should_offer_answer_complete_wrap_up_and_count_it()
    {
        (await _http.PutAgent("anna", "sociaal", new { sociaal = 5, burgerzaken = 2 })).StatusCode.Should().Be(HttpStatusCode.OK);
        (await _http.SetStatus("anna", "available")).StatusCode.Should().Be(HttpStatusCode.OK);

        var contactId = await _http.Call("sociaal");
        var offered = await _http.AgentWhen("anna", a => a["offer"] is not null, "an offer");
        offered["status"]!.GetValue<string>().Should().Be("offered");
        offered["offer"]!["contactId"]!.GetValue<string>().Should().Be(contactId);
        offered["offer"]!["caller"]!.GetValue<string>().Should().Be("+31612345678");
        (await _http.GetJson($"/api/contacts/{contactId}"))["status"]!.GetValue<string>().Should().Be("offered");

        _router.Time.Advance(TimeSpan.FromSeconds(12));
        var accepted = await _http.PostAsJsonAsync("/api/agents/anna/accept", new { contactId });
        accepted.StatusCode.Should().Be(HttpStatusCode.OK, await accepted.Content.ReadAsStringAsync());
        (await accepted.Json())["status"]!.GetValue<string>().Should().Be("busy");
        var connected = await _http.GetJson($"/api/contacts/{contactId}");
        connected["status"]!.GetValue<string>().Should().Be("connected");
        connected["agentId"]!.GetValue<string>().Should().Be("anna");

        _router.Time.Advance(TimeSpan.FromMinutes(4));
        var completed = await _http.PostAsJsonAsync($"/api/contacts/{contactId}/complete", new { outcome = "resolved", summary = "Wmo-aanvraag uitgelegd" });
        completed.StatusCode.Should().Be(HttpStatusCode.OK, await completed.Content.ReadAsStringAsync());
        var done = await completed.Json();
        done["status"]!.GetValue<string>().Should().Be("completed");
        done["outcome"]!.GetValue<string>().Should().Be("resolved");
        done["completedAt"].Should().NotBeNull();
        (await _http.GetJson("/api/agents/anna"))["status"]!.GetValue<string>().Should().Be("wrapup");

        _router.Time.Advance(TimeSpan.FromSeconds(31));
        (await _http.GetJson("/api/agents/anna"))["status"]!.GetValue<string>().Should().Be("available");

        var sociaal = (await _http.GetJson("/api/centres")).AsArray().Single(c => (string?)c!["centre"] == "sociaal")!;
        sociaal["offered"]!.GetValue<int>().Should().Be(1);
        sociaal["answered"]!.GetValue<int>().Should().Be(1);
        sociaal["serviceLevel"]!.GetValue<double>().Should().Be(1.0, "answered after 12 s, within the 30 s target");
        sociaal["averageSpeedOfAnswerSeconds"]!.GetValue<double>().Should().BeApproximately(12, 0.01);
        sociaal["agents"]!["available"]!.GetValue<int>().Should().Be(1);
    }

    [Fact]
    public async Task Should_return_an_unanswered_offer_to_the_queue_and_mark_the_agent_not_responding()
    {
        await _http.PutAgent("bram", "fysiek", new { fysiek = 3 });
        await _http.SetStatus("bram", "available");
        var contactId = await _http.Call("fysiek");
        await _http.AgentWhen("bram", a => a["offer"] is not null, "an offer");

        _router.Time.Advance(TimeSpan.FromSeconds(16));
        await _http.ContactWhen(contactId, "queued");
        (await _http.GetJson("/api/agents/bram"))["status"]!.GetValue<string>().Should().Be("notresponding");

        await _http.SetStatus("bram", "available");
        var again = await _http.AgentWhen("bram", a => a["offer"] is not null, "the offer again");
        again["offer"]!["contactId"]!.GetValue<string>().Should().Be(contactId);
    }

    [Fact]
    public async Task Should_count_a_caller_who_hangs_up()
    {
        var contactId = await _http.Call("bedrijfsvoering");
        await _http.ContactWhen(contactId, "queued");
        _router.Time.Advance(TimeSpan.FromSeconds(40));
        var abandoned = await _http.PostAsync($"/api/contacts/{contactId}/abandon", null);
        abandoned.StatusCode.Should().Be(HttpStatusCode.OK);
        (await abandoned.Json())["status"]!.GetValue<string>().Should().Be("abandoned");
        var row = (await _http.GetJson("/api/centres")).AsArray().Single(c => (string?)c!["centre"] == "bedrijfsvoering")!;
        row["abandoned"]!.GetValue<int>().Should().Be(1);
        row["waiting"]!.GetValue<int>().Should().Be(0);
    }

    [Fact]
    public async Task Should_route_by_topic_when_no_centre_is_given()
    {
        var response = await _http.PostAsJsonAsync("/api/contacts", new { channel = "phone", caller = "0612345678", topic = "paspoort" });
        response.StatusCode.Should().Be(HttpStatusCode.Accepted);
        var body = await response.Json();
        body["centre"]!.GetValue<string>().Should().Be("burgerzaken");
        await _http.ContactWhen(body["contactId"]!.GetValue<string>(), "queued");
    }

    [Fact]
    public async Task Should_publish_an_openapi_document_and_health()
    {
        var openApi = await _http.GetJson("/openapi/v1.json");
        openApi["paths"]!["/api/contacts"].Should().NotBeNull();
        openApi["paths"]!["/api/agents/{agentId}/accept"].Should().NotBeNull();
        (await _http.GetStringAsync("/health")).Should().Be("Healthy");
        (await _http.GetStringAsync("/alive")).Should().Be("Healthy");
    }
}
