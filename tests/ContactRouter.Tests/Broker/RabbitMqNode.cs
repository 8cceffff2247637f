using ContactRouter.Components;
using ContactRouter.Routing;
using RabbitMQ.Client;

namespace ContactRouter.Tests.Broker;

/// <summary>
/// The project's own RabbitMQ node (rabbitmq.conf, started by deploy/rabbitmq.sh). If it cannot be reached
/// the broker tests fail here: they never skip. Centre queues are declared and emptied first, so messages
/// left by an earlier run cannot leak into this one.
/// </summary>
public sealed class RabbitMqNode : IAsyncLifetime
{
    public BusOptions Options { get; } = new()
    {
        Transport = BusTransport.RabbitMq,
        Port = int.TryParse(Environment.GetEnvironmentVariable("CONTACTROUTER_RABBITMQ_PORT"), out var port) ? port : 5682,
    };

    public IDictionary<string, string?> Settings(string centres) => new Dictionary<string, string?>
    {
        ["Bus:Transport"] = "RabbitMq",
        ["Bus:Host"] = Options.Host,
        ["Bus:Port"] = Options.Port.ToString(),
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
                $"The project's RabbitMQ node is not reachable on {Options.Host}:{Options.Port}. Start it with `deploy/rabbitmq.sh start` " +
                "(the README's test command does). Broker tests fail rather than skip.", ex);
        }
        var factory = new ConnectionFactory { HostName = Options.Host, Port = Options.Port, UserName = Options.Username, Password = Options.Password };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        foreach (var centre in CentreCatalog.All)
            await channel.QueuePurgeAsync(CentreAddresses.QueueName(centre));
    }

    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>
    /// Restarts the broker with the project's script: the broker application inside the running node, so
    /// it is the same node (and data) whichever checkout started it.
    /// </summary>
    public async Task Restart()
    {
        var script = Path.Combine(RepositoryRoot(), "deploy", "rabbitmq.sh");
        using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("bash", [script, "bounce"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var output = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"deploy/rabbitmq.sh bounce failed: {output}");
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "rabbitmq.conf"))) return dir.FullName;
        throw new InvalidOperationException("No rabbitmq.conf above " + AppContext.BaseDirectory);
    }
}

[CollectionDefinition(Name)]
public sealed class BrokerCollection : ICollectionFixture<RabbitMqNode>
{
    // One broker, so broker specs run one after another.
    public const string Name = "RabbitMQ node";
}
