using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ContactRouter.Store;
using ContactRouter.Tests.SignIn;
using Microsoft.EntityFrameworkCore;

namespace ContactRouter.Tests;

/// <summary>
/// A 2xx on the embedded default is durable: the command is in the store before the answer, so a caller queued while
/// the in-memory bus could not deliver (here: no centre worker in the process, as if it died before taking the
/// message) is queued after the restart, and an abandon that came right after the 202 is applied after the queueing.
/// A command the centre did not answer in time is 202 with its address, never "nothing changed".
/// </summary>
public sealed class When_the_in_memory_bus_loses_what_it_held : SharedStoreSpec
{
    /// <summary>A host on the shared store; "none" runs no centre worker, so the bus holds its commands until the process ends.</summary>
    private RouterFactory Host(string centres) => Start(new Dictionary<string, string?>
    {
        ["Router:Centres"] = centres,
        // Nobody answers in the first host: a short wait keeps the spec quick (real time; the API waits for the bus).
        ["Router:CommandTimeout"] = "00:00:01",
    });

    [Fact]
    public async Task Should_queue_after_a_restart_every_caller_it_answered_202_for()
    {
        var first = Host("none");
        var exchange = first.As(Person.Exchange);
        var accepted = new List<(string ContactId, Guid CommandId)>();
        for (var i = 0; i < 5; i++)
        {
            var response = await exchange.PostAsJsonAsync("/api/contacts", new { centre = "fysiek", channel = "phone", caller = $"+3161234560{i}" });
            response.StatusCode.Should().Be(HttpStatusCode.Accepted);
            var body = await response.Json();
            accepted.Add((body["contactId"]!.GetValue<string>(), body["commandId"]!.GetValue<Guid>()));
        }
        var pending = await exchange.GetJson($"/api/commands/{accepted[0].CommandId:N}");
        pending["status"]!.GetValue<string>().Should().Be("pending", "no centre has taken it yet");
        pending["contactId"]!.GetValue<string>().Should().Be(accepted[0].ContactId);
        // Not taken by a centre yet, but accepted: the contact exists, accepted for the centre it was sent to (not a 404).
        var waiting = await exchange.GetJson($"/api/contacts/{accepted[0].ContactId}");
        waiting["status"]!.GetValue<string>().Should().Be("accepted");
        waiting["centre"]!.GetValue<string>().Should().Be("fysiek");
        (await first.As(Person.Exchange).GetAsync($"/api/contacts/{Guid.NewGuid():N}")).StatusCode.Should().Be(HttpStatusCode.NotFound,
            "a contact nobody accepted is still unknown");
        await Stop(first);

        var second = Host("all");
        var lead = second.StaffClient();
        foreach (var (contactId, _) in accepted) await lead.ContactWhen(contactId, "queued");
        (await lead.GetJson("/api/centres")).AsArray().Single(c => (string?)c!["centre"] == "fysiek")!["waiting"]!.GetValue<int>()
            .Should().Be(5, "each caller once, in spite of the command being delivered by the relay after the restart");
        var applied = await second.As(Person.Exchange).GetJson($"/api/commands/{accepted[0].CommandId:N}");
        applied["status"]!.GetValue<string>().Should().Be("applied");
    }

    [Fact]
    public async Task Should_apply_an_abandon_sent_right_after_the_202_after_the_queueing_it_follows()
    {
        var first = Host("none");
        var exchange = first.As(Person.Exchange);
        var contactId = await exchange.Call("sociaal");

        // The centre has not taken the contact, so the store does not know it: the abandon is accepted all the same.
        var abandon = await exchange.PostAsync($"/api/contacts/{contactId}/abandon", null);
        abandon.StatusCode.Should().Be(HttpStatusCode.Accepted, await abandon.Content.ReadAsStringAsync());
        var command = await abandon.Json();
        command["status"]!.GetValue<string>().Should().Be("pending");
        abandon.Headers.Location!.OriginalString.Should().Be($"/api/commands/{command["commandId"]!.GetValue<Guid>():N}");
        await Stop(first);

        var second = Host("all");
        var contact = await second.StaffClient().ContactWhen(contactId, "abandoned");
        contact["centre"]!.GetValue<string>().Should().Be("sociaal");
        var answered = await second.As(Person.Exchange).GetJson(abandon.Headers.Location.OriginalString);
        answered["status"]!.GetValue<string>().Should().Be("applied");
    }

    [Fact]
    public async Task Should_answer_a_command_the_centre_did_not_answer_in_time_with_202_and_its_outcome_later()
    {
        var first = Host("none");
        var admin = first.As(Person.Admin);
        var register = await admin.PutAgent("anna", "sociaal", new { sociaal = 4 });
        register.StatusCode.Should().Be(HttpStatusCode.Accepted, "the worker did not answer within the second; the registration is kept");
        var location = register.Headers.Location!.OriginalString;
        (await admin.GetJson(location))["status"]!.GetValue<string>().Should().Be("pending");
        await Stop(first);

        var second = Host("all");
        var http = second.StaffClient();
        var outcome = await Api.Eventually(() => second.As(Person.Admin).GetJson(location), c => (string?)c["status"] != "pending", "the registration's outcome");
        outcome["status"]!.GetValue<string>().Should().Be("applied");
        (await http.GetJson("/api/agents/anna"))["centre"]!.GetValue<string>().Should().Be("sociaal");
    }

    [Fact]
    public async Task Should_show_a_command_only_to_who_sent_it()
    {
        var host = Host("all");
        var exchange = host.As(Person.Exchange);
        var queued = await (await exchange.PostAsJsonAsync("/api/contacts", new { centre = "sociaal", channel = "phone", caller = "+31612345678" })).Json();
        var path = $"/api/commands/{queued["commandId"]!.GetValue<Guid>():N}";
        await Api.Eventually(() => exchange.GetJson(path), c => (string?)c["status"] == "applied", "the contact to be queued");

        await (await host.As(Person.Reception).GetAsync(path)).ShouldBeProblem(HttpStatusCode.Forbidden, "commandId");
        (await host.As(Person.Admin).GetAsync(path)).StatusCode.Should().Be(HttpStatusCode.OK);
        await (await exchange.GetAsync($"/api/commands/{Guid.NewGuid():N}")).ShouldBeProblem(HttpStatusCode.NotFound, "commandId");
        await (await exchange.GetAsync("/api/commands/not-a-command")).ShouldBeProblem(HttpStatusCode.BadRequest, "commandId");
    }

    [Fact]
    public async Task Should_show_a_refused_command_with_the_answer_the_API_would_have_given()
    {
        var host = Host("all");
        var http = host.StaffClient();
        (await http.PutAgent("anna", "sociaal", new { sociaal = 4 })).EnsureSuccessStatusCode();
        var refused = await http.PostAsJsonAsync("/api/agents/anna/accept", new { contactId = "nobody-rings" });
        await refused.ShouldBeProblem(HttpStatusCode.Conflict, "contactId");

        await using var db = host.NewDbContext();
        var row = await db.AcceptedCommands.AsNoTracking().SingleAsync(c => c.MessageType == "AcceptOffer");
        row.AnsweredAt.Should().NotBeNull("the centre answered it in the transaction of its answer");
        var view = await host.As(Person.Admin).GetJson($"/api/commands/{row.CommandId:N}");
        view["status"]!.GetValue<string>().Should().Be("refused");
        view["refusal"]!["status"]!.GetValue<int>().Should().Be(409);
        view["refusal"]!["field"]!.GetValue<string>().Should().Be("contactId");
    }
}
