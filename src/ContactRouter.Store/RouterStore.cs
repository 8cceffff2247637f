using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace ContactRouter.Store;

/// <summary>Which database holds the store: SQLite (embedded, one machine) or PostgreSQL (several machines).</summary>
public enum StoreProvider { Sqlite, Postgres }

/// <summary>What <see cref="RouterStore.MigrateAsync"/> did.</summary>
/// <param name="Pending">Migrations the schema lacked when this start began, oldest first; all are applied now
/// (by this process, or by another one that started at the same time: EF Core's migration lock lets one do it).</param>
/// <param name="Adopted">A SQLite file made by the old EnsureCreated start-up, taken on as its first migration.</param>
/// <param name="MovedAside">Where a SQLite file from a version before that was moved (it could not be upgraded).</param>
public sealed record StoreMigration(IReadOnlyList<string> Pending, string? Adopted = null, string? MovedAside = null);

/// <summary>Registering, opening and migrating the store on either provider.</summary>
public static class RouterStore
{
    /// <summary>The embedded file, relative to the working directory.</summary>
    public const string SqliteDefault = "Data Source=data/contactrouter.db";

    /// <summary>
    /// The project's private cluster (deploy/postgres.sh): loopback, port 5433, this role with its SCRAM password, which
    /// Npgsql reads from the PostgreSQL password file the script writes (relative to the working directory: the
    /// repository root). Another server's connection string names its own Password= or Passfile=.
    /// </summary>
    public const string PostgresDefault = "Host=127.0.0.1;Port=5433;Database=contactrouter;Username=contactrouter;Passfile=" + DevelopmentPassfile;

    /// <summary>The password file deploy/postgres.sh writes (pgpass format), relative to the repository root.</summary>
    public const string DevelopmentPassfile = ".secrets/pgpass";

    public static string DefaultConnectionString(StoreProvider provider) => provider switch
    {
        StoreProvider.Sqlite => SqliteDefault,
        StoreProvider.Postgres => PostgresDefault,
        _ => throw new ArgumentOutOfRangeException(nameof(provider), provider, null),
    };

