using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace ContactRouter.Tests.Callbacks;

/// <summary>What the reception desk and the agent console do with callback appointments, as small helpers.</summary>
public static class CallbackCalls
{
    public const string Caller = "+31612345678";
    public const string Question = "Wanneer wordt mijn Wmo-aanvraag behandeld?";

    /// <summary>Monday 23 November 2026 (CET, UTC+1), the day of <see cref="RouterFactory.NewClock"/>: 09:00Z is 10:00 in Amsterdam.</summary>
    public static DateTimeOffset Monday(int hourUtc, int minute = 0, int second = 0) => new(2026, 11, 23, hourUtc, minute, second, TimeSpan.Zero);

    public static DateTimeOffset Utc(int month, int day, int hour, int minute = 0) => new(2026, month, day, hour, minute, 0, TimeSpan.Zero);

    public static Task<HttpResponseMessage> Book(this HttpClient http, string centre, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null,
        string question = Question, string? idempotencyKey = null, string caller = Caller)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/callbacks")
        {
            Content = JsonContent.Create(new { centre, caller, name = "J. de Vries", question, notBefore, notAfter }),
        };
        if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
        return http.SendAsync(request);
    }

    /// <summary>Books and insists on 201 Created; returns the answer.</summary>
    public static async Task<JsonNode> Booked(this HttpClient http, string centre, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null,
        string question = Question, string? idempotencyKey = null)
    {
        var response = await http.Book(centre, notBefore, notAfter, question, idempotencyKey);
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.Created, text);
        var body = JsonNode.Parse(text)!;
        response.Headers.Location!.ToString().Should().Be($"/api/callbacks/{Id(body)}");
        return body;
    }

    public static string Id(JsonNode callback) => callback["callbackId"]!.GetValue<string>();
    public static string Str(this JsonNode node, string name) => node[name]!.GetValue<string>();
    public static DateTimeOffset At(this JsonNode node, string name) => node[name]!.GetValue<DateTimeOffset>();

    public static Task<JsonNode> Callback(this HttpClient http, string callbackId) => http.GetJson($"/api/callbacks/{callbackId}");

    public static Task<JsonNode> CallbackWhen(this HttpClient http, string callbackId, string status) =>
        Api.Eventually(() => http.Callback(callbackId), c => (string?)c["status"] == status, $"callback {callbackId} to be {status}");

    public static async Task<JsonNode> Centre(this HttpClient http, string centre) =>
        (await http.GetJson("/api/centres")).AsArray().Single(c => (string?)c!["centre"] == centre)!;

    /// <summary>Moves the virtual clock to <paramref name="at"/> plus one scheduler interval, so the scheduler's timer ticks at or after it.</summary>
    public static void AdvanceTo(this Microsoft.Extensions.Time.Testing.FakeTimeProvider clock, DateTimeOffset at)
    {
        var delta = at + TimeSpan.FromSeconds(15) - clock.GetUtcNow();
        if (delta > TimeSpan.Zero) clock.Advance(delta);
    }

    /// <summary>Waits for the agent's offer of <paramref name="contactId"/>; returns the offer.</summary>
    public static async Task<JsonNode> OfferOf(this HttpClient http, string agentId, string contactId) =>
        (await http.AgentWhen(agentId, a => (string?)a["offer"]?["contactId"] == contactId, $"the offer of {contactId}"))["offer"]!;

    public static async Task Accept(this HttpClient http, string agentId, string contactId)
    {
        var response = await http.PostAsJsonAsync($"/api/agents/{agentId}/accept", new { contactId });
        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    public static async Task Complete(this HttpClient http, string contactId, string outcome)
    {
        var response = await http.PostAsJsonAsync($"/api/contacts/{contactId}/complete", new { outcome, summary = "teruggebeld" });
        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    public static async Task AvailableAgent(this HttpClient http, string agentId, string centre, object skills)
    {
        var put = await http.PutAgent(agentId, centre, skills);
        put.StatusCode.Should().Be(HttpStatusCode.OK, await put.Content.ReadAsStringAsync());
        var status = await http.SetStatus(agentId, "available");
        status.StatusCode.Should().Be(HttpStatusCode.OK, await status.Content.ReadAsStringAsync());
    }
}
