using ContactRouter.Routing;
using ContactRouter.Store;

namespace ContactRouter.Components;

/// <summary>What this process runs. The all-in-one host runs every centre and the API; a deployment splits them.</summary>
public sealed class HostingOptions
{
    public const string Section = "Router";

    /// <summary>Centres whose workers run in this process: "all", "none", or ids separated by commas.</summary>
    public string Centres { get; set; } = "all";

    /// <summary>Whether this process serves the HTTP API and consoles.</summary>
    public bool Api { get; set; } = true;

    /// <summary>Whether this process runs the overflow router (one active instance; more wait as standby).</summary>
    public bool Overflow { get; set; } = true;

    /// <summary>Whether this process builds the shared customer view from the centres' events.</summary>
    public bool CustomerView { get; set; } = true;

    /// <summary>Whether this process runs the callback scheduler and follows callback calls.</summary>
    public bool Callbacks { get; set; } = true;

    public IReadOnlyList<string> CentreIds => Centres.Trim().ToLowerInvariant() switch
    {
        "all" => CentreCatalog.All,
        "none" or "" => [],
        var list => list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
    };

    /// <summary>How often every worker process nudges its centres to apply timeouts; also how a hot standby notices it took over.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long the API waits for a centre worker to answer a command before answering 503.</summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(10);
}

public enum BusTransport { InMemory, RabbitMq }

/// <summary>The message bus. The embedded default needs nothing installed; RabbitMQ defaults match rabbitmq.conf.</summary>
public sealed class BusOptions
{
    public const string Section = "Bus";
    public BusTransport Transport { get; set; } = BusTransport.InMemory;
    public string Host { get; set; } = "127.0.0.1";
    public int Port { get; set; } = 5682;
    public string VirtualHost { get; set; } = "/";
    public string Username { get; set; } = "guest";
    public string Password { get; set; } = "guest";
    /// <summary>A poison command is moved to the error queue after this many deliveries instead of looping.</summary>
    public int DeliveryLimit { get; set; } = 5;
    public ushort PrefetchCount { get; set; } = 16;
}

/// <summary>The store. The embedded default is a SQLite file under ./data; PostgreSQL for processes on several machines.</summary>
public sealed class StoreOptions
{
    public const string Section = "Store";
    public StoreProvider Provider { get; set; } = StoreProvider.Sqlite;

    /// <summary>Unset: the provider's default (<see cref="RouterStore.SqliteDefault"/>, <see cref="RouterStore.PostgresDefault"/>).</summary>
    public string? ConnectionString { get; set; }

    public string EffectiveConnectionString =>
        string.IsNullOrWhiteSpace(ConnectionString) ? RouterStore.DefaultConnectionString(Provider) : ConnectionString;
}
