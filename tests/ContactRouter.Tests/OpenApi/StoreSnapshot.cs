using System.Data.Common;
using System.Globalization;
using ContactRouter.Store;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ContactRouter.Tests.OpenApi;

/// <summary>
/// The store's business tables, every row as text: every table of the model but the access log (which rightly records
/// refused sign-ins and reads) and Data Protection's key ring — so a table added later is watched without being named here.
/// </summary>
public sealed class StoreSnapshot
{
    private static readonly string[] NotBusiness = [nameof(AccessLogEntry), "DataProtectionKey"];

    /// <summary>
    /// Delivery bookkeeping the router's background work writes whenever it gets round to it (the outbox cleanup marks a
    /// published event or a handed-over command up to seconds later, and deletes published events): it records that an
    /// earlier change was delivered, not a change of its own, so a snapshot leaves these columns out and a row leaving the
    /// outbox is not a change. A new outbox row still is.
    /// </summary>
    private static readonly string[] DeliveryMarks = [nameof(OutboxMessage.PublishedAt), nameof(AcceptedCommand.HandedOverAt)];
    private const string Outbox = "Outbox";

    private StoreSnapshot(IReadOnlyDictionary<string, IReadOnlyList<string>> tables) => Tables = tables;

    public IReadOnlyDictionary<string, IReadOnlyList<string>> Tables { get; }

    public int Rows => Tables.Values.Sum(t => t.Count);

    public static async Task<StoreSnapshot> Take(RouterFactory router)
    {
        await using var scope = router.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RouterDbContext>();
        var names = db.Model.GetEntityTypes().Where(t => !NotBusiness.Contains(t.ClrType.Name))
            .Select(t => t.GetTableName()).OfType<string>().Distinct().Order(StringComparer.Ordinal).ToList();
        await db.Database.OpenConnectionAsync();
        try
        {
            var tables = new Dictionary<string, IReadOnlyList<string>>();
            foreach (var name in names)
            {
                await using var command = db.Database.GetDbConnection().CreateCommand();
                command.CommandText = $"SELECT * FROM \"{name}\"";
                await using var reader = await command.ExecuteReaderAsync();
                var rows = new List<string>();
                while (await reader.ReadAsync()) rows.Add(Row(reader));
                rows.Sort(StringComparer.Ordinal);
                tables[name] = rows;
            }
            return new StoreSnapshot(tables);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>
    /// A snapshot once the store has settled: what a request set going finishes in the background (a worker applying a
    /// command, the customer view following an event) is part of what it did, not of what came after.
    /// </summary>
    public static async Task<StoreSnapshot> Settled(RouterFactory router)
    {
        StoreSnapshot? last = null;
        var same = 0;
        await Api.Eventually(async () =>
        {
            var now = await Take(router);
            same = last is not null && now.ChangedRows(last).Count == 0 ? same + 1 : 0;
            last = now;
            return same;
        }, s => s >= 5, "the store to settle (five reads in a row alike)");
        return last!;
    }

    /// <summary>Rows only one of the two snapshots holds, as "table: -row" (gone) and "table: +row" (new or changed).</summary>
    public IReadOnlyList<string> ChangedRows(StoreSnapshot after)
    {
        var changes = new List<string>();
        foreach (var name in Tables.Keys.Union(after.Tables.Keys).Order(StringComparer.Ordinal))
        {
            var before = Tables.GetValueOrDefault(name) ?? [];
            var now = after.Tables.GetValueOrDefault(name) ?? [];
            if (name != Outbox) changes.AddRange(before.Except(now).Select(r => $"{name}: -{r}"));
            changes.AddRange(now.Except(before).Select(r => $"{name}: +{r}"));
        }
        return changes;
    }

    private static string Row(DbDataReader reader) => string.Join(" | ", Enumerable.Range(0, reader.FieldCount)
        .Where(i => !DeliveryMarks.Contains(reader.GetName(i))).Select(i =>
        $"{reader.GetName(i)}={(reader.IsDBNull(i) ? "null" : Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture))}"));
}
