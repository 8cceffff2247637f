using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ContactRouter.Components;
using ContactRouter.Web;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.DependencyInjection;

namespace ContactRouter.Tests;

/// <summary>
/// The consoles' feed is pushed from the centres' events: a change reaches every open stream with the virtual clock
/// standing still (a once-a-second poll could not have seen it), and the store is read once per change for all the
/// streams that show it, not once per stream.
/// </summary>
public sealed class When_several_team_leads_watch_and_a_centre_changes : RouterSpec
{
    [Fact]
    public async Task Should_push_the_new_rows_to_every_stream_at_once_with_one_read_for_all()
    {
        var feed = _router.Services.GetRequiredService<ConsoleFeed>();
        var leads = new[] { "sociaal", "fysiek", "burgerzaken" }.Select(c => _router.As(Person.TeamLead(c))).ToList();
        var streams = new List<(HttpResponseMessage Response, StreamReader Reader)>();
        foreach (var lead in leads)
        {
            var response = await lead.GetAsync("/api/centres/stream", HttpCompletionOption.ResponseHeadersRead);
            response.StatusCode.Should().Be(HttpStatusCode.OK);
            var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            Waiting(await Sse.Next(reader, "centres")).Should().Be(0);
            streams.Add((response, reader));
        }
        var readsBefore = feed.StoreReads;

        var start = _router.Time.GetUtcNow();
        await _http.Call("sociaal", caller: "+31611110001");
        foreach (var (_, reader) in streams)
        {
            var (rows, id) = await Sse.NextWithId(reader, "centres");
            Waiting(rows).Should().Be(1);
            // The view says when the change it shows was decided: the centre's event time.
            DateTimeOffset.Parse(id!).Should().Be(start);
        }
        _router.Time.GetUtcNow().Should().Be(start, "no time passed: the change was pushed, not found by a poll");
        // One command publishes a few events (queued, load changed); reads while one runs fold into one more.
        (feed.StoreReads - readsBefore).Should().BeInRange(1, 2, "the rows are read once per change for all three streams");

        foreach (var (response, reader) in streams)
        {
            reader.Dispose();
            response.Dispose();
        }
    }

