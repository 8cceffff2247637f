using ContactRouter.Routing;
using ContactRouter.Store;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace ContactRouter.Tests.Store;

// The store's specifications, each on both providers: SQLite (the embedded default) and PostgreSQL (the project's
// private cluster, deploy/postgres.sh). Every class gets fresh databases of its own (StoreDatabases).

public sealed class When_the_store_starts_on_an_empty_database(StoreDatabases stores) : IClassFixture<StoreDatabases>
{
    [Theory]
    [InlineData(StoreProvider.Sqlite)]
    [InlineData(StoreProvider.Postgres)]
    public async Task Should_apply_every_migration_and_create_every_table(StoreProvider provider)
    {
        await using var db = await stores.Open(provider);
        (await db.Database.GetAppliedMigrationsAsync()).Should().BeEmpty("the database is new");

        var done = await RouterStore.MigrateAsync(db);

        done.Pending.Should().NotBeEmpty().And.Equal(db.Database.GetMigrations());
        done.Adopted.Should().BeNull();
        (await db.Database.GetAppliedMigrationsAsync()).Should().Equal(db.Database.GetMigrations());
        foreach (var table in db.Model.GetEntityTypes().Select(e => e.GetTableName()!).Distinct())
        {
            var countRows = "SELECT COUNT(*) AS \"Value\" FROM \"" + table + "\""; // a name from our own model
            (await db.Database.SqlQueryRaw<int>(countRows).SingleAsync()).Should().Be(0, $"table {table} exists and is empty");
        }
        if (provider == StoreProvider.Sqlite)
            (await db.Database.SqlQueryRaw<string>("PRAGMA journal_mode").ToListAsync()).Should().Equal("wal");

        (await RouterStore.MigrateAsync(db)).Pending.Should().BeEmpty("a second start finds nothing to do");
    }

    [Theory]
    [InlineData(StoreProvider.Sqlite)]
    [InlineData(StoreProvider.Postgres)]
    public void Should_have_a_migration_for_every_change_of_the_model(StoreProvider provider)
    {
        // Needs no server: compares the model with the provider's latest migration snapshot.
        using var db = RouterStore.Open(provider, RouterStore.DefaultConnectionString(provider));
        db.Database.HasPendingModelChanges().Should().BeFalse(
            $"every change of the model needs a migration for both providers: run `deploy/add-migration.sh <Name>` ({provider})");
    }
}

public sealed class When_the_store_file_was_created_before_migrations(StoreDatabases stores) : IClassFixture<StoreDatabases>
{
    [Fact]
    public async Task Should_take_it_on_as_the_first_migration_and_keep_its_data()
    {
        // What the old start-up (EnsureCreated) left: the first migration's tables, no migrations history.
        string first;
        await using (var old = await stores.Open(StoreProvider.Sqlite))
        {
            first = old.Database.GetMigrations().First();
            await old.GetService<IMigrator>().MigrateAsync(first);
            await old.Database.ExecuteSqlRawAsync("INSERT INTO \"Centres\" (\"Id\", \"Version\", \"NextSequence\") VALUES ('sociaal', 7, 12)");
            await old.Database.ExecuteSqlRawAsync("DROP TABLE \"__EFMigrationsHistory\"");
            await old.Database.ExecuteSqlRawAsync("DROP TABLE IF EXISTS \"__EFMigrationsLock\"");
        }
        SqliteConnection.ClearAllPools();

        await using var db = await stores.Open(StoreProvider.Sqlite);
        var done = await RouterStore.MigrateAsync(db);

        done.Adopted.Should().Be(first);
        done.Pending.Should().Equal(db.Database.GetMigrations().Skip(1));
        (await db.Database.GetPendingMigrationsAsync()).Should().BeEmpty();
        (await db.Centres.SingleAsync()).Should().BeEquivalentTo(new CentreRecord { Id = "sociaal", Version = 7, NextSequence = 12 });
    }
}

