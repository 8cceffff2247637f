using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace ContactRouter.Store;

/// <summary>
/// <see cref="RouterDbContext"/> on SQLite. The same model; it exists so that SQLite has its own migration set
/// (Migrations/Sqlite). Registered as <see cref="RouterDbContext"/>: nothing else needs to know it.
/// </summary>
public sealed class SqliteRouterDbContext(DbContextOptions<SqliteRouterDbContext> options) : RouterDbContext(options);

/// <summary><see cref="RouterDbContext"/> on PostgreSQL, with its own migration set (Migrations/Postgres).</summary>
public sealed class PostgresRouterDbContext(DbContextOptions<PostgresRouterDbContext> options) : RouterDbContext(options);

/// <summary>
/// For `dotnet ef` (deploy/add-migration.sh): builds the model. Adding a migration never connects; removing one asks
/// the database whether it is applied, and an in-memory database never has it (and leaves no file behind).
/// </summary>
public sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteRouterDbContext>
{
    public SqliteRouterDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteRouterDbContext>().UseSqlite("Data Source=:memory:").Options);
}

/// <summary>
/// For `dotnet ef` (deploy/add-migration.sh): builds the model. Adding a migration never connects; removing one asks
/// the project's cluster (deploy/postgres.sh) whether it is applied there.
/// </summary>
public sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresRouterDbContext>
{
    public PostgresRouterDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresRouterDbContext>().UseNpgsql(RouterStore.DefaultConnectionString(StoreProvider.Postgres)).Options);
}
