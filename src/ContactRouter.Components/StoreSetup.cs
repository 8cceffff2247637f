using ContactRouter.Store;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ContactRouter.Components;

/// <summary>
/// Brings the store's schema up to date (EF Core migrations of the configured provider, see
/// <see cref="RouterStore.MigrateAsync"/>) before anything else starts, then fills the connection pool
/// (<see cref="StoreOptions.WarmConnections"/>).
/// </summary>
public sealed class StoreInitializer(IServiceScopeFactory scopes, IOptions<StoreOptions> options, ILogger<StoreInitializer> log) : IHostedService
{
    public async Task StartAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RouterDbContext>();
        var done = await RouterStore.MigrateAsync(db, ct);
        if (done.MovedAside is not null)
            log.LogWarning("The SQLite store was made by a version before the first migration and cannot be upgraded: " +
                           "moved it to {File} and made a new one", done.MovedAside);
        if (done.Adopted is not null)
            log.LogInformation("Store created before migrations: recorded it as migration {Migration}", done.Adopted);
        if (done.Pending.Count > 0)
            log.LogInformation("Store on {Provider} migrated; it lacked {Migrations}", db.Database.ProviderName, string.Join(", ", done.Pending));
        if (db.Database.IsNpgsql()) await WarmPool(options.Value.WarmConnections, ct);
    }

    /// <summary>
    /// Opens that many connections at once, each through a context of its own as a request would (so through the same
    /// pool as the requests, whatever EF Core's provider builds it from), and hands them back to the pool.
    /// </summary>
    private async Task WarmPool(int connections, CancellationToken ct)
    {
        var contexts = Enumerable.Range(0, connections).Select(_ => scopes.CreateAsyncScope()).ToList();
        try
        {
            await Task.WhenAll(contexts.Select(scope => scope.ServiceProvider.GetRequiredService<RouterDbContext>().Database.OpenConnectionAsync(ct)));
        }
        finally
        {
            foreach (var scope in contexts) await scope.DisposeAsync();
        }
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
