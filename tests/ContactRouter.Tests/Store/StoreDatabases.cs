using ContactRouter.Store;
using ContactRouter.Tests.Transport;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace ContactRouter.Tests.Store;

/// <summary>
/// The project's private PostgreSQL cluster (deploy/postgres.sh: 127.0.0.1:5433, role and maintenance database
/// <c>contactrouter</c>, its password from $CONTACTROUTER_POSTGRES_PASSWORD or else the script's .secrets/pgpass:
/// <see cref="DevelopmentSecrets"/>). Tests get databases of their own on it. If it cannot be reached they fail
/// here: they never skip.
/// </summary>
public static class PostgresServer
{
    public static string Host { get; } = Environment.GetEnvironmentVariable("CONTACTROUTER_POSTGRES_HOST") ?? "127.0.0.1";
    public static int Port { get; } = int.TryParse(Environment.GetEnvironmentVariable("CONTACTROUTER_POSTGRES_PORT"), out var port) ? port : 5433;

    public static string ConnectionString(string database) => Builder(database).ConnectionString;

    /// <summary>The role's connection to <paramref name="database"/>, with its password (or the password file that holds it).</summary>
    public static NpgsqlConnectionStringBuilder Builder(string database)
    {
        var builder = new NpgsqlConnectionStringBuilder { Host = Host, Port = Port, Username = "contactrouter", Database = database, Timeout = 5 };
        if (DevelopmentSecrets.PostgresPassword is { } password) builder.Password = password;
        else builder.Passfile = DevelopmentSecrets.PostgresPassfile;
        return builder;
    }

    /// <summary>A new, empty database <c>contactrouter_test_&lt;guid&gt;</c>; returns its connection string.</summary>
    public static async Task<string> CreateDatabase()
    {
        var name = $"contactrouter_test_{Guid.NewGuid():N}";
        await Maintenance($"CREATE DATABASE \"{name}\"");
        return ConnectionString(name);
    }

    /// <summary>Drops a database made by <see cref="CreateDatabase"/>, closing whatever connections are still open to it.</summary>
    public static async Task DropDatabase(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database!;
        if (!name.StartsWith("contactrouter_test_", StringComparison.Ordinal)) throw new ArgumentException($"not a test database: {name}");
        await using (var pooled = new NpgsqlConnection(connectionString)) NpgsqlConnection.ClearPool(pooled);
        try
        {
            await Maintenance($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.InsufficientPrivilege)
        {
            // FORCE cannot end an autovacuum worker that happens to be in the database (it runs as the superuser, so
            // "must be a member of the role whose process is being terminated"); a plain DROP makes autovacuum step aside.
            await Maintenance($"DROP DATABASE IF EXISTS \"{name}\"");
        }
    }

    private static async Task Maintenance(string sql)
    {
        var connectionString = ConnectionString("contactrouter") + ";Pooling=false";
        await using var connection = new NpgsqlConnection(connectionString);
        try
        {
            await connection.OpenAsync();
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            throw new InvalidOperationException(
                $"The project's PostgreSQL is not reachable on {Host}:{Port} as role contactrouter ({ex.Message}). " +
                "Start it with `deploy/postgres.sh start` (the README's test command `./deploy/test.sh` does), which sets the " +
                $"password from $CONTACTROUTER_POSTGRES_PASSWORD or writes it to {DevelopmentSecrets.PostgresPassfile}. " +
                "PostgreSQL tests fail rather than skip.", ex);
        }
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}

/// <summary>
/// A test class's own stores (xunit class fixture): for each provider a test asks for, one fresh, empty database,
/// made on first use and dropped (or deleted) when the class is done. SQLite cases so never depend on PostgreSQL.
/// </summary>
public sealed class StoreDatabases : IAsyncLifetime
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<StoreProvider, string> _connectionStrings = [];
    private readonly HashSet<StoreProvider> _migrated = [];

    /// <summary>The connection string of this class's (still empty, unless migrated) database on the provider.</summary>
    public async Task<string> ConnectionString(StoreProvider provider)
    {
        await _gate.WaitAsync();
        try
        {
            if (_connectionStrings.TryGetValue(provider, out var existing)) return existing;
            var created = provider switch
            {
                StoreProvider.Postgres => await PostgresServer.CreateDatabase(),
                _ => NewSqliteFile(),
            };
            _connectionStrings[provider] = created;
            return created;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>A new context on this class's database, migrated as the host does at start-up (once per class).</summary>
    public async Task<RouterDbContext> Migrated(StoreProvider provider)
    {
        var connectionString = await ConnectionString(provider);
        await _gate.WaitAsync();
        try
        {
            if (_migrated.Add(provider))
            {
                await using var db = RouterStore.Open(provider, connectionString);
                await RouterStore.MigrateAsync(db);
            }
        }
        finally
        {
            _gate.Release();
        }
        return RouterStore.Open(provider, connectionString);
    }

    /// <summary>Another context on the same database: what a second process (or a fresh load) sees.</summary>
    public async Task<RouterDbContext> Open(StoreProvider provider) => RouterStore.Open(provider, await ConnectionString(provider));

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var (provider, connectionString) in _connectionStrings)
        {
            if (provider == StoreProvider.Postgres)
            {
                await PostgresServer.DropDatabase(connectionString);
                continue;
            }
            SqliteConnection.ClearAllPools();
            var file = new SqliteConnectionStringBuilder(connectionString).DataSource;
            foreach (var path in new[] { file, file + "-wal", file + "-shm" }) File.Delete(path);
        }
    }

    private static string NewSqliteFile()
    {
        var path = RouterFactory.NewStorePath();
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        return $"Data Source={path}";
    }
}

/// <summary>A spec against one host whose store is a fresh PostgreSQL database of the class's own.</summary>
public abstract class PostgresRouterSpec(StoreDatabases stores) : IClassFixture<StoreDatabases>, IAsyncLifetime
{
    protected RouterFactory _router = null!;
    protected HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _router = new RouterFactory(StoreProvider.Postgres, await stores.ConnectionString(StoreProvider.Postgres), RouterFactory.NewClock());
        _http = _router.StaffClient();
    }

    public async Task DisposeAsync() => await _router.DisposeAsync();
}
