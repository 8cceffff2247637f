using ContactRouter.Components;

namespace ContactRouter.Tests.Cluster;

/// <summary>Bus:Host names one broker or the nodes of a cluster; a wrong entry is refused with its own words.</summary>
public sealed class When_Bus_Host_names_several_nodes
{
    private static IReadOnlyList<BusOptions.Node> Nodes(string host, int port = 5672) => new BusOptions { Host = host, Port = port }.Nodes();

    [Fact]
    public void Should_read_each_node_with_its_own_port_or_Bus_Port()
    {
        Nodes("127.0.0.1:5692, 127.0.0.1:5693,127.0.0.1:5694").Should().Equal(
            new BusOptions.Node("127.0.0.1", 5692), new BusOptions.Node("127.0.0.1", 5693), new BusOptions.Node("127.0.0.1", 5694));
        Nodes("rabbit1,rabbit2:5673").Should().Equal(new BusOptions.Node("rabbit1", 5672), new BusOptions.Node("rabbit2", 5673));
    }

    [Fact]
    public void Should_keep_a_single_broker_as_it_was()
    {
        Nodes("127.0.0.1", 5682).Should().Equal(new BusOptions.Node("127.0.0.1", 5682));
        Nodes("::1", 5682).Should().Equal(new BusOptions.Node("::1", 5682));
    }

    [Theory]
    [InlineData("rabbit1:amqp", "rabbit1:amqp")]
    [InlineData("rabbit1,rabbit2:0", "rabbit2:0")]
    [InlineData(":5672", ":5672")]
    [InlineData("rabbit1,::1", "IPv6")]
    [InlineData(" , ", "empty")]
    public void Should_refuse_an_entry_that_is_not_host_or_host_and_port(string host, string named)
    {
        var read = () => Nodes(host);
        read.Should().Throw<InvalidOperationException>().WithMessage($"*{named}*");
    }
}

/// <summary>The topology connection (RabbitMQ.Client) reaches whichever node of the cluster answers.</summary>
[Collection(ClusterCollection.Name)]
public sealed class When_a_node_in_Bus_Host_does_not_answer(RabbitMqCluster cluster)
{
    [Fact]
    public async Task Should_connect_to_another_node()
    {
        // Nothing listens on port 1: the client is refused there and tries the other entries.
        var options = cluster.Options;
        var withADeadNode = new BusOptions
        {
            Transport = options.Transport, Host = $"127.0.0.1:1,{RabbitMqCluster.Hosts}", VirtualHost = options.VirtualHost,
            Username = options.Username, Password = options.Password, PasswordFile = options.PasswordFile,
        };
        for (var attempt = 0; attempt < 5; attempt++)
        {
            await using var connection = await withADeadNode.Connect("contactrouter-tests");
            connection.IsOpen.Should().BeTrue();
            connection.Endpoint.Port.Should().BeOneOf(5692, 5693, 5694);
        }
    }
}
