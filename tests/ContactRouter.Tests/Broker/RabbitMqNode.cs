using ContactRouter.Components;
using ContactRouter.Routing;
using ContactRouter.Tests.Transport;

namespace ContactRouter.Tests.Broker;

/// <summary>
/// The project's own RabbitMQ node (rabbitmq.conf, started by deploy/rabbitmq.sh), as its user and vhost
/// <c>contactrouter</c> with the password the script set (<see cref="DevelopmentSecrets"/>). If it cannot be
/// reached the broker tests fail here: they never skip. Centre queues are declared and emptied first, so messages
/// left by an earlier run cannot leak into this one.
/// </summary>
public sealed class RabbitMqNode : IAsyncLifetime
{
    public BusOptions Options { get; } = Node();

    /// <summary>The node's plain AMQP listener, as the project's user (vhost and user name are the defaults).</summary>
    public static BusOptions Node() => new()
    {
        Transport = BusTransport.RabbitMq,
        Port = int.TryParse(Environment.GetEnvironmentVariable("CONTACTROUTER_RABBITMQ_PORT"), out var port) ? port : 5682,
        // Two test runs side by side on one node (deploy/rabbitmq.sh start with the same variable makes the vhost):
        // each run's workers would otherwise take the other's commands from the shared centre queues.
        VirtualHost = Environment.GetEnvironmentVariable("CONTACTROUTER_RABBITMQ_VHOST") is { Length: > 0 } vhost ? vhost : "contactrouter",
        Password = DevelopmentSecrets.RabbitMqPassword,
        PasswordFile = DevelopmentSecrets.RabbitMqPasswordFile,
    };

    public IDictionary<string, string?> Settings(string centres) => new Dictionary<string, string?>
    {
        ["Bus:Transport"] = "RabbitMq",
        ["Bus:Host"] = Options.Host,
        ["Bus:Port"] = Options.Port.ToString(),
        ["Bus:VirtualHost"] = Options.VirtualHost,
        ["Bus:Username"] = Options.Username,
        ["Bus:Password"] = Options.Password,
        ["Bus:PasswordFile"] = Options.PasswordFile,
        ["Router:Centres"] = centres,
    };

    public async Task InitializeAsync()
    {
        try
        {
            await CentreQueueTopology.Declare(Options, CentreCatalog.All, CancellationToken.None);
        }
        catch (Exception ex)
        {
            throw new InvalidOperationException(
                $"The project's RabbitMQ node is not reachable on {Options.Host}:{Options.Port} as user {Options.Username} on vhost " +
                $"{Options.VirtualHost} ({ex.Message}). Start it with `deploy/rabbitmq.sh start` (the README's test command does), which " +
                $"sets the password from $CONTACTROUTER_RABBITMQ_PASSWORD or {DevelopmentSecrets.RabbitMqPasswordFile}. " +
                "Broker tests fail rather than skip.", ex);
        }
        await using var connection = await Options.ConnectionFactory("contactrouter-tests").CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        foreach (var centre in CentreCatalog.All)
            foreach (var queue in CentreAddresses.QueueNames(centre)) await channel.QueuePurgeAsync(queue);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>
    /// Restarts the broker with the project's script: the broker application inside the running node, so
    /// it is the same node (and data) whichever checkout started it.
    /// </summary>
    public Task Restart() => DevelopmentSecrets.RunScript("rabbitmq.sh", "bounce");
}

[CollectionDefinition(Name)]
public sealed class BrokerCollection : ICollectionFixture<RabbitMqNode>
{
    // One broker, so broker specs run one after another.
    public const string Name = "RabbitMQ node";
}