public sealed class When_the_store_file_was_created_by_a_version_before_the_first_migration(StoreDatabases stores) : IClassFixture<StoreDatabases>
{
    [Fact]
    public async Task Should_move_it_aside_untouched_and_start_on_a_new_one()
    {
        await using (var old = await stores.Open(StoreProvider.Sqlite))
        {
            await old.GetService<IMigrator>().MigrateAsync(old.Database.GetMigrations().First());
            await old.Database.ExecuteSqlRawAsync("INSERT INTO \"Centres\" (\"Id\", \"Version\", \"NextSequence\") VALUES ('sociaal', 7, 12)");
            await old.Database.ExecuteSqlRawAsync("DROP TABLE \"__EFMigrationsHistory\"");
            await old.Database.ExecuteSqlRawAsync("ALTER TABLE \"Outbox\" DROP COLUMN \"SendToCentre\"");
        }
        SqliteConnection.ClearAllPools();

        await using var db = await stores.Open(StoreProvider.Sqlite);
        var done = await RouterStore.MigrateAsync(db);

        done.MovedAside.Should().NotBeNull();
        done.Adopted.Should().BeNull();
        done.Pending.Should().Equal(db.Database.GetMigrations());
        (await db.Centres.CountAsync()).Should().Be(0, "the store is new");
        await using (var kept = RouterStore.Open(StoreProvider.Sqlite, $"Data Source={done.MovedAside};Mode=ReadOnly"))
            (await kept.Database.SqlQueryRaw<long>("SELECT \"Version\" AS \"Value\" FROM \"Centres\"").SingleAsync()).Should().Be(7, "the old file is kept as it was");
        SqliteConnection.ClearAllPools();
        File.Delete(done.MovedAside!);
    }
}

public sealed class When_a_centre_is_saved_and_loaded_again(StoreDatabases stores) : IClassFixture<StoreDatabases>
{
    private static readonly RoutingOptions Options = new();

    [Theory]
    [InlineData(StoreProvider.Sqlite)]
    [InlineData(StoreProvider.Postgres)]
    public async Task Should_give_back_its_contacts_agents_and_day_counters(StoreProvider provider)
    {
        var time = RouterFactory.NewClock();
        var centre = new Centre("sociaal", Options, time);
        centre.RegisterAgent("anna", "Anna de Vries", new Dictionary<string, int> { ["sociaal"] = 5, ["fysiek"] = 2 }).Should().BeNull();
        centre.RegisterAgent("bram", "Bram", new Dictionary<string, int> { ["sociaal"] = 3 }).Should().BeNull();
        centre.SetPresence("anna", AgentPresence.Available).Should().BeNull();
        time.Advance(TimeSpan.FromMilliseconds(1500));
        centre.Queue(Caller("c1", time, priority: 0)).Should().BeNull();          // offered to anna
        time.Advance(TimeSpan.FromMilliseconds(250));
        centre.Reject("anna", "c1").Should().BeNull();                            // declined by anna for a while
        centre.SetPresence("bram", AgentPresence.Available).Should().BeNull();    // offered to bram
        time.Advance(TimeSpan.FromMilliseconds(2125));
        centre.Accept("bram", "c1").Should().BeNull();
        centre.Queue(Caller("c2", time, priority: 5)).Should().BeNull();          // offered to anna
        time.Advance(TimeSpan.FromSeconds(1));
        centre.Queue(Caller("c3", time, priority: 2)).Should().BeNull();          // waits
        centre.Queue(Caller("c4", time, priority: 2)).Should().BeNull();          // waits, same instant: sequence decides
        time.Advance(TimeSpan.FromSeconds(3));
        centre.Abandon("c4").Should().BeNull();
        var saved = centre.TakeChanges();

        await using (var db = await stores.Migrated(provider))
        {
            db.Contacts.AddRange(saved.Contacts);
            db.Agents.AddRange(saved.Agents);
            db.Statistics.Add(saved.Statistics!);
            db.Centres.Add(new CentreRecord { Id = "sociaal", Version = 1, NextSequence = centre.NextSequence });
            await db.SaveChangesAsync();
        }

        // What was saved covers every kind of column: offered, answered, declined, abandoned, skills, counters.
        saved.Contacts.Should().HaveCount(4);
        saved.Contacts.Single(c => c.Id == "c1").DeclinedUntil.Should().ContainKey("anna");
        saved.Contacts.Single(c => c.Id == "c1").AnsweredAt.Should().NotBeNull();
        saved.Agents.Single(a => a.Id == "anna").OfferExpiresAt.Should().NotBeNull();
        saved.Statistics!.TotalSecondsToAnswer.Should().Be(2.375, "queued at 1.5 s, answered at 3.875 s");
        await ShouldLoadAsSaved(provider, centre, time);

        // Later changes are updates of the same rows, as the worker saves them.
        time.Advance(TimeSpan.FromMinutes(4));
        centre.Complete("c1", "resolved", "Wmo-aanvraag uitgelegd").Should().BeNull();
        centre.Accept("anna", "c2").Should().NotBeNull("the offer timed out meanwhile");
        centre.Abandon("c3").Should().BeNull();
        var later = centre.TakeChanges();
        await using (var db = await stores.Open(provider))
        {
            db.Contacts.UpdateRange(later.Contacts);
            db.Agents.UpdateRange(later.Agents);
            db.Statistics.Update(later.Statistics!);
            var record = await db.Centres.SingleAsync(c => c.Id == "sociaal");
            record.Version++;
            record.NextSequence = centre.NextSequence;
            await db.SaveChangesAsync();
        }
        later.Contacts.Single(c => c.Id == "c1").CompletedAt.Should().NotBeNull();
        later.Statistics!.Abandoned.Should().Be(2);
        later.Agents.Single(a => a.Id == "bram").WrapUpUntil.Should().NotBeNull();
        await ShouldLoadAsSaved(provider, centre, time, finished: ["c1", "c3", "c4"]);
        await using var read = await stores.Open(provider);
        (await read.Contacts.AsNoTracking().Where(c => c.Id == "c1" || c.Id == "c3").OrderBy(c => c.Id).ToListAsync())
            .Should().BeEquivalentTo(later.Contacts.Where(c => c.Id is "c1" or "c3").OrderBy(c => c.Id), o => o.WithStrictOrdering(),
                "finished contacts stay in the store as they ended: outcome, summary, times");
    }

