using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using MassTransit;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ContactRouter.Tests;

/// <summary>One caller, three centres, one overflow: whichever centre they reach knows their history.</summary>
public sealed class When_a_caller_has_contacted_several_centres : RouterSpec
{
    private const string Caller = "+31612345678";

    private async Task<string> CallAndFinish(string centre, string agent, string summary)
    {
        var contactId = await _http.Call(centre, Caller);
        await _http.AgentWhen(agent, a => (string?)a["offer"]?["contactId"] == contactId, $"{agent}'s offer");
        (await _http.PostAsJsonAsync($"/api/agents/{agent}/accept", new { contactId })).StatusCode.Should().Be(HttpStatusCode.OK);
        (await _http.PostAsJsonAsync($"/api/contacts/{contactId}/complete", new { outcome = "resolved", summary })).StatusCode.Should().Be(HttpStatusCode.OK);
        await _http.SetStatus(agent, "available");
        return contactId;
    }

    private Task<JsonNode> ViewWhen(Func<JsonNode, bool> done, string what) =>
        Api.Eventually(async () =>
        {
            var response = await _http.GetAsync($"/api/customers/{Uri.EscapeDataString(Caller)}?reason=test");
            return response.IsSuccessStatusCode ? await response.Json() : JsonNode.Parse("{}")!;
        }, done, what);

    [Fact]
    public async Task Should_show_every_contact_newest_first_and_log_each_read()
    {
        await _http.PutAgent("anna", "sociaal", new { sociaal = 5, fysiek = 2 });
        await _http.PutAgent("bart", "burgerzaken", new { burgerzaken = 5 });
        await _http.SetStatus("anna", "available");
        await _http.SetStatus("bart", "available");

        var first = await CallAndFinish("burgerzaken", "bart", "Paspoort aangevraagd");
        _router.Time.Advance(TimeSpan.FromMinutes(5));
        var second = await CallAndFinish("sociaal", "anna", "Wmo-aanvraag uitgelegd");
        _router.Time.Advance(TimeSpan.FromMinutes(5));
        // Fysiek has nobody: after the threshold Anna of Sociaal takes it.
        var third = await _http.Call("fysiek", Caller);
        await _http.ContactWhen(third, "queued");
        _router.Time.Advance(TimeSpan.FromSeconds(21));
        // The view is built from events in the background: wait until it has caught up with the two earlier calls.
        var offer = await _http.AgentWhen("anna", a => (string?)a["offer"]?["contactId"] == third
            && a["offer"]?["customer"]?["contacts"]?.AsArray().Count == 2, "the overflowed offer with the caller's history");

        // The offer carries the customer view: the two earlier contacts, at two other centres.
        var earlier = offer["offer"]!["customer"]!["contacts"]!.AsArray().Select(c => (string)c!["contactId"]!).ToList();
        earlier.Should().Equal(second, first);

        (await _http.PostAsJsonAsync("/api/agents/anna/accept", new { contactId = third })).StatusCode.Should().Be(HttpStatusCode.OK);
        (await _http.PostAsJsonAsync($"/api/contacts/{third}/complete", new { outcome = "callback", summary = "Vergunning: terugbellen" }))
            .StatusCode.Should().Be(HttpStatusCode.OK);

        // Reception books the callback Anna promised.
        var booked = await _http.PostAsJsonAsync("/api/callbacks", new { centre = "fysiek", caller = Caller, question = "Vergunning: stand van zaken" });
        booked.StatusCode.Should().Be(HttpStatusCode.Created, await booked.Content.ReadAsStringAsync());
        var callbackId = (await booked.Json())["callbackId"]!.GetValue<string>();

        var view = await ViewWhen(v => v["contacts"]?.AsArray().FirstOrDefault()?["outcome"] is not null && v["contacts"]!.AsArray().Count == 3, "three finished contacts");
        view["callbacks"]!.AsArray().Select(c => (string)c!["callbackId"]!).Should().Equal(callbackId);
        view["callbacks"]![0]!["question"]!.GetValue<string>().Should().Be("Vergunning: stand van zaken");
        var contacts = view["contacts"]!.AsArray();
        contacts.Select(c => (string)c!["contactId"]!).Should().Equal(third, second, first);
        contacts.Select(c => (string)c!["homeCentre"]!).Should().Equal("fysiek", "sociaal", "burgerzaken");
        contacts[0]!["centre"]!.GetValue<string>().Should().Be("sociaal");
        contacts[0]!["overflowed"]!.GetValue<bool>().Should().BeTrue();
        contacts[0]!["outcome"]!.GetValue<string>().Should().Be("callback");
        contacts[1]!["summary"]!.GetValue<string>().Should().Be("Wmo-aanvraag uitgelegd");
        contacts[2]!["agentId"]!.GetValue<string>().Should().Be("bart");

        // The access log names the signed-in user and role; a header claiming someone else changes nothing.
        var request = new HttpRequestMessage(HttpMethod.Get, $"/api/customers/{Uri.EscapeDataString(Caller)}?reason=callback%20booking");
        request.Headers.Add("X-User", "receptie-1");
        (await _router.As(Person.Reception).SendAsync(request)).StatusCode.Should().Be(HttpStatusCode.OK);
        var log = (await _http.GetJson($"/api/access-log?customer={Uri.EscapeDataString(Caller)}")).AsArray();
        log[0]!["who"]!.GetValue<string>().Should().Be("reception");
        log[0]!["role"]!.GetValue<string>().Should().Be("reception");
        log[0]!["why"]!.GetValue<string>().Should().Be("callback booking");
        log.Should().NotContain(e => (string)e!["who"]! == "receptie-1");
        log.Should().Contain(e => (string)e!["who"]! == "anna" && (string)e["role"]! == "agent" && (string)e["why"]! == $"contact {third}");
        log.Count(e => (string)e!["who"]! == "anna" && (string)e["why"]! == $"contact {third}").Should().Be(1, "a ringing console asks often but is logged once");
    }

