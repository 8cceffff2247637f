using ContactRouter.Components;
using ContactRouter.Tests.Broker;
using ContactRouter.Tests.Store;
using Npgsql;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace ContactRouter.Tests.Transport;

/// <summary>
/// The project's RabbitMQ node lets the router in as its own user, on its own vhost only, with its password; not as
/// guest. Each case first logs in as it should, so a refusal cannot come from a node that is simply not there.
/// </summary>
/// <remarks>In the broker collection: a drill stops and starts the node, so nothing else on it may run meanwhile.</remarks>
[Collection(BrokerCollection.Name)]
public sealed class When_the_router_logs_in_to_RabbitMQ
{
    [Fact]
    public async Task Should_use_its_own_user_on_its_own_vhost_and_no_other()
    {
        var own = RabbitMqNode.Node();
        // The project's vhost, or the one a run side by side was given (deploy/rabbitmq.sh makes either).
        own.VirtualHost.Should().Be(Environment.GetEnvironmentVariable("CONTACTROUTER_RABBITMQ_VHOST") is { Length: > 0 } v ? v : "contactrouter");
        own.Username.Should().Be("contactrouter");
        await using (var connection = await Connect(own))
            connection.IsOpen.Should().BeTrue();

        var defaultVhost = RabbitMqNode.Node();
        defaultVhost.VirtualHost = "/";
        (await Refusal(defaultVhost)).Should().Contain("NOT_ALLOWED", "the user's permissions end at its own vhost");
    }

    [Fact]
    public async Task Should_refuse_a_wrong_password_and_the_guest_account()
    {
        await using (var connection = await Connect(RabbitMqNode.Node()))
            connection.IsOpen.Should().BeTrue();

        var wrong = RabbitMqNode.Node();
        wrong.Password = "not-" + Guid.NewGuid().ToString("N");
        (await Refusal(wrong)).Should().Contain("ACCESS_REFUSED");

        var guest = RabbitMqNode.Node();
        guest.Username = "guest";
        guest.Password = "guest";
        (await Refusal(guest)).Should().Contain("NOT_ALLOWED", "guest has no permissions on the router's vhost");
    }

    private static async Task<IConnection> Connect(BusOptions options)
    {
        var factory = options.ConnectionFactory("contactrouter-tests");
        factory.AutomaticRecoveryEnabled = false;
        factory.RequestedConnectionTimeout = TimeSpan.FromSeconds(5);
        return await factory.CreateConnectionAsync();
    }

    /// <summary>
    /// What the broker said when it refused the connection (the messages of the exception chain). A refused vhost can
    /// reach RabbitMQ.Client 7 as a connection that looks open until its first use, so the case also opens a channel.
    /// </summary>
    private static async Task<string> Refusal(BusOptions options)
    {
        try
        {
            await using var connection = await Connect(options);
            await using var channel = await connection.CreateChannelAsync();
        }
        catch (Exception ex) when (ex is BrokerUnreachableException or AlreadyClosedException or OperationInterruptedException)
        {
            var messages = new List<string>();
            for (Exception? e = ex; e is not null; e = e.InnerException) messages.Add($"{e.GetType().Name}: {e.Message}");
            return string.Join(" | ", messages);
        }
        throw new InvalidOperationException($"{options.Username} got in on vhost {options.VirtualHost}, but should have been refused");
    }
}

/// <summary>
/// The project's PostgreSQL cluster lets the role in with its password, checked with SCRAM-SHA-256; a wrong password
/// is refused (which trust authentication would have let in).
/// </summary>
public sealed class When_the_store_logs_in_to_PostgreSQL
{
    [Fact]
    public async Task Should_log_in_with_SCRAM()
    {
        var builder = PostgresServer.Builder("contactrouter");
        builder.Pooling = false;
        builder.RequireAuth = "ScramSHA256"; // Npgsql refuses any other way of logging in (e.g. trust: none at all)
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SHOW password_encryption", connection);
        (await command.ExecuteScalarAsync()).Should().Be("scram-sha-256");
    }

    [Fact]
    public async Task Should_refuse_a_wrong_password()
    {
        var right = PostgresServer.Builder("contactrouter");
        right.Pooling = false;
        await using (var connection = new NpgsqlConnection(right.ConnectionString))
            await connection.OpenAsync();

        var wrong = PostgresServer.Builder("contactrouter");
        wrong.Pooling = false;
        wrong.Passfile = null;
        wrong.Password = "not-" + Guid.NewGuid().ToString("N");
        await using var refused = new NpgsqlConnection(wrong.ConnectionString);
        await FluentActions.Awaiting(() => refused.OpenAsync()).Should().ThrowAsync<PostgresException>()
            .Where(e => e.SqlState == PostgresErrorCodes.InvalidPassword);
    }
}
