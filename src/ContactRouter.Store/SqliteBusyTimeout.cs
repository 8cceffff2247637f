using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace ContactRouter.Store;

/// <summary>
/// Lets SQLite itself wait for its one write lock. Microsoft.Data.Sqlite sets no busy timeout: a writer that finds the
/// file locked sleeps 150 ms and tries again, so with the API's ledger and access log, the customer view and the centre
/// workers all writing, a worker could lose the lock round after round and, under overload, stop answering (issue 11).
/// SQLite's own busy handler polls within a millisecond or a few, so the lock passes on as soon as it is free.
/// </summary>
public sealed class SqliteBusyTimeout : DbConnectionInterceptor
{
    /// <summary>Well inside the command timeout (30 s): what is still locked after this falls back to the driver's retries.</summary>
    public const int Milliseconds = 5_000;

    public static readonly SqliteBusyTimeout Instance = new();

    private const string Pragma = "PRAGMA busy_timeout = 5000;";

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        using var command = connection.CreateCommand();
        command.CommandText = Pragma;
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = Pragma;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