    [Fact]
    public async Task Should_answer_a_problem_for_an_unknown_or_malformed_number()
    {
        await (await _http.GetAsync("/api/customers/%2B31699999999?reason=check")).ShouldBeProblem(HttpStatusCode.NotFound, "phone");
        await (await _http.GetAsync("/api/customers/12345?reason=check")).ShouldBeProblem(HttpStatusCode.BadRequest, "phone");
        await (await _http.GetAsync("/api/customers/%2B31612345678")).ShouldBeProblem(HttpStatusCode.BadRequest, "reason");
        (await _http.GetJson("/api/access-log?customer=%2B31699999999")).AsArray().Should().BeEmpty("nothing was read");
    }
}

/// <summary>The BSN: stored for matching, shown masked, and never in a bus message, a log line or an answer.</summary>
public sealed class When_a_customer_has_a_BSN : IAsyncLifetime
{
    private const string Caller = "+31687654321";
    private const string BsnValue = "111222333"; // passes the elfproef
    private readonly RouterFactory _router = new(RouterFactory.NewStorePath(), RouterFactory.NewClock());
    private readonly ConcurrentQueue<string> _logLines = new();
    private readonly ConcurrentQueue<string> _messages = new();
    private readonly ConcurrentQueue<string> _answers = new();
    private WebApplicationFactoryClient _client = null!;

