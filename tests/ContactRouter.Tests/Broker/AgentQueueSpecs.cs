using System.Net;
using ContactRouter.Components;
using ContactRouter.Contracts;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace ContactRouter.Tests.Broker;

/// <summary>
/// Agents' commands have a queue of their own per centre (<see cref="CentreAddresses.AgentQueueName"/>): behind a long
/// line of new callers they wait for the command being applied, not for the whole line (issue 11's congestion collapse).
/// </summary>
[Collection(BrokerCollection.Name)]
public sealed class When_an_agent_acts_behind_a_long_line_of_callers(RabbitMqNode node) : IAsyncLifetime
{
    private const string Centre = "bedrijfsvoering";
    private const int Line = 300;
    private readonly List<RouterFactory> _hosts = [];
    private readonly string _store = RouterFactory.NewStorePath();
    private readonly Microsoft.Extensions.Time.Testing.FakeTimeProvider _time = RouterFactory.NewClock();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var host in _hosts) await host.DisposeAsync();
    }

    private RouterFactory Host(string centres)
    {
        var host = new RouterFactory(_store, _time, node.Settings(centres));
        _hosts.Add(host);
        _ = host.Server; // start it now
        return host;
    }

    [Fact]
    public async Task Should_apply_the_agent_command_before_the_callers_queued_ahead_of_it()
    {
        var api = Host("none");
        var http = api.StaffClient();
        var worker = Host(Centre);
        (await http.PutAgent("bram", Centre, new Dictionary<string, int> { [Centre] = 4 })).StatusCode.Should().Be(HttpStatusCode.OK);
        await worker.DisposeAsync();
        _hosts.Remove(worker);

        // While the worker is away: a line of callers, each one arrived before the one sent ahead of it, and then the
        // agent says he is available. Applied in the order sent, he would get the last caller sent (the oldest).
        var bus = api.Services.GetRequiredService<IBus>();
        var now = _time.GetUtcNow();
        for (var i = 0; i < Line; i++)
        {
            var caller = new QueueContact
            {
                Centre = Centre, ContactId = $"line-{i}", HomeCentre = Centre, Channel = "phone", Caller = "+31612345678",
                QueuedAt = now.AddSeconds(-i),
            };
            await (await bus.GetSendEndpoint(CentreAddresses.For(caller))).Send(caller);
        }
        var available = new SetAgentStatus { Centre = Centre, AgentId = "bram", Status = "available" };
        await (await bus.GetSendEndpoint(CentreAddresses.For(available))).Send(available);

        Host(Centre);
        // Every caller is applied within a minute even on a busy machine; the agent must have been long before that.
        var offered = await Api.Eventually(() => http.GetJson("/api/agents/bram"), a => a["offer"] is not null, "an offer", timeoutMs: 60_000);

        var position = int.Parse(offered["offer"]!["contactId"]!.GetValue<string>()["line-".Length..]);
        position.Should().BeLessThan(Line / 2, "the agent's command overtook the callers still in line");
    }
}
