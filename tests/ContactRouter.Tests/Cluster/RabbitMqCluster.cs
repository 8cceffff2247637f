using ContactRouter.Components;
using ContactRouter.Routing;
using ContactRouter.Tests.Transport;

namespace ContactRouter.Tests.Cluster;

/// <summary>
/// The three-node RabbitMQ cluster of deploy/rabbitmq-cluster.sh (crc1–crc3@localhost on 127.0.0.1:5692–5694), started
/// for the cluster specs and stopped after them, so nothing is left running. A cluster that cannot start fails the
/// specs with the script's own words; they never skip. Centre queues are declared and emptied first, so messages left
/// by an earlier run cannot leak into this one.
/// </summary>
public sealed class RabbitMqCluster : IAsyncLifetime
{
    /// <summary>The three nodes as the router names them in Bus:Host.</summary>
    public const string Hosts = "127.0.0.1:5692,127.0.0.1:5693,127.0.0.1:5694";

    public BusOptions Options { get; } = new()
    {
        Transport = BusTransport.RabbitMq,
        Host = Hosts,
        Password = DevelopmentSecrets.RabbitMqPassword,
        PasswordFile = DevelopmentSecrets.RabbitMqPasswordFile,
    };

    /// <summary>Each node's AMQP port (deploy/rabbitmq-cluster.sh).</summary>
    public static readonly IReadOnlyDictionary<string, int> Ports = new Dictionary<string, int>
    {
        ["crc1@localhost"] = 5692, ["crc2@localhost"] = 5693, ["crc3@localhost"] = 5694,
    };

    /// <summary>
    /// What a router process on the cluster is given; <paramref name="centres"/> as in Router:Centres. It connects to the
    /// first node of Bus:Host that answers: <paramref name="firstNode"/> if given, then the others.
    /// </summary>
    public IDictionary<string, string?> Settings(string centres, string? firstNode = null) => new Dictionary<string, string?>
    {
        ["Bus:Transport"] = "RabbitMq",
        ["Bus:Host"] = firstNode is null
            ? Options.Host
            : string.Join(",", Ports.OrderBy(p => p.Key == firstNode ? 0 : 1).ThenBy(p => p.Key).Select(p => $"127.0.0.1:{p.Value}")),
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
            await Script("start");
        }
        catch (InvalidOperationException ex)
        {
            throw new InvalidOperationException(
                "The RabbitMQ cluster did not start (deploy/rabbitmq-cluster.sh start needs root or sudo and Debian's " +
                "rabbitmq-server, which deploy/rabbitmq.sh start installs). Cluster specs fail rather than skip. " + ex.Message, ex);
        }
        await CentreQueueTopology.Declare(Options, CentreCatalog.All, CancellationToken.None);
        await using var connection = await Options.Connect("contactrouter-tests");
        await using var channel = await connection.CreateChannelAsync();
        foreach (var centre in CentreCatalog.All)
            foreach (var queue in CentreAddresses.QueueNames(centre)) await channel.QueuePurgeAsync(queue);
    }

    public Task DisposeAsync() => Script("stop");

    /// <summary>Starts whichever nodes are down (a killed one comes back and rejoins) and waits until all three are ready.</summary>
    public Task Start() => Script("start");

    /// <summary>The node (e.g. crc2@localhost) that leads the quorum queue.</summary>
    public async Task<string> LeaderOf(string queue) => LastLine(await Script("leader-of", queue));

    /// <summary>kill -9 of the node's Erlang VM: a crash, no goodbye to clients or the other nodes.</summary>
    public Task Kill(string node) => Script("kill", node);

    /// <summary>The queue's replicas as the cluster reports them: every member, and the members that are online.</summary>
    public async Task<(string Leader, string[] Members, string[] Online)> Replicas(string queue)
    {
        // status lists "  <name>\t<leader>\t<members>\t<online>" per quorum queue.
        var row = (await Script("status")).Split('\n').Select(line => line.Trim().Split('\t'))
            .FirstOrDefault(cells => cells.Length == 4 && cells[0] == queue)
            ?? throw new InvalidOperationException($"deploy/rabbitmq-cluster.sh status lists no quorum queue {queue}.");
        return (row[1], row[2].Split(' ', StringSplitOptions.RemoveEmptyEntries), row[3].Split(' ', StringSplitOptions.RemoveEmptyEntries));
    }

    /// <summary>rabbitmqctl with these arguments against a node that serves; its output.</summary>
    public Task<string> Ctl(params string[] args) => Script(["ctl", .. args]);

    private static string LastLine(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Last();

    private static Task<string> Script(params string[] args) => DevelopmentSecrets.RunScript("rabbitmq-cluster.sh", args);
}

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<RabbitMqCluster>
{
    public const string Name = "RabbitMQ cluster";
}
