using ContactRouter.Components;
using ContactRouter.Store;
using ContactRouter.Tests.Broker;
using ContactRouter.Tests.Store;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace ContactRouter.Tests.Transport;

/// <summary>
/// The node's TLS listener (rabbitmq.conf: 127.0.0.1:5683) serving a certificate this test class made itself, installed
/// with <c>deploy/rabbitmq.sh tls</c> (the node picks it up for new connections, no restart). Fails, never skips, when
/// the node is not running.
/// </summary>
public sealed class RabbitMqTls : IAsyncLifetime
{
    public static int Port { get; } = int.TryParse(Environment.GetEnvironmentVariable("CONTACTROUTER_RABBITMQ_TLS_PORT"), out var port) ? port : 5683;

    public TestCertificates Certificates { get; } = new();

    /// <summary>The router's bus settings for the TLS listener, trusting the CA in <paramref name="caFile"/>.</summary>
    public static BusOptions Options(string caFile)
    {
        var options = RabbitMqNode.Node();
        options.Port = Port;
        options.UseTls = true;
        options.TlsCaFile = caFile;
        return options;
    }

    public Task InitializeAsync() => DevelopmentSecrets.RunScript("rabbitmq.sh", "tls", Certificates.Directory);

    public Task DisposeAsync()
    {
        Certificates.Dispose();
        return Task.CompletedTask;
    }
}

public sealed record TlsPing(Guid Id);

// In the broker collection: a drill stops and starts the node, so nothing else on it may run meanwhile.
[Collection(BrokerCollection.Name)]
public sealed class When_the_bus_talks_TLS_to_RabbitMQ(RabbitMqTls tls) : IClassFixture<RabbitMqTls>
{
    [Fact]
    public async Task Should_deliver_a_message_over_TLS()
    {
        var received = new TaskCompletionSource<Guid>(TaskCreationOptions.RunContinuationsAsynchronously);
        var options = RabbitMqTls.Options(tls.Certificates.CaFile);
        var bus = Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            options.ConfigureHost(cfg); // what the router's host does with Bus:UseTls
            cfg.ReceiveEndpoint($"contactrouter-tests-tls-{Guid.NewGuid():N}", e =>
            {
                e.Durable = false;
                e.AutoDelete = true;
                e.Handler<TlsPing>(context =>
                {
                    received.TrySetResult(context.Message.Id);
                    return Task.CompletedTask;
                });
            });
        });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await bus.StartAsync(timeout.Token);
        try
        {
            var id = Guid.NewGuid();
            await bus.Publish(new TlsPing(id), timeout.Token);
            (await received.Task.WaitAsync(timeout.Token)).Should().Be(id);
        }
        finally
        {
            await bus.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task Should_trust_only_the_configured_CA_and_name_and_refuse_plain_AMQP()
    {
        await using (var connection = await Connect(RabbitMqTls.Options(tls.Certificates.CaFile)))
            connection.IsOpen.Should().BeTrue();

        await Refused(RabbitMqTls.Options(tls.Certificates.OtherCaFile));

        var otherName = RabbitMqTls.Options(tls.Certificates.CaFile);
        otherName.TlsServerName = "rabbitmq.example.org";
        await Refused(otherName);

        var plain = RabbitMqTls.Options(tls.Certificates.CaFile);
        plain.UseTls = false;
        await Refused(plain);
    }

    private static async Task<IConnection> Connect(BusOptions options)
    {
        var factory = options.ConnectionFactory("contactrouter-tests-tls");
        factory.AutomaticRecoveryEnabled = false;
        factory.RequestedConnectionTimeout = TimeSpan.FromSeconds(5);
        factory.HandshakeContinuationTimeout = TimeSpan.FromSeconds(5);
        return await factory.CreateConnectionAsync();
    }

    private static async Task Refused(BusOptions options) =>
        await FluentActions.Awaiting(async () =>
        {
            await using var connection = await Connect(options);
        }).Should().ThrowAsync<BrokerUnreachableException>();
}

/// <summary>
/// The private PostgreSQL cluster serving TLS with a certificate this test class made itself, installed with
/// <c>deploy/postgres.sh tls</c> (turns ssl on with a reload). Fails, never skips, when the cluster is not running.
/// </summary>
public sealed class PostgresTls : IAsyncLifetime
{
    public TestCertificates Certificates { get; } = new();

    /// <summary>The store's connection string to the cluster with SSL Mode=VerifyFull and the CA in <paramref name="caFile"/>.</summary>
    public static string Verified(string caFile)
    {
        var builder = PostgresServer.Builder("contactrouter");
        builder.Pooling = false;
        builder.SslMode = SslMode.VerifyFull;
        builder.RootCertificate = caFile;
        return builder.ConnectionString;
    }

    public Task InitializeAsync() => DevelopmentSecrets.RunScript("postgres.sh", "tls", Certificates.Directory);

    public Task DisposeAsync()
    {
        Certificates.Dispose();
        return Task.CompletedTask;
    }
}

public sealed class When_the_store_talks_TLS_to_PostgreSQL(PostgresTls tls) : IClassFixture<PostgresTls>
{
    [Fact]
    public async Task Should_connect_with_VerifyFull_and_the_CA_it_was_given()
    {
        var store = new StoreOptions { Provider = StoreProvider.Postgres, ConnectionString = PostgresTls.Verified(tls.Certificates.CaFile) };
        RouterStore.CheckConnectionString(store.Provider, store.EffectiveConnectionString);
        await using var db = RouterStore.Open(store.Provider, store.EffectiveConnectionString);
        var encrypted = await db.Database
            .SqlQueryRaw<bool>("SELECT ssl AS \"Value\" FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
            .SingleAsync();
        encrypted.Should().BeTrue();
    }

    [Fact]
    public async Task Should_refuse_a_server_another_CA_signed()
    {
        await using (var trusted = new NpgsqlConnection(PostgresTls.Verified(tls.Certificates.CaFile)))
            await trusted.OpenAsync();

        await using var untrusted = new NpgsqlConnection(PostgresTls.Verified(tls.Certificates.OtherCaFile));
        await FluentActions.Awaiting(() => untrusted.OpenAsync()).Should().ThrowAsync<NpgsqlException>();
    }
}
