using System.Text.Json;
using ContactRouter.Routing;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace ContactRouter.Store;

/// <summary>
/// The router's store. The routing core's own <see cref="Contact"/>, <see cref="Agent"/> and
/// <see cref="DailyStatistics"/> are mapped here, so there is no second copy of their shape to keep in step.
/// The application depends on this type only; <see cref="SqliteRouterDbContext"/> and
/// <see cref="PostgresRouterDbContext"/> exist because EF Core migrations are provider-specific, so each
/// provider keeps its own migration set (Migrations/Sqlite, Migrations/Postgres) for this same model.
/// Staff accounts (ASP.NET Core Identity) live in the same store, so the embedded default needs nothing more; so do
/// the Data Protection keys that seal session cookies, so every API process (and a restarted one) reads them.
/// </summary>
public class RouterDbContext : IdentityDbContext<StaffAccount>, IDataProtectionKeyContext
{
    public RouterDbContext(DbContextOptions<RouterDbContext> options) : base(options) { }

    /// <summary>For the provider-specific contexts, whose options carry their own type.</summary>
    protected RouterDbContext(DbContextOptions options) : base(options) { }

    public DbSet<Contact> Contacts => Set<Contact>();
    public DbSet<Agent> Agents => Set<Agent>();
    public DbSet<DailyStatistics> Statistics => Set<DailyStatistics>();
    public DbSet<CentreRecord> Centres => Set<CentreRecord>();
    public DbSet<ProcessedCommand> ProcessedCommands => Set<ProcessedCommand>();
    public DbSet<OutboxMessage> Outbox => Set<OutboxMessage>();
    public DbSet<AcceptedCommand> AcceptedCommands => Set<AcceptedCommand>();
    public DbSet<Party> Parties => Set<Party>();
    public DbSet<ContactMoment> ContactMoments => Set<ContactMoment>();
    public DbSet<AccessLogEntry> AccessLog => Set<AccessLogEntry>();
    public DbSet<MachineClient> MachineClients => Set<MachineClient>();
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();
    public DbSet<CallbackAppointment> Callbacks => Set<CallbackAppointment>();

    protected override void ConfigureConventions(ModelConfigurationBuilder builder)
    {
        // SQLite cannot compare or order DateTimeOffset; UTC ticks in an integer column can. PostgreSQL keeps
        // its native timestamptz (all values are UTC: Npgsql refuses to write another offset).
        if (Database.IsSqlite())
        {
            builder.Properties<DateTimeOffset>().HaveConversion<UtcTicksConverter>();
            builder.Properties<DateTimeOffset?>().HaveConversion<UtcTicksConverter>();
        }
    }