    /// <summary>The store holds exactly the centre's state, and a centre restored from it routes the same.</summary>
    private async Task ShouldLoadAsSaved(StoreProvider provider, Centre centre, TimeProvider time, string[]? finished = null)
    {
        await using var db = await stores.Open(provider);
        var record = await db.Centres.AsNoTracking().SingleAsync(c => c.Id == "sociaal");
        var agents = await db.Agents.AsNoTracking().Where(a => a.HomeCentre == "sociaal").OrderBy(a => a.Id).ToListAsync();
        var contacts = await db.Contacts.AsNoTracking().Where(c => c.Centre == "sociaal").OrderBy(c => c.Id).ToListAsync();
        var today = await db.Statistics.AsNoTracking().SingleAsync(s => s.Centre == "sociaal" && s.Day == centre.Today.Day);

        agents.Should().BeEquivalentTo(centre.Agents.OrderBy(a => a.Id), o => o.WithStrictOrdering());
        contacts.Where(c => c.IsLive).Should().BeEquivalentTo(centre.LiveContacts.OrderBy(c => c.Id), o => o.WithStrictOrdering());
        contacts.Where(c => !c.IsLive).Select(c => c.Id).Should().BeEquivalentTo(finished ?? ["c4"]);
        today.Should().BeEquivalentTo(centre.Today);
        record.NextSequence.Should().Be(centre.NextSequence);

        var restored = new Centre("sociaal", Options, time);
        restored.Restore(agents, contacts, today, record.NextSequence);
        restored.WaitingInOrder().Select(c => c.Id).Should().Equal(centre.WaitingInOrder().Select(c => c.Id));
        restored.AgentsByStatus().Should().BeEquivalentTo(centre.AgentsByStatus());
        restored.NextSequence.Should().Be(centre.NextSequence);
    }

    private static Contact Caller(string id, TimeProvider time, int priority) => new()
    {
        Id = id, HomeCentre = "sociaal", Centre = "sociaal", Channel = "phone", Caller = "+31612345678", Priority = priority,
        Topic = "wmo", QueuedAt = time.GetUtcNow(),
    };
}