    public Task InitializeAsync()
    {
        var host = _router.WithWebHostBuilder(b => b.ConfigureLogging(logging =>
        {
            logging.SetMinimumLevel(LogLevel.Trace);
            logging.AddProvider(new CapturingLoggerProvider(_logLines));
        }));
        _client = new WebApplicationFactoryClient(host.StaffClient(), _answers);
        var bus = host.Services.GetRequiredService<IBus>();
        var observer = new MessageCapture(_messages);
        bus.ConnectPublishObserver(observer);
        bus.ConnectSendObserver(observer);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _router.DisposeAsync();

    [Fact]
    public async Task Should_show_it_masked_and_never_let_it_travel()
    {
        var http = _client.Http;
        (await http.PutAgent("anna", "sociaal", new { sociaal = 5 })).StatusCode.Should().Be(HttpStatusCode.OK);
        await http.SetStatus("anna", "available");
        var first = await http.Call("sociaal", Caller);
        await http.ContactWhen(first, "offered");

        var put = await _client.Put($"/api/customers/{Uri.EscapeDataString(Caller)}", new { name = "J. de Vries", bsn = BsnValue });
        put.StatusCode.Should().Be(HttpStatusCode.OK);
        (await put.Json())["bsn"]!.GetValue<string>().Should().Be("*****2333");

        (await http.PostAsJsonAsync("/api/agents/anna/accept", new { contactId = first })).StatusCode.Should().Be(HttpStatusCode.OK);
        (await http.PostAsJsonAsync($"/api/contacts/{first}/complete", new { outcome = "resolved", summary = "Bijstand" })).StatusCode.Should().Be(HttpStatusCode.OK);
        await http.SetStatus("anna", "available");
        var second = await http.Call("sociaal", Caller);
        var offer = await _client.GetJsonWhen("/api/agents/anna", a => (string?)a["offer"]?["contactId"] == second
            && a["offer"]?["customer"]?["customer"]?["bsn"] is not null);
        offer["offer"]!["customer"]!["customer"]!["bsn"]!.GetValue<string>().Should().Be("*****2333");
        var view = await _client.GetJsonWhen($"/api/customers/{Uri.EscapeDataString(Caller)}?reason=check", v => v["contacts"]?.AsArray().Count == 2);
        view["customer"]!["name"]!.GetValue<string>().Should().Be("J. de Vries");

        var bad = await _client.Put($"/api/customers/{Uri.EscapeDataString(Caller)}", new { bsn = "123456789" });
        await bad.ShouldBeProblem(HttpStatusCode.BadRequest, "bsn");

        _messages.Should().NotBeEmpty("the scenario sent and published messages");
        _logLines.Should().NotBeEmpty("the scenario logged");
        _answers.Should().NotBeEmpty();
        _messages.Should().NotContain(m => m.Contains(BsnValue), "no BSN in any bus message");
        _logLines.Should().NotContain(l => l.Contains(BsnValue), "no BSN in any log line");
        _answers.Should().NotContain(a => a.Contains(BsnValue), "no BSN in any API answer");
        (await _router.NewDbContext().Parties.FindAsync(Caller))!.Bsn.Should().Be(BsnValue, "it is stored for matching");
    }

    private sealed class MessageCapture(ConcurrentQueue<string> messages) : IPublishObserver, ISendObserver
    {
        private void Capture<T>(T message) where T : class => messages.Enqueue($"{typeof(T).Name} {JsonSerializer.Serialize(message, message.GetType())}");
        public Task PrePublish<T>(PublishContext<T> context) where T : class { Capture(context.Message); return Task.CompletedTask; }
        public Task PostPublish<T>(PublishContext<T> context) where T : class => Task.CompletedTask;
        public Task PublishFault<T>(PublishContext<T> context, Exception exception) where T : class => Task.CompletedTask;
        public Task PreSend<T>(SendContext<T> context) where T : class { Capture(context.Message); return Task.CompletedTask; }
        public Task PostSend<T>(SendContext<T> context) where T : class => Task.CompletedTask;
        public Task SendFault<T>(SendContext<T> context, Exception exception) where T : class => Task.CompletedTask;
    }

    /// <summary>An HTTP client that keeps every answer body, so the test can search them all.</summary>
    private sealed class WebApplicationFactoryClient(HttpClient http, ConcurrentQueue<string> answers)
    {
        public HttpClient Http { get; } = new(new Recording(answers) { InnerHandler = new Forward(http) }) { BaseAddress = http.BaseAddress };

        public Task<HttpResponseMessage> Put(string path, object body) => Http.PutAsJsonAsync(path, body);

        public Task<JsonNode> GetJsonWhen(string path, Func<JsonNode, bool> done) =>
            Api.Eventually(() => Http.GetJson(path), done, path);

        private sealed class Recording(ConcurrentQueue<string> answers) : DelegatingHandler
        {
            protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
            {
                var response = await base.SendAsync(request, ct);
                var body = await response.Content.ReadAsStringAsync(ct);
                answers.Enqueue(body);
                var copy = new StringContent(body);
                copy.Headers.ContentType = response.Content.Headers.ContentType;
                response.Content = copy;
                return response;
            }
        }

        private sealed class Forward(HttpClient inner) : HttpMessageHandler
        {
            protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct) =>
                inner.SendAsync(new HttpRequestMessage(request.Method, request.RequestUri) { Content = request.Content }, ct);
        }
    }
}