    protected override void OnModelCreating(ModelBuilder model)
    {
        base.OnModelCreating(model);
        model.Entity<Contact>(b =>
        {
            b.HasKey(c => c.Id);
            b.Property(c => c.Status).HasConversion<string>().HasMaxLength(16);
            b.Property(c => c.DeclinedUntil).HasConversion(Json<Dictionary<string, DateTimeOffset>>(), JsonComparer<Dictionary<string, DateTimeOffset>>());
            b.HasIndex(c => new { c.Centre, c.Status });
            b.HasIndex(c => c.QueuedAt);
        });
        model.Entity<Agent>(b =>
        {
            b.HasKey(a => a.Id);
            b.Property(a => a.Skills).HasConversion(Json<Dictionary<string, int>>(), JsonComparer<Dictionary<string, int>>());
            b.Property(a => a.ReportedStatus).HasConversion<string>().HasMaxLength(16);
            b.HasIndex(a => a.HomeCentre);
        });
        model.Entity<DailyStatistics>(b => b.HasKey(s => new { s.Centre, s.Day }));
        model.Entity<CentreRecord>(b =>
        {
            b.HasKey(c => c.Id);
            // Two instances of one centre must never both write: the second save fails on the version.
            b.Property(c => c.Version).IsConcurrencyToken();
        });
        model.Entity<ProcessedCommand>(b => b.HasKey(p => p.CommandId));
        model.Entity<OutboxMessage>(b =>
        {
            b.HasKey(o => o.Id);
            b.HasIndex(o => o.PublishedAt);
        });
        model.Entity<AcceptedCommand>(b =>
        {
            b.HasKey(c => c.Sequence);
            b.HasIndex(c => c.CommandId).IsUnique();
            b.HasIndex(c => c.ContactId);
            // The relay's question: what is not answered yet, in order.
            b.HasIndex(c => new { c.AnsweredAt, c.Sequence });
            b.Property(c => c.Centre).HasMaxLength(32);
            b.Property(c => c.ContactId).HasMaxLength(64);
            b.Property(c => c.MessageType).HasMaxLength(64);
            b.Property(c => c.Requester).HasMaxLength(Store.AccessLog.MaxText);
        });

        // The shared customer view (Klantinteracties concepts).
        model.Entity<Party>(b =>
        {
            b.HasKey(p => p.PhoneNumber);
            b.Property(p => p.PhoneNumber).HasMaxLength(16);
            b.Property(p => p.Bsn).HasMaxLength(9);
        });
        model.Entity<ContactMoment>(b =>
        {
            b.HasKey(m => m.ContactId);
            b.HasIndex(m => new { m.PhoneNumber, m.At });
        });
        model.Entity<AccessLogEntry>(b =>
        {
            b.HasKey(a => a.Id);
            b.Property(a => a.Who).HasMaxLength(Store.AccessLog.MaxText);
            b.Property(a => a.Role).HasMaxLength(64);
            b.Property(a => a.Action).HasMaxLength(32);
            b.Property(a => a.PhoneNumber).HasMaxLength(16);
            b.Property(a => a.Why).HasMaxLength(Store.AccessLog.MaxText);
            b.HasIndex(a => a.PhoneNumber);
            b.HasIndex(a => a.Who);
        });
        model.Entity<MachineClient>(b =>
        {
            b.HasKey(c => c.Name);
            b.Property(c => c.Name).HasMaxLength(64);
            b.HasIndex(c => c.KeyHash).IsUnique();
        });
        model.Entity<CallbackAppointment>(b =>
        {
            b.HasKey(c => c.Id);
            b.Property(c => c.Status).HasMaxLength(16);
            // Two schedulers (or a scheduler and a cancel) must never both act on one appointment.
            b.Property(c => c.Version).IsConcurrencyToken();
            b.HasIndex(c => c.IdempotencyKey).IsUnique();
            b.HasIndex(c => new { c.Centre, c.SlotStart });
            b.HasIndex(c => new { c.Status, c.NextAttemptAt });
            b.HasIndex(c => c.CurrentContactId);
            b.HasIndex(c => c.Caller);
        });
    }

    private static ValueConverter<T, string> Json<T>() where T : new() =>
        new(v => JsonSerializer.Serialize(v, JsonSerializerOptions.Default),
            v => JsonSerializer.Deserialize<T>(v, JsonSerializerOptions.Default) ?? new T());

    private static ValueComparer<T> JsonComparer<T>() where T : new() =>
        new((a, b) => JsonSerializer.Serialize(a, JsonSerializerOptions.Default) == JsonSerializer.Serialize(b, JsonSerializerOptions.Default),
            v => JsonSerializer.Serialize(v, JsonSerializerOptions.Default).GetHashCode(),
            v => JsonSerializer.Deserialize<T>(JsonSerializer.Serialize(v, JsonSerializerOptions.Default), JsonSerializerOptions.Default) ?? new T());

    private sealed class UtcTicksConverter() : ValueConverter<DateTimeOffset, long>(
        v => v.UtcTicks,
        v => new DateTimeOffset(v, TimeSpan.Zero));
}