    /// <summary>
    /// Refuses a connection string the provider cannot read, naming the setting, instead of failing later at the
    /// first query (e.g. Store:Provider=Postgres with the SQLite "Data Source=…" still in place).
    /// </summary>
    public static void CheckConnectionString(StoreProvider provider, string connectionString)
    {
        try
        {
            var named = provider == StoreProvider.Postgres
                ? new NpgsqlConnectionStringBuilder(connectionString).Host
                : new SqliteConnectionStringBuilder(connectionString).DataSource;
            if (string.IsNullOrEmpty(named)) throw new ArgumentException(provider == StoreProvider.Postgres ? "no Host" : "no Data Source");
        }
        catch (ArgumentException ex)
        {
            throw new InvalidOperationException(
                $"Store:ConnectionString is not a {provider} connection string ({ex.Message}). " +
                $"With Store:Provider={provider} use one like \"{DefaultConnectionString(provider)}\".", ex);
        }
        // Npgsql quietly skips a password file that is not there, and the server then refuses "no password": say which file.
        if (provider == StoreProvider.Postgres
            && new NpgsqlConnectionStringBuilder(connectionString) is { Password: null or "", Passfile: { Length: > 0 } passfile }
            && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("PGPASSWORD"))
            && !File.Exists(passfile))
            throw new InvalidOperationException(
                $"Store:ConnectionString names the password file Passfile={passfile}, which does not exist ({Path.GetFullPath(passfile)}). " +
                $"For the project's own cluster run deploy/postgres.sh start, which writes {DevelopmentPassfile}, and start from the " +
                "repository root; for another server give its Password= or Passfile= in Store:ConnectionString.");
    }

    /// <summary>
    /// Registers <see cref="RouterDbContext"/>, backed by the provider's own context type so that the provider's
    /// migration set is the one applied.
    /// </summary>
    public static IServiceCollection AddRouterStore(this IServiceCollection services, StoreProvider provider, string connectionString) =>
        provider switch
        {
            StoreProvider.Sqlite => services.AddDbContext<RouterDbContext, SqliteRouterDbContext>(o => Quiet(o.UseSqlite(connectionString).AddInterceptors(SqliteBusyTimeout.Instance))),
            StoreProvider.Postgres => services.AddDbContext<RouterDbContext, PostgresRouterDbContext>(o => Quiet(o.UseNpgsql(connectionString))),
            _ => throw new ArgumentOutOfRangeException(nameof(provider), provider, null),
        };

    /// <summary>
    /// A failed command or SaveChanges is logged by whoever handles its exception, not by EF Core first as an error: the router
    /// expects some failures (two identical retries racing for one command id, where the unique index decides and the
    /// loser answers from the winner's row) and an error line there would be untrue.
    /// </summary>
    private static DbContextOptionsBuilder Quiet(DbContextOptionsBuilder options) =>
        options.ConfigureWarnings(w => w.Log((CoreEventId.SaveChangesFailed, LogLevel.Debug), (RelationalEventId.CommandError, LogLevel.Debug)));

    /// <summary>A context outside dependency injection (tools, tests); the caller disposes it.</summary>
    public static RouterDbContext Open(StoreProvider provider, string connectionString) => provider switch
    {
        StoreProvider.Sqlite => new SqliteRouterDbContext(new DbContextOptionsBuilder<SqliteRouterDbContext>().UseSqlite(connectionString).AddInterceptors(SqliteBusyTimeout.Instance).Options),
        StoreProvider.Postgres => new PostgresRouterDbContext(new DbContextOptionsBuilder<PostgresRouterDbContext>().UseNpgsql(connectionString).Options),
        _ => throw new ArgumentOutOfRangeException(nameof(provider), provider, null),
    };

    /// <summary>
    /// Brings the schema up to date at start-up: creates the SQLite file's folder, takes on a SQLite file made before
    /// the store had migrations, applies the provider's pending migrations (EF Core takes a database lock, so
    /// processes starting together on one store do not race), and on SQLite turns on WAL so the API reads while a
    /// worker writes.
    /// </summary>
    public static async Task<StoreMigration> MigrateAsync(RouterDbContext db, CancellationToken ct = default)
    {
        var sqlite = db.Database.IsSqlite();
        if (sqlite) CreateSqliteFolder(db.Database.GetConnectionString());

        var before = new StoreMigration([]);
        if (sqlite) before = await TakeOnFileFromBeforeMigrations(db, ct);

        // Processes starting together on one PostgreSQL database (an API and its workers) take turns: EF Core's own lock
        // there does not cover a run of several migrations, and the second one failed on "relation already exists".
        var npgsql = db.Database.IsNpgsql();
        if (npgsql)
        {
            await db.Database.OpenConnectionAsync(ct);
            await db.Database.ExecuteSqlRawAsync("SELECT pg_advisory_lock(20261202)", ct);
        }
        List<string> pending;
        try
        {
            // Inside the lock: two processes creating it at once raced in PostgreSQL's catalogue ("type already exists").
            if (npgsql) await CreateHistoryTable(db, ct);
            pending = (await db.Database.GetPendingMigrationsAsync(ct)).ToList();
            await db.Database.MigrateAsync(ct);
        }
        finally
        {
            if (npgsql)
            {
                await db.Database.ExecuteSqlRawAsync("SELECT pg_advisory_unlock(20261202)", CancellationToken.None);
                await db.Database.CloseConnectionAsync();
            }
        }
        if (sqlite) await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
        return before with { Pending = pending };
    }

    /// <summary>
    /// On a new PostgreSQL database, EF Core reads the migrations history before creating it and logs the failed read
    /// as an error (npgsql/efcore.pg#3407): harmless, but an error in the log of a healthy first start. An empty
    /// history table first (CREATE TABLE IF NOT EXISTS) avoids that. Called under the migrations' advisory lock, so
    /// processes starting together never create it at the same moment.
    /// </summary>
    private static Task CreateHistoryTable(RouterDbContext db, CancellationToken ct) =>
        // Not IHistoryRepository.ExistsAsync: on Npgsql that is the very read that logs the error.
        db.Database.ExecuteSqlRawAsync(db.GetService<IHistoryRepository>().GetCreateIfNotExistsScript(), ct);

    private static void CreateSqliteFolder(string? connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        if (builder.Mode == SqliteOpenMode.Memory || builder.DataSource is "" or ":memory:") return;
        var folder = Path.GetDirectoryName(Path.GetFullPath(builder.DataSource));
        if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);
    }

    /// <summary>
    /// Before migrations, start-up created the SQLite schema with EnsureCreated: tables, but no migrations history,
    /// so the first migration would fail on "table already exists". A file whose tables are exactly those of the
    /// first migration is taken on: that migration is recorded as applied and the later ones run as usual. A file
    /// from an even older version (other columns; it never worked with this code) is moved aside, kept, and a new
    /// store is made in its place.
    /// </summary>
    private static async Task<StoreMigration> TakeOnFileFromBeforeMigrations(RouterDbContext db, CancellationToken ct)
    {
        var none = new StoreMigration([]);
        var first = db.Database.GetMigrations().FirstOrDefault();
        var history = db.GetService<IHistoryRepository>();
        if (first is null || await history.ExistsAsync(ct)) return none;
        var found = await SqliteTables(db.Database.GetDbConnection(), ct);
        if (found.Count == 0) return none; // a new file: the migrations create everything

        // What the first migration creates, built in a scratch in-memory database.
        await using var scratch = new SqliteConnection("Data Source=:memory:");
        await scratch.OpenAsync(ct);
        await using (var create = scratch.CreateCommand())
        {
            create.CommandText = db.GetService<IMigrator>().GenerateScript(fromMigration: null, toMigration: first);
            await create.ExecuteNonQueryAsync(ct);
        }
        if (!found.SetEquals(await SqliteTables(scratch, ct)))
            return none with { MovedAside = MoveAside(db) };

        await db.Database.ExecuteSqlRawAsync(history.GetCreateIfNotExistsScript(), ct);
        // OR IGNORE: another process starting on the same file at the same moment may have done this too.
        var insert = history.GetInsertScript(new HistoryRow(first, ProductInfo.GetVersion()));
        await db.Database.ExecuteSqlRawAsync(insert.Replace("INSERT INTO", "INSERT OR IGNORE INTO", StringComparison.Ordinal), ct);
        return none with { Adopted = first };
    }

    private static string MoveAside(RouterDbContext db)
    {
        var connection = (SqliteConnection)db.Database.GetDbConnection();
        connection.Close();
        SqliteConnection.ClearPool(connection); // no pooled connection may keep writing to the moved file
        var file = Path.GetFullPath(new SqliteConnectionStringBuilder(connection.ConnectionString).DataSource);
        // contactrouter.db -> contactrouter.before-migrations-20261123-090000.db (still matched by *.db in .gitignore)
        var aside = Path.Combine(Path.GetDirectoryName(file)!,
            $"{Path.GetFileNameWithoutExtension(file)}.before-migrations-{DateTime.UtcNow:yyyyMMdd-HHmmss}{Path.GetExtension(file)}");
        foreach (var suffix in new[] { "", "-wal", "-shm" })
        {
            try
            {
                File.Move(file + suffix, aside + suffix);
            }
            catch (FileNotFoundException)
            {
                // No such journal file, or another process starting at the same moment moved it already.
            }
        }
        return aside;
    }

    /// <summary>The application's tables and their columns ("table.column type notnull pk"), without EF's own.</summary>
    private static async Task<HashSet<string>> SqliteTables(DbConnection connection, CancellationToken ct)
    {
        var opened = connection.State != System.Data.ConnectionState.Open;
        if (opened) await connection.OpenAsync(ct);
        try
        {
            var columns = new HashSet<string>(StringComparer.Ordinal);
            await using var command = connection.CreateCommand();
            command.CommandText =
                "SELECT t.name, c.name, c.type, c.\"notnull\", c.pk FROM sqlite_master t JOIN pragma_table_info(t.name) c " +
                "WHERE t.type = 'table' AND t.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND t.name NOT LIKE '\\_\\_EF%' ESCAPE '\\'";
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
                columns.Add($"{reader.GetString(0)}.{reader.GetString(1)} {reader.GetString(2)}{(reader.GetInt64(3) == 1 ? " not null" : "")}{(reader.GetInt64(4) > 0 ? " key" : "")}");
            return columns;
        }
        finally
        {
            if (opened) await connection.CloseAsync();
        }
    }
}
