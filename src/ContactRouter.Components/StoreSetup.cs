using ContactRouter.Store;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ContactRouter.Components;

/// <summary>Creates the store's schema (and the ./data folder for the embedded SQLite file) before anything else starts.</summary>
public sealed class StoreInitializer(IServiceScopeFactory scopes, IOptions<StoreOptions> options) : IHostedService
{
    public async Task StartAsync(CancellationToken ct)
    {
        var builder = new SqliteConnectionStringBuilder(options.Value.ConnectionString);
        var folder = Path.GetDirectoryName(Path.GetFullPath(builder.DataSource));
        if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RouterDbContext>();
        await db.Database.EnsureCreatedAsync(ct);
        // WAL lets the API read while a centre worker writes.
        await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