public sealed class When_two_workers_save_the_same_centre(StoreDatabases stores) : IClassFixture<StoreDatabases>
{
    [Theory]
    [InlineData(StoreProvider.Sqlite)]
    [InlineData(StoreProvider.Postgres)]
    public async Task Should_refuse_the_save_made_on_a_stale_version_and_keep_none_of_it(StoreProvider provider)
    {
        await using (var db = await stores.Migrated(provider))
        {
            db.Centres.Add(new CentreRecord { Id = "fysiek", Version = 1, NextSequence = 5 });
            await db.SaveChangesAsync();
        }
        await using var active = await stores.Open(provider);
        await using var standby = await stores.Open(provider);
        var mine = await active.Centres.SingleAsync(c => c.Id == "fysiek");
        var stale = await standby.Centres.SingleAsync(c => c.Id == "fysiek");

        mine.Version++;
        mine.NextSequence = 6;
        await active.SaveChangesAsync();

        stale.Version++;
        stale.NextSequence = 99;
        standby.Contacts.Add(new Contact
        {
            Id = "lost", HomeCentre = "fysiek", Centre = "fysiek", Channel = "phone", Caller = "+31612345678",
            QueuedAt = RouterFactory.NewClock().GetUtcNow(),
        });
        var save = () => standby.SaveChangesAsync();
        await save.Should().ThrowAsync<DbUpdateConcurrencyException>();

        await using var check = await stores.Open(provider);
        (await check.Centres.SingleAsync(c => c.Id == "fysiek")).Should().BeEquivalentTo(new CentreRecord { Id = "fysiek", Version = 2, NextSequence = 6 });
        (await check.Contacts.AnyAsync(c => c.Id == "lost")).Should().BeFalse("the whole save is refused, not only the centre's row");
    }
}

public sealed class When_contacts_are_queried_by_time(StoreDatabases stores) : IClassFixture<StoreDatabases>
{
    private static readonly DateTimeOffset T0 = RouterFactory.NewClock().GetUtcNow();

    // Arrival times out of id order, with milliseconds, a day boundary, and two in the same instant.
    private static readonly (string Id, string Centre, DateTimeOffset QueuedAt, long Sequence)[] Rows =
    [
        ("a", "burgerzaken", T0.AddSeconds(3), 1),
        ("b", "burgerzaken", T0.AddMilliseconds(500), 2),
        ("c", "fysiek", T0.AddDays(-1).AddMilliseconds(1), 1),
        ("d", "fysiek", T0.AddMilliseconds(1250), 2),
        ("e", "fysiek", T0.AddMilliseconds(1250), 3),
        ("f", "sociaal", T0.AddHours(-9).AddMilliseconds(-1), 1),
    ];

    [Theory]
    [InlineData(StoreProvider.Sqlite)]
    [InlineData(StoreProvider.Postgres)]
    public async Task Should_order_filter_and_take_the_minimum_in_the_database(StoreProvider provider)
    {
        await using (var db = await stores.Migrated(provider))
        {
            foreach (var (id, centre, queuedAt, sequence) in Rows)
                db.Contacts.Add(new Contact { Id = id, HomeCentre = centre, Centre = centre, Channel = "phone", Caller = "+31612345678", QueuedAt = queuedAt, Sequence = sequence });
            await db.SaveChangesAsync();
        }

        await using var read = await stores.Open(provider);
        (await read.Contacts.OrderBy(c => c.QueuedAt).ThenBy(c => c.Sequence).Select(c => c.Id).ToListAsync())
            .Should().Equal("c", "f", "b", "d", "e", "a");
        (await read.Contacts.OrderByDescending(c => c.QueuedAt).ThenBy(c => c.Id).Select(c => c.Id).FirstAsync()).Should().Be("a");
        (await read.Contacts.Where(c => c.QueuedAt < T0.AddSeconds(1)).Select(c => c.Id).ToListAsync())
            .Should().BeEquivalentTo(["b", "c", "f"]);
        (await read.Contacts.Where(c => c.QueuedAt >= T0 && c.QueuedAt <= T0.AddMilliseconds(1250)).CountAsync()).Should().Be(3);
        (await read.Contacts.MinAsync(c => c.QueuedAt)).Should().Be(T0.AddDays(-1).AddMilliseconds(1));
        (await read.Contacts.MaxAsync(c => c.QueuedAt)).Should().Be(T0.AddSeconds(3));

        // As GET /api/centres asks it: the longest waiting contact per centre.
        var oldest = await read.Contacts.Where(c => c.Status == ContactStatus.Queued)
            .GroupBy(c => c.Centre)
            .Select(g => new { Centre = g.Key, Count = g.Count(), Oldest = g.Min(c => c.QueuedAt) })
            .ToListAsync();
        oldest.Should().BeEquivalentTo(new[]
        {
            new { Centre = "burgerzaken", Count = 2, Oldest = T0.AddMilliseconds(500) },
            new { Centre = "fysiek", Count = 3, Oldest = T0.AddDays(-1).AddMilliseconds(1) },
            new { Centre = "sociaal", Count = 1, Oldest = T0.AddHours(-9).AddMilliseconds(-1) },
        });

        var loaded = await read.Contacts.AsNoTracking().OrderBy(c => c.Id).ToListAsync();
        loaded.Select(c => c.QueuedAt).Should().Equal(Rows.Select(r => r.QueuedAt), "times come back to the millisecond");
        loaded.Should().OnlyContain(c => c.QueuedAt.Offset == TimeSpan.Zero, "times come back in UTC");
    }
}

