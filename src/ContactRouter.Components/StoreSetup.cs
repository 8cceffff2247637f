using ContactRouter.Store;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ContactRouter.Components;

/// <summary>
/// Brings the store's schema up to date (EF Core migrations of the configured provider, see
/// <see cref="RouterStore.MigrateAsync"/>) before anything else starts.
/// </summary>
public sealed class StoreInitializer(IServiceScopeFactory scopes, ILogger<StoreInitializer> log) : IHostedService
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
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
