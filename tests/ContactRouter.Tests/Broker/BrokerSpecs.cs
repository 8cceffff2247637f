using System.Net;
using System.Net.Http.Json;
using ContactRouter.Components;
using ContactRouter.Contracts;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace ContactRouter.Tests.Broker;

/// <summary>The router on the real RabbitMQ node: an agent's call, a worker restart, duplicated commands.</summary>
[Collection(BrokerCollection.Name)]
public sealed class When_the_router_runs_on_RabbitMQ(RabbitMqNode node) : IAsyncLifetime
{
    private readonly List<RouterFactory> _hosts = [];
    private readonly string _store = RouterFactory.NewStorePath();
    private readonly Microsoft.Extensions.Time.Testing.FakeTimeProvider _time = RouterFactory.NewClock();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var host in _hosts) await host.DisposeAsync();
    }

    /// <summary>A host process on the broker; "none" plays the API process, a centre id plays that centre's worker.</summary>
    private RouterFactory Host(string centres, params (string Key, string Value)[] extra)
    {
        var settings = node.Settings(centres);
        settings["Routing:WrapUp"] = "00:00:00";
        foreach (var (key, value) in extra) settings[key] = value;
        var host = new RouterFactory(_store, _time, settings);
        _hosts.Add(host);
        _ = host.Server; // start it now
        return host;
    }

    [Fact]
    public async Task Should_push_a_centres_change_to_the_consoles_of_every_API_process()
    {
        Host("all", ("Router:Api", "false"));
        var first = Host("none", ("Router:Overflow", "false"));
        var second = Host("none", ("Router:Overflow", "false"));
        var streams = new List<(HttpResponseMessage Response, StreamReader Reader)>();
        foreach (var api in new[] { first, second })
        {
            var response = await api.As(Person.TeamLead()).GetAsync("/api/centres/stream", HttpCompletionOption.ResponseHeadersRead);
            response.StatusCode.Should().Be(HttpStatusCode.OK);
            var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            await Sse.Next(reader, "centres");
            streams.Add((response, reader));
        }

        // Queued through the first API process; each process hears the centre's event on its own temporary queue.
        await first.StaffClient().Call("fysiek");
        foreach (var (response, reader) in streams)
        {
            var rows = await Sse.Next(reader, "centres", r => r["centres"]!.AsArray().Any(c => (string?)c!["centre"] == "fysiek" && (int)c["waiting"]! == 1));
            rows.Should().NotBeNull();
            reader.Dispose();
            response.Dispose();
        }
    }

    [Fact]
    public async Task Should_have_its_reply_queue_before_it_serves()
    {
        // MassTransit starts a host's reply queue on first use, and a request made before it is up blocks a pool thread
        // until it is: after a restart, agents' first commands starved the pool and waited 11–13 s. The host brings it
        // up before it listens, so the queue is there as soon as the host has started, before anyone asked anything.
        var host = Host("none", ("Router:Overflow", "false"), ("Router:Callbacks", "false"), ("Router:CustomerView", "false"));
        var replyQueue = host.Services.GetRequiredService<IBus>().Address.Segments[^1];

        var queues = (await Transport.DevelopmentSecrets.RunScript("rabbitmq.sh", "queues")).Split('\n', StringSplitOptions.TrimEntries);

        queues.Should().Contain(replyQueue);
    }

    [Fact]
    public async Task Should_take_a_call_from_arrival_to_completion()
    {
        var http = Host("all").StaffClient();
        (await http.PutAgent("anna", "sociaal", new { sociaal = 4 })).StatusCode.Should().Be(HttpStatusCode.OK);
        (await http.SetStatus("anna", "available")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await http.GetJson("/api/agents/anna"))["status"]!.GetValue<string>().Should().Be("available");

        var contactId = await http.Call("sociaal");
        var offered = await http.AgentWhen("anna", a => a["offer"] is not null, "an offer");
        offered["offer"]!["contactId"]!.GetValue<string>().Should().Be(contactId);
        (await http.GetJson($"/api/contacts/{contactId}"))["status"]!.GetValue<string>().Should().Be("offered");

        var accept = await http.PostAsJsonAsync("/api/agents/anna/accept", new { contactId });
        accept.StatusCode.Should().Be(HttpStatusCode.OK, await accept.Content.ReadAsStringAsync());
        (await http.GetJson($"/api/contacts/{contactId}"))["status"]!.GetValue<string>().Should().Be("connected");

        var complete = await http.PostAsJsonAsync($"/api/contacts/{contactId}/complete", new { outcome = "resolved", summary = "Uitgelegd" });
        complete.StatusCode.Should().Be(HttpStatusCode.OK, await complete.Content.ReadAsStringAsync());
        (await http.GetJson($"/api/contacts/{contactId}"))["status"]!.GetValue<string>().Should().Be("completed");
        var row = (await http.GetJson("/api/centres")).AsArray().Single(c => (string?)c!["centre"] == "sociaal")!;
        row["answered"]!.GetValue<int>().Should().Be(1);
        row["agents"]!["available"]!.GetValue<int>().Should().Be(1);
    }

    [Fact]
    public async Task Should_keep_waiting_contacts_in_order_across_a_worker_restart()
    {
        var http = Host("none").StaffClient();
        var worker = Host("fysiek");

        // Three callers wait with no agent: priority first, then arrival.
        var low = await http.Call("fysiek", priority: 0);
        _time.Advance(TimeSpan.FromSeconds(1));
        var high = await http.Call("fysiek", priority: 5);
        _time.Advance(TimeSpan.FromSeconds(1));
        var lowLater = await http.Call("fysiek", priority: 0);
        foreach (var id in new[] { low, high, lowLater }) await http.ContactWhen(id, "queued");

        await worker.DisposeAsync();
        _hosts.Remove(worker);

        // While the worker is down the API still accepts callers: the command waits in the quorum queue.
        _time.Advance(TimeSpan.FromSeconds(1));
        var whileDown = await http.Call("fysiek", priority: 0);
        // No worker has taken it yet, but it was accepted: not unknown, and not yet in the centre's queue either.
        (await http.GetJson($"/api/contacts/{whileDown}"))["status"]!.GetValue<string>().Should().Be("accepted");

        Host("fysiek");
        await http.ContactWhen(whileDown, "queued");
        (await http.GetJson("/api/centres")).AsArray().Single(c => (string?)c!["centre"] == "fysiek")!["waiting"]!.GetValue<int>().Should().Be(4);

        (await http.PutAgent("bram", "fysiek", new { fysiek = 3 })).StatusCode.Should().Be(HttpStatusCode.OK);
        (await http.SetStatus("bram", "available")).StatusCode.Should().Be(HttpStatusCode.OK);
        var order = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            var agent = await http.AgentWhen("bram", a => a["offer"] is not null, $"offer {i + 1}");
            var contactId = agent["offer"]!["contactId"]!.GetValue<string>();
            order.Add(contactId);
            (await http.PostAsJsonAsync("/api/agents/bram/accept", new { contactId })).StatusCode.Should().Be(HttpStatusCode.OK);
            (await http.PostAsJsonAsync($"/api/contacts/{contactId}/complete", new { outcome = "resolved" })).StatusCode.Should().Be(HttpStatusCode.OK);
        }
        order.Should().Equal(high, low, lowLater, whileDown);
    }

    [Fact]
    public async Task Should_let_a_hot_standby_take_over_where_the_active_worker_stopped()
    {
        var http = Host("none").StaffClient();
        var active = Host("sociaal");
        Host("sociaal"); // the standby: single active consumer keeps it idle while the first one lives

        await http.PutAgent("dirk", "sociaal", new { sociaal = 5 });
        await http.SetStatus("dirk", "available");
        var contactId = await http.Call("sociaal");
        await http.AgentWhen("dirk", a => a["offer"] is not null, "an offer");

        await active.DisposeAsync();
        _hosts.Remove(active);

        // The standby takes the queue over, loads the centre from the store and knows the offer.
        var accept = await http.PostAsJsonAsync("/api/agents/dirk/accept", new { contactId });
        accept.StatusCode.Should().Be(HttpStatusCode.OK, await accept.Content.ReadAsStringAsync());
        (await http.GetJson($"/api/contacts/{contactId}"))["status"]!.GetValue<string>().Should().Be("connected");
        var next = await http.Call("sociaal");
        await http.ContactWhen(next, "queued");
    }

    [Fact]
    public async Task Should_overflow_to_a_neighbours_cross_skilled_agent_after_the_threshold()
    {
        var http = Host("all").StaffClient();
        (await http.PutAgent("eva", "sociaal", new { sociaal = 5, fysiek = 2 })).StatusCode.Should().Be(HttpStatusCode.OK);
        (await http.SetStatus("eva", "available")).StatusCode.Should().Be(HttpStatusCode.OK);
        var contactId = await http.Call("fysiek");
        await http.ContactWhen(contactId, "queued");

        _time.Advance(TimeSpan.FromSeconds(21));
        var eva = await http.AgentWhen("eva", a => a["offer"] is not null, "the overflowed offer");
        eva["offer"]!["contactId"]!.GetValue<string>().Should().Be(contactId);
        eva["offer"]!["overflowed"]!.GetValue<bool>().Should().BeTrue();
        var centres = (await http.GetJson("/api/centres")).AsArray();
        centres.Single(c => (string?)c!["centre"] == "fysiek")!["overflowOut"]!.GetValue<int>().Should().Be(1);
        centres.Single(c => (string?)c!["centre"] == "sociaal")!["overflowIn"]!.GetValue<int>().Should().Be(1);
    }

    [Fact]
    public async Task Should_keep_serving_while_the_overflow_router_is_down_and_move_waiting_callers_when_it_is_back()
    {
        // Centres and API without a router.
        var http = Host("all", ("Router:Overflow", "false")).StaffClient();
        await http.PutAgent("gijs", "fysiek", new { fysiek = 4 });
        await http.SetStatus("gijs", "available");
        var registered = await http.PutAgent("eva", "sociaal", new { sociaal = 5, fysiek = 2 });
        registered.StatusCode.Should().Be(HttpStatusCode.OK, await registered.Content.ReadAsStringAsync());
        var home = await http.Call("fysiek");
        await http.AgentWhen("gijs", a => (string?)a["offer"]?["contactId"] == home, "his own caller");
        (await http.PostAsJsonAsync("/api/agents/gijs/accept", new { contactId = home })).StatusCode.Should().Be(HttpStatusCode.OK);

        var waiting = await http.Call("fysiek");
        await http.ContactWhen(waiting, "queued");
        _time.Advance(TimeSpan.FromSeconds(40));
        await http.SetStatus("eva", "available");
        (await http.GetJson($"/api/contacts/{waiting}"))["centre"]!.GetValue<string>().Should().Be("fysiek", "no router, no overflow");

        // The router comes up in its own process, asks every centre for its load and moves the overdue caller.
        Host("none", ("Router:Api", "false"));
        var eva = await http.AgentWhen("eva", a => a["offer"] is not null, "the overflowed offer");
        eva["offer"]!["contactId"]!.GetValue<string>().Should().Be(waiting);
        (await http.GetJson($"/api/contacts/{home}"))["status"]!.GetValue<string>().Should().Be("connected", "Gijs's own call was never touched");
    }

    [Fact]
    public async Task Should_keep_an_accepted_contact_through_a_broker_restart()
    {
        // Only the API runs: the accepted contact can only be in Bedrijfsvoering's quorum queue.
        var api = Host("none", ("Router:Overflow", "false"), ("Router:CustomerView", "false"), ("Router:Callbacks", "false"));
        var contactId = await api.StaffClient().Call("bedrijfsvoering");
        await api.DisposeAsync();
        _hosts.Remove(api);

        await node.Restart();

        var http = Host("bedrijfsvoering").StaffClient();
        var contact = await http.ContactWhen(contactId, "queued");
        contact["centre"]!.GetValue<string>().Should().Be("bedrijfsvoering");
    }

    [Fact]
    public async Task Should_absorb_a_duplicated_command()
    {
        var host = Host("all");
        var http = host.StaffClient();
        var bus = host.Services.GetRequiredService<IBus>();
        var endpoint = await bus.GetSendEndpoint(CentreAddresses.For("bedrijfsvoering"));
        var command = new QueueContact
        {
            Centre = "bedrijfsvoering", ContactId = "dup-1", HomeCentre = "bedrijfsvoering", Channel = "phone",
            Caller = "+31201234567", QueuedAt = _time.GetUtcNow(),
        };
        await endpoint.Send(command);
        await endpoint.Send(command);
        await endpoint.Send(command with { ContactId = "after-dup", CommandId = Guid.NewGuid() });
        await http.ContactWhen("after-dup", "queued");

        var row = (await http.GetJson("/api/centres")).AsArray().Single(c => (string?)c!["centre"] == "bedrijfsvoering")!;
        row["offered"]!.GetValue<int>().Should().Be(2, "the duplicate of dup-1 changed nothing");
        row["waiting"]!.GetValue<int>().Should().Be(2);

        // The same accept delivered twice: answered once, counted once.
        await http.PutAgent("cor", "bedrijfsvoering", new { bedrijfsvoering = 5 });
        await http.SetStatus("cor", "available");
        var offered = await http.AgentWhen("cor", a => a["offer"] is not null, "an offer");
        var accept = new AcceptOffer { Centre = "bedrijfsvoering", AgentId = "cor", ContactId = offered["offer"]!["contactId"]!.GetValue<string>() };
        var client = host.Services.GetRequiredService<IClientFactory>().CreateRequestClient<AcceptOffer>(CentreAddresses.For("bedrijfsvoering"));
        var first = await client.GetResponse<CommandResult>(accept);
        var second = await client.GetResponse<CommandResult>(accept);
        first.Message.Accepted.Should().BeTrue();
        second.Message.Should().BeEquivalentTo(first.Message);
        (await http.GetJson("/api/centres")).AsArray().Single(c => (string?)c!["centre"] == "bedrijfsvoering")!["answered"]!.GetValue<int>().Should().Be(1);
    }
}