    [Fact]
    public async Task Should_read_nothing_while_nothing_happens()
    {
        var feed = _router.Services.GetRequiredService<ConsoleFeed>();
        using var response = await _http.GetAsync("/api/centres/stream", HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        await Sse.Next(reader, "centres");
        var reads = feed.StoreReads;

        // Keep-alives fall due (the clock moves until one is sent: the stream's wait may start after a single step):
        // the stream says the time again, and nothing was read for it.
        using var ticking = new CancellationTokenSource();
        var ticker = Task.Run(async () =>
        {
            while (!ticking.IsCancellationRequested)
            {
                _router.Time.Advance(EventStream.KeepAlive);
                await Task.Delay(50);
            }
        });
        await Sse.Next(reader, "clock");
        await ticking.CancelAsync();
        await ticker;
        feed.StoreReads.Should().Be(reads);
    }

    [Fact]
    public async Task Should_read_the_rows_no_more_often_than_the_refresh_while_changes_keep_coming()
    {
        var feed = _router.Services.GetRequiredService<ConsoleFeed>();
        var every = _router.Services.GetRequiredService<IOptions<HostingOptions>>().Value.CentresRefresh;
        every.Should().BePositive("the default holds the team leads' rows back between reads");
        using var response = await _http.GetAsync("/api/centres/stream", HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        await Sse.Next(reader, "centres");

        // A change as soon as the previous one was read: unthrottled, five reads would follow each other within
        // milliseconds; held to the refresh, each waits for the one before to be that old.
        var watch = System.Diagnostics.Stopwatch.StartNew();
        for (var change = 0; change < 5; change++)
        {
            var reads = feed.StoreReads;
            feed.Changed(ConsoleFeed.Centres, _router.Time.GetUtcNow());
            await Api.Eventually(() => Task.FromResult(feed.StoreReads), r => r > reads, "the change to be read");
        }
        // Wall-clock on purpose (the pace is the real process's, see ConsoleFeed); a lower bound, so a slow machine cannot fail it.
        watch.Elapsed.Should().BeGreaterThanOrEqualTo(4 * every - TimeSpan.FromMilliseconds(20));
    }

    private static int Waiting(JsonNode rows) => rows["centres"]!.AsArray().Single(r => (string?)r!["centre"] == "sociaal")!["waiting"]!.GetValue<int>();
}

/// <summary>
/// An agent's console stream ends (the page closed, the browser crashed): after Router:ConsoleGrace (20 s by default)
/// the agent is away and offered nothing; when a console stream opens again they have their presence back.
/// </summary>
public sealed class When_an_agents_console_stream_is_gone : RouterSpec
{
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Should_keep_them_through_the_grace_then_offer_them_nothing_and_restore_them_when_it_opens_again()
    {
        await _http.PutAgent("anna", "sociaal", new { sociaal = 5 });
        await _http.SetStatus("anna", "available");
        var console = await OpenConsole();
        (await Sse.Next(console.Reader, "agent"))["status"]!.GetValue<string>().Should().Be("available");
        await Close(console);

        // A reload or a short drop is no absence.
        _router.Time.Advance(Grace - TimeSpan.FromSeconds(1));
        var early = await _http.Call("sociaal", caller: "+31611110002");
        await _http.ContactWhen(early, "offered");
        (await _http.PostAsJsonAsync("/api/agents/anna/reject", new { contactId = early })).EnsureSuccessStatusCode();
        (await _http.GetJson("/api/agents/anna"))["status"]!.GetValue<string>().Should().Be("available");

        _router.Time.Advance(TimeSpan.FromSeconds(1));
        await _http.AgentWhen("anna", a => (string?)a["status"] == "away", "away once the grace is over");
        var caller = await _http.Call("sociaal", caller: "+31611110003");
        // Queued by the centre (not merely accepted) and still queued: nobody is at the desk.
        (await _http.ContactWhen(caller, "queued"))["agentId"].Should().BeNull("nobody is at the desk");
        var row = (await _http.GetJson("/api/centres")).AsArray().Single(r => (string?)r!["centre"] == "sociaal")!;
        row["agents"]!["away"]!.GetValue<int>().Should().Be(1);
        row["agents"]!["available"]!.GetValue<int>().Should().Be(0);

        // Back: available as before, and the caller who waited rings at once.
        var again = await OpenConsole();
        var back = await Sse.Next(again.Reader, "agent", a => (string?)a["status"] == "offered");
        back["offer"]!["contactId"]!.GetValue<string>().Should().BeOneOf(caller, early);
        await Close(again);
    }

    [Fact]
    public async Task Should_send_a_ringing_offer_back_to_the_queue_when_the_grace_is_over_not_at_the_offer_timeout()
    {
        await _http.PutAgent("bram", "fysiek", new { fysiek = 5 });
        await _http.SetStatus("bram", "available");
        var console = await OpenConsole("bram");
        var contactId = await _http.Call("fysiek", caller: "+31611110004");
        await _http.ContactWhen(contactId, "offered");
        await Close(console, "bram");

        _router.Time.Advance(Grace);
        await _http.ContactWhen(contactId, "queued");
        var bram = await _http.AgentWhen("bram", a => (string?)a["status"] == "away", "away");
        bram["offer"].Should().BeNull();
    }

    [Fact]
    public async Task Should_leave_an_agent_alone_who_never_opened_a_console()
    {
        await _http.PutAgent("carla", "burgerzaken", new { burgerzaken = 5 });
        await _http.SetStatus("carla", "available");
        _router.Time.Advance(Grace + Grace);
        var contactId = await _http.Call("burgerzaken", caller: "+31611110005");
        await _http.ContactWhen(contactId, "offered");
    }

    private async Task<(HttpResponseMessage Response, StreamReader Reader)> OpenConsole(string agentId = "anna")
    {
        var response = await _router.As(Person.Agent(agentId)).GetAsync($"/api/agents/{agentId}/stream", HttpCompletionOption.ResponseHeadersRead);
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        return (response, new StreamReader(await response.Content.ReadAsStreamAsync()));
    }

    /// <summary>Closes the console and waits until the host has seen it go (its grace timer is then set on the virtual clock).</summary>
    private async Task Close((HttpResponseMessage Response, StreamReader Reader) console, string agentId = "anna")
    {
        console.Reader.Dispose();
        console.Response.Dispose();
        var presence = _router.Services.GetRequiredService<ConsolePresence>();
        await Api.Eventually(() => Task.FromResult(presence.OpenConsoles(agentId)), open => open == 0, $"the host to see {agentId}'s console go");
    }
}
