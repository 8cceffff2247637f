using System.Net;
using System.Net.Http.Json;
using ContactRouter.Routing;
using ContactRouter.Store;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace ContactRouter.Tests.Store;

/// <summary>
/// The whole host (API, centre workers, in-memory bus) with <c>Store:Provider=Postgres</c>, on a database of its own:
/// the agent's day of <see cref="When_an_agent_takes_a_call"/>, migrations applied by the host at start-up.
/// </summary>
public sealed class When_an_agent_takes_a_call_with_the_store_on_PostgreSQL(StoreDatabases stores) : PostgresRouterSpec(stores)
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
        (await _http.GetJson($"/api/contacts/{contactId}"))["status"]!.GetValue<string>().Should().Be("offered");

        _router.Time.Advance(TimeSpan.FromSeconds(12));
        var accepted = await _http.PostAsJsonAsync("/api/agents/anna/accept", new { contactId });
        accepted.StatusCode.Should().Be(HttpStatusCode.OK, await accepted.Content.ReadAsStringAsync());
        (await _http.GetJson($"/api/contacts/{contactId}"))["status"]!.GetValue<string>().Should().Be("connected");

        _router.Time.Advance(TimeSpan.FromMinutes(4));
        var completed = await _http.PostAsJsonAsync($"/api/contacts/{contactId}/complete", new { outcome = "resolved", summary = "Wmo-aanvraag uitgelegd" });
        completed.StatusCode.Should().Be(HttpStatusCode.OK, await completed.Content.ReadAsStringAsync());
        (await completed.Json())["status"]!.GetValue<string>().Should().Be("completed");
        (await _http.GetJson("/api/agents/anna"))["status"]!.GetValue<string>().Should().Be("wrapup");

        _router.Time.Advance(TimeSpan.FromSeconds(31));
        (await _http.GetJson("/api/agents/anna"))["status"]!.GetValue<string>().Should().Be("available");

        var sociaal = (await _http.GetJson("/api/centres")).AsArray().Single(c => (string?)c!["centre"] == "sociaal")!;
        sociaal["offered"]!.GetValue<int>().Should().Be(1);
        sociaal["answered"]!.GetValue<int>().Should().Be(1);
        sociaal["serviceLevel"]!.GetValue<double>().Should().Be(1.0, "answered after 12 s, within the 30 s target");
        sociaal["averageSpeedOfAnswerSeconds"]!.GetValue<double>().Should().BeApproximately(12, 0.01);
        sociaal["agents"]!["available"]!.GetValue<int>().Should().Be(1);

        // And it really is PostgreSQL that holds it.
        await using var db = _router.NewDbContext();
        db.Database.ProviderName.Should().Be("Npgsql.EntityFrameworkCore.PostgreSQL");
        var row = await db.Contacts.AsNoTracking().SingleAsync(c => c.Id == contactId);
        row.Should().BeEquivalentTo(new { Status = ContactStatus.Completed, AgentId = "anna", Outcome = "resolved" }, o => o.ExcludingMissingMembers());
        (row.AnsweredAt - row.QueuedAt).Should().Be(TimeSpan.FromSeconds(12));
    }

    [Fact]
    public async Task Should_answer_healthy_with_the_store_on_PostgreSQL()
    {
        var health = await _http.GetAsync("/health");
        health.StatusCode.Should().Be(HttpStatusCode.OK, await health.Content.ReadAsStringAsync());
    }
}

/// <summary>
/// A host on PostgreSQL opens Store:WarmConnections connections before it serves: a restarted host's first burst of
/// agents otherwise opened one connection each (a server process and a SCRAM exchange apiece) while they waited.
/// </summary>
public sealed class When_a_host_starts_on_PostgreSQL(StoreDatabases stores) : IClassFixture<StoreDatabases>
{
    [Fact]
    public async Task Should_have_its_pool_of_connections_open_before_it_serves()
    {
        var connectionString = await stores.ConnectionString(StoreProvider.Postgres);
        await using var router = new RouterFactory(StoreProvider.Postgres, connectionString, RouterFactory.NewClock(),
            new Dictionary<string, string?> { ["Store:WarmConnections"] = "24" });
        using var http = router.StaffClient();
        (await http.GetAsync("/health")).StatusCode.Should().Be(HttpStatusCode.OK);

        // Counted by the server, from a connection outside the host's pool.
        await using var observer = new NpgsqlConnection(connectionString + ";Pooling=false");
        await observer.OpenAsync();
        await using var count = new NpgsqlCommand(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()", observer);
        var open = (long)(await count.ExecuteScalarAsync())!;
        open.Should().BeGreaterThanOrEqualTo(24, "the host opened its warm connections at start and the pool keeps them");
    }
}
