using System.Net;
using System.Net.Http.Json;
using ContactRouter.Components;
using ContactRouter.Contracts;
using MassTransit;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ContactRouter.Tests;

/// <summary>
/// The telephone exchange retries a caller (the same Idempotency-Key): the same contact, queued once; and a retry that
/// comes after the call ended neither brings the contact back nor wipes its outcome.
/// </summary>
public sealed class When_the_exchange_retries_a_caller : RouterSpec
{
    private async Task<HttpResponseMessage> Post(string key, string centre = "sociaal", string? topic = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/contacts")
        {
            Content = JsonContent.Create(new { centre, channel = "phone", caller = "+31633334444", topic }),
        };
        request.Headers.Add("Idempotency-Key", key);
        return await _http.SendAsync(request);
    }

    [Fact]
    public async Task Should_queue_the_caller_once_and_answer_the_same_contact()
    {
        var first = await Post("exchange-call-0001");
        var again = await Post("exchange-call-0001");
        first.StatusCode.Should().Be(HttpStatusCode.Accepted);
        again.StatusCode.Should().Be(HttpStatusCode.Accepted);
        var contactId = (await first.Json())["contactId"]!.GetValue<string>();
        (await again.Json())["contactId"]!.GetValue<string>().Should().Be(contactId);
        (await Post("exchange-call-0002")).StatusCode.Should().Be(HttpStatusCode.Accepted);

        await _http.ContactWhen(contactId, "queued");
        var waiting = await Api.Eventually(async () => (await _http.GetJson("/api/centres")).AsArray().Single(c => (string)c!["centre"]! == "sociaal")!["waiting"]!.GetValue<int>(),
            n => n == 2, "the two callers to wait");
        waiting.Should().Be(2, "two keys, two callers; the retry of the first is the first");
    }

    [Fact]
    public async Task Should_answer_retries_racing_each_other_with_one_contact_and_log_no_error()
    {
        var lines = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var host = _router.WithWebHostBuilder(b => b.ConfigureLogging(l => l.AddProvider(new CapturingLoggerProvider(lines))));
        var http = host.StaffClient();
        // Eight copies of one retry at once: most read "not accepted yet" before any of them wrote, so the unique index decides.
        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ =>
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/api/contacts")
            {
                Content = JsonContent.Create(new { centre = "fysiek", channel = "phone", caller = "+31633335555" }),
            };
            request.Headers.Add("Idempotency-Key", "exchange-call-race");
            return http.SendAsync(request);
        }));
        answers.Select(a => a.StatusCode).Should().AllBeEquivalentTo(HttpStatusCode.Accepted);
        var ids = await Task.WhenAll(answers.Select(async a => (await a.Json())["contactId"]!.GetValue<string>()));
        ids.Distinct().Should().ContainSingle("one caller, however often the exchange retried at once");
        await http.ContactWhen(ids[0], "queued");
        lines.Should().NotContain(l => l.Contains(" Error: ") || l.Contains(" Critical: "), "a race the router expects is not an error");
    }

    [Fact]
    public async Task Should_not_bring_back_a_finished_contact_or_wipe_its_outcome()
    {
        (await _http.PutAgent("anna", "sociaal", new { sociaal = 5 })).EnsureSuccessStatusCode();
        (await _http.SetStatus("anna", "available")).EnsureSuccessStatusCode();
        var first = await Post("exchange-call-0003");
        var contactId = (await first.Json())["contactId"]!.GetValue<string>();
        await _http.AgentWhen("anna", a => (string?)a["offer"]?["contactId"] == contactId, "the offer");
        (await _http.PostAsJsonAsync("/api/agents/anna/accept", new { contactId })).EnsureSuccessStatusCode();
        (await _http.PostAsJsonAsync($"/api/contacts/{contactId}/complete", new { outcome = "resolved", summary = "Uitgelegd" })).EnsureSuccessStatusCode();

        var late = await Post("exchange-call-0003");
        late.StatusCode.Should().Be(HttpStatusCode.Accepted);
        (await late.Json())["contactId"]!.GetValue<string>().Should().Be(contactId);
        (await late.Json())["commandId"]!.GetValue<Guid>().Should().Be((await first.Json())["commandId"]!.GetValue<Guid>(), "the retry is the same command");

        // A redelivery under a new command id (an older exchange without keys, a replayed message) reaches the centre,
        // which refuses it because the store knows the contact finished.
        var bus = _router.Services.GetRequiredService<IBus>();
        await (await bus.GetSendEndpoint(CentreAddresses.For("sociaal"))).Send(new QueueContact
        {
            Centre = "sociaal", ContactId = contactId, HomeCentre = "sociaal", Channel = "phone", Caller = "+31633334444",
            QueuedAt = _router.Time.GetUtcNow(),
        });
        await Api.Eventually(() => _router.NewDbContext().ProcessedCommands.AsNoTracking().CountAsync(p => !p.Accepted && p.Detail!.Contains(contactId)),
            n => n == 1, "the redelivery to be refused");

        var contact = await _http.GetJson($"/api/contacts/{contactId}");
        contact["status"]!.GetValue<string>().Should().Be("completed");
        contact["outcome"]!.GetValue<string>().Should().Be("resolved");
        contact["summary"]!.GetValue<string>().Should().Be("Uitgelegd");
        contact["agentId"]!.GetValue<string>().Should().Be("anna");
    }

    [Fact]
    public async Task Should_refuse_an_overlong_topic_or_key_and_queue_nothing()
    {
        await (await Post("exchange-call-0004", topic: new string('t', 101))).ShouldBeProblem(HttpStatusCode.BadRequest, "topic");
        await (await Post(new string('k', 101))).ShouldBeProblem(HttpStatusCode.BadRequest, "Idempotency-Key");
        (await _http.GetJson("/api/centres")).AsArray().Sum(c => c!["waiting"]!.GetValue<int>()).Should().Be(0);
    }
}
