using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using ContactRouter.Store;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace ContactRouter.Tests;

/// <summary>
/// The real host (Program) in memory: its own store (a SQLite file by default, or any provider's database), a
/// virtual clock, and whatever settings a test gives (in-memory transport by default; RabbitMQ for the broker
/// tests). Several can share one store to play API and worker processes.
/// </summary>
public sealed class RouterFactory : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings;

    /// <summary>On the embedded default: the SQLite file at <paramref name="storePath"/>.</summary>
    public RouterFactory(string storePath, FakeTimeProvider time, IDictionary<string, string?>? settings = null)
        : this(StoreProvider.Sqlite, $"Data Source={storePath}", time, settings)
    {
        StorePath = storePath;
    }

    /// <summary>On the provider's database (e.g. <see cref="StoreProvider.Postgres"/> and a test database's connection string).</summary>
    public RouterFactory(StoreProvider provider, string connectionString, FakeTimeProvider time, IDictionary<string, string?>? settings = null)
    {
        Provider = provider;
        Time = time;
        _settings = new Dictionary<string, string?>
        {
            ["Store:Provider"] = provider.ToString(),
            ["Store:ConnectionString"] = connectionString,
            ["Bus:Transport"] = "InMemory",
            ["Router:CommandTimeout"] = "00:00:10",
        };
        foreach (var (key, value) in TestSecrets.Settings()) _settings[key] = value;
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) _settings[key] = value;
    }

    public StoreProvider Provider { get; }
    /// <summary>The SQLite file; empty when the store is another provider's database.</summary>
    public string StorePath { get; } = "";
    public FakeTimeProvider Time { get; }

    /// <summary>Where the host's log lines also go (beside the console), for a drill that prints them when it fails.</summary>
    public ILoggerProvider? Logs { get; init; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in _settings) builder.UseSetting(key, value);
        if (Logs is { } logs) builder.ConfigureLogging(l => l.AddProvider(logs));
        builder.ConfigureTestServices(services =>
        {
            services.RemoveAll<TimeProvider>();
            services.AddSingleton<TimeProvider>(Time);
        });
    }

    public RouterDbContext NewDbContext() => Services.CreateScope().ServiceProvider.GetRequiredService<RouterDbContext>();

    public static string NewStorePath() => Path.Combine(Path.GetTempPath(), "contactrouter-tests", $"{Guid.NewGuid():N}.db");

    /// <summary>A virtual clock at a fixed working-day morning, so day counters are predictable.</summary>
    public static FakeTimeProvider NewClock() => new(new DateTimeOffset(2026, 11, 23, 9, 0, 0, TimeSpan.Zero));
}

/// <summary>Small helpers that read like what a user of the API does.</summary>
public static class Api
{
    public static Task<HttpResponseMessage> PutAgent(this HttpClient http, string id, string centre, object skills, string name = "Agent") =>
        http.PutAsJsonAsync($"/api/agents/{id}", new { name, centre, skills });

    public static Task<HttpResponseMessage> SetStatus(this HttpClient http, string id, string status) =>
        http.PostAsJsonAsync($"/api/agents/{id}/status", new { status });

    public static async Task<string> Call(this HttpClient http, string centre, string caller = "+31612345678", int priority = 0)
    {
        var response = await http.PostAsJsonAsync("/api/contacts", new { centre, channel = "phone", caller, priority });
        response.StatusCode.Should().Be(System.Net.HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        return (await response.Json())["contactId"]!.GetValue<string>();
    }

    public static async Task<JsonNode> Json(this HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync()) ?? throw new InvalidOperationException("empty body");

    public static async Task<JsonNode> GetJson(this HttpClient http, string path)
    {
        var response = await http.GetAsync(path);
        response.IsSuccessStatusCode.Should().BeTrue($"GET {path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return await response.Json();
    }

    public static HttpContent RawJson(string text) => new StringContent(text, System.Text.Encoding.UTF8, "application/json");

    /// <summary>
    /// Waits until an asynchronous consequence (a queued contact reaching its worker) is visible. This is not
    /// a timing assertion: it polls a condition and fails with the last value after a generous limit.
    /// </summary>
    public static async Task<T> Eventually<T>(Func<Task<T>> read, Func<T, bool> done, string what, int timeoutMs = 15000)
    {
        var deadline = Environment.TickCount64 + timeoutMs;
        T value = await read();
        while (!done(value))
        {
            if (Environment.TickCount64 > deadline)
                throw new Xunit.Sdk.XunitException($"Timed out waiting for {what}; last value: {JsonSerializer.Serialize(value)}");
            await Task.Delay(25);
            value = await read();
        }
        return value;
    }

    public static Task<JsonNode> ContactWhen(this HttpClient http, string contactId, string status) =>
        Eventually(async () =>
        {
            var response = await http.GetAsync($"/api/contacts/{contactId}");
            return response.IsSuccessStatusCode ? await response.Json() : JsonNode.Parse("{}")!;
        }, c => (string?)c["status"] == status, $"contact {contactId} to be {status}");

    public static Task<JsonNode> AgentWhen(this HttpClient http, string agentId, Func<JsonNode, bool> done, string what) =>
        Eventually(() => http.GetJson($"/api/agents/{agentId}"), done, $"agent {agentId}: {what}");
}

/// <summary>A spec against one fresh host on the embedded default; <see cref="_router"/> and <see cref="_http"/> are ready in each test.</summary>
public abstract class RouterSpec : IAsyncLifetime
{
    protected readonly RouterFactory _router = new(RouterFactory.NewStorePath(), RouterFactory.NewClock());
    protected HttpClient _http = null!;

    public virtual Task InitializeAsync()
    {
        _http = _router.StaffClient();
        return Task.CompletedTask;
    }

    public virtual async Task DisposeAsync() => await _router.DisposeAsync();
}

/// <summary>
/// Hosts that share one store and one clock, one after another or side by side: a restart is a new host on the same
/// store, a process of another role a host with other settings. Each is started at once and disposed with the spec.
/// </summary>
public abstract class SharedStoreSpec : IAsyncLifetime
{
    protected readonly FakeTimeProvider _time = RouterFactory.NewClock();
    private readonly string _store = RouterFactory.NewStorePath();
    private readonly List<RouterFactory> _hosts = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public virtual async Task DisposeAsync()
    {
        foreach (var host in _hosts) await host.DisposeAsync();
    }

    /// <param name="logs">Where the host's log lines also go (<see cref="RouterFactory.Logs"/>).</param>
    protected RouterFactory Start(IDictionary<string, string?>? settings = null, ILoggerProvider? logs = null)
    {
        var host = new RouterFactory(_store, _time, settings) { Logs = logs };
        _hosts.Add(host);
        _ = host.Server;
        return host;
    }

    /// <summary>The process ends: its bus, with whatever it still held, and its timers go with it.</summary>
    protected async Task Stop(RouterFactory host)
    {
        await host.DisposeAsync();
        _hosts.Remove(host);
    }
}