public sealed class When_commands_and_events_are_recorded(StoreDatabases stores) : IClassFixture<StoreDatabases>
{
    [Theory]
    [InlineData(StoreProvider.Sqlite)]
    [InlineData(StoreProvider.Postgres)]
    public async Task Should_give_back_processed_commands_and_outbox_rows_in_order(StoreProvider provider)
    {
        var at = RouterFactory.NewClock().GetUtcNow();
        var accepted = new ProcessedCommand { CommandId = Guid.NewGuid(), Centre = "sociaal", ProcessedAt = at, Accepted = true };
        var refused = new ProcessedCommand
        {
            CommandId = Guid.NewGuid(), Centre = "sociaal", ProcessedAt = at.AddMilliseconds(20), Accepted = false,
            RefusalKind = "conflict", Field = "contactId", Detail = "Contact c1 is not offered to agent anna.",
        };
        var events = Enumerable.Range(0, 3).Select(i => new OutboxMessage
        {
            Centre = "sociaal", MessageType = i == 2 ? "ContactTransferred" : "ContactQueued", PublishedAt = i == 2 ? at : null,
            Body = $$"""{"contactId":"c{{i}}","caller":"+31612345678","note":"één € ✓"}""", CreatedAt = at.AddMilliseconds(i),
        }).ToList();

        await using (var db = await stores.Migrated(provider))
        {
            db.ProcessedCommands.AddRange(accepted, refused);
            db.Outbox.AddRange(events);
            await db.SaveChangesAsync();
        }
        events.Select(e => e.Id).Should().BeInAscendingOrder().And.OnlyHaveUniqueItems().And.OnlyContain(id => id > 0);

        await using (var db = await stores.Open(provider))
        {
            // As the worker asks whether a command was applied already.
            (await db.ProcessedCommands.AsNoTracking().FirstOrDefaultAsync(p => p.CommandId == refused.CommandId)).Should().BeEquivalentTo(refused);
            (await db.ProcessedCommands.FindAsync(accepted.CommandId)).Should().BeEquivalentTo(accepted);
            var unknown = Guid.NewGuid();
            (await db.ProcessedCommands.AnyAsync(p => p.CommandId == unknown)).Should().BeFalse();

            // As the relay reads what a crashed process left behind, then removes what it published.
            var rows = await db.Outbox.OrderBy(o => o.Id).Take(500).ToListAsync();
            rows.Should().BeEquivalentTo(events, o => o.WithStrictOrdering());
            db.Outbox.RemoveRange(rows.Where(r => r.CreatedAt < at.AddMilliseconds(2)));
            await db.SaveChangesAsync();
        }

        await using var after = await stores.Open(provider);
        (await after.Outbox.Select(o => o.Id).ToListAsync()).Should().Equal(events[2].Id);
        after.Outbox.Add(new OutboxMessage { Centre = "sociaal", MessageType = "ContactQueued", Body = "{}", CreatedAt = at });
        await after.SaveChangesAsync();
        (await after.Outbox.MaxAsync(o => o.Id)).Should().BeGreaterThan(events[2].Id, "ids keep rising after deletes");
    }
}

public sealed class When_a_sqlite_connection_is_opened(StoreDatabases stores) : IClassFixture<StoreDatabases>
{
    [Fact]
    public async Task Should_let_sqlite_itself_wait_for_the_write_lock()
    {
        await using var db = await stores.Open(StoreProvider.Sqlite);
        await db.Database.OpenConnectionAsync();
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = "PRAGMA busy_timeout;";

        Convert.ToInt32(await command.ExecuteScalarAsync()).Should().Be(SqliteBusyTimeout.Milliseconds,
            "a writer that finds the file locked waits inside SQLite, not in the driver's 150 ms sleeps");
    }
}
