using System.Text.Json.Nodes;
using ContactRouter.Contracts;
using ContactRouter.Telephony;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ContactRouter.Tests.Telephony;

/// <summary>
/// The telephony component's own bookkeeping, fast and without Kamailio: what it tells the front (its instructions) for
/// the front's events and the router's. The router may offer an agent the next caller while the agent's phone still has
/// the last one's INVITE on it (an offer that ran out is being cancelled, and the agent is available again at once):
/// the long SIP load run once saw a phone get a new caller's INVITE before its final answer to the previous one.
/// </summary>
public sealed class When_an_agents_phone_is_offered_the_next_caller_before_the_last_has_stopped_ringing
{
    // Commands to the router are not what these specs look at: without a store, FrontCommands logs and carries on.
    private readonly CallDesk _desk = new(
        Options.Create(new TelephonyOptions { Numbers = { ["140123"] = "sociaal" } }),
        new FrontCommands(new ServiceCollection().BuildServiceProvider().GetRequiredService<IServiceScopeFactory>(), NullLogger<FrontCommands>.Instance),
        TimeProvider.System, NullLogger<CallDesk>.Instance);

    [Fact]
    public async Task Should_ring_the_phone_for_the_next_caller_only_once_the_last_ones_ringing_has_ended()
    {
        var (first, second) = (await Parked("call-a"), await Parked("call-b"));

        _desk.Offered(Offer(first, "anna"));
        Instructions().Should().ContainSingle().Which.Should().Be(("ring", "call-a", "anna"));

        // The offer ran out: the phone is stopped, and Anna, available again, is offered the next caller at once.
        _desk.Requeued(Requeue(first, "anna"));
        _desk.Offered(Offer(second, "anna"));
        Instructions().Should().Equal([("stop", "call-a", null)], "Anna's phone has not answered the CANCEL yet");

        await _desk.Handle(new SipEvent { Event = "stopped", CallId = "call-a", Agent = "anna" }, CancellationToken.None);
        Instructions().Should().Equal([("ring", "call-b", "anna")], "the phone rings for the next caller once the last one's ringing has ended");
    }

    [Fact]
    public async Task Should_wait_for_the_final_answer_when_the_last_caller_hung_up_while_it_rang()
    {
        var (first, second) = (await Parked("call-a"), await Parked("call-b"));
        _desk.Offered(Offer(first, "bram"));
        Instructions();

        // The first caller hangs up while Bram's phone rings; Kamailio cancels the phone's branch.
        await _desk.Handle(new SipEvent { Event = "cancel", CallId = "call-a" }, CancellationToken.None);
        _desk.Offered(Offer(second, "bram"));
        Instructions().Should().BeEmpty("the phone has not answered the CANCEL yet");

        await _desk.Handle(new SipEvent { Event = "ended", CallId = "call-a", Agent = "bram" }, CancellationToken.None);
        Instructions().Should().Equal([("ring", "call-b", "bram")]);
    }

    [Fact]
    public async Task Should_not_ring_a_caller_that_was_taken_back_while_it_waited_for_the_phone()
    {
        var (first, second) = (await Parked("call-a"), await Parked("call-b"));
        _desk.Offered(Offer(first, "cees"));
        _desk.Requeued(Requeue(first, "cees"));
        _desk.Offered(Offer(second, "cees"));
        Instructions();

        // The router takes the second offer back before the phone is free, and offers that caller to Dirk instead.
        _desk.Requeued(Requeue(second, "cees"));
        _desk.Offered(Offer(second, "dirk"));
        await _desk.Handle(new SipEvent { Event = "stopped", CallId = "call-a", Agent = "cees" }, CancellationToken.None);
        Instructions().Should().Equal([("ring", "call-b", "dirk")], "Cees's phone is not rung for a caller Dirk has now");
    }

    private async Task<string> Parked(string callId)
    {
        await _desk.Handle(new SipEvent { Event = "invite", CallId = callId, From = "0612345678", To = "140123", CSeq = 1, TIndex = 1, TLabel = 2 }, CancellationToken.None);
        return Call.ContactIdFor(callId);
    }

    private static ContactOffered Offer(string contactId, string agentId) => new()
    {
        ContactId = contactId, Centre = "sociaal", AgentId = agentId, OfferedAt = DateTimeOffset.UnixEpoch, ExpiresAt = DateTimeOffset.UnixEpoch,
    };

    private static ContactRequeued Requeue(string contactId, string agentId) => new()
    {
        ContactId = contactId, Centre = "sociaal", AgentId = agentId, Reason = "offertimedout", At = DateTimeOffset.UnixEpoch,
    };

    /// <summary>What the desk has told the front since the last look: (action, call, agent).</summary>
    private List<(string Action, string CallId, string? Agent)> Instructions()
    {
        var told = new List<(string, string, string?)>();
        while (_desk.Instructions.TryRead(out var text))
        {
            var json = JsonNode.Parse(text)!;
            told.Add(((string)json["action"]!, (string)json["callid"]!, (string?)json["agent"]));
        }
        return told;
    }
}

/// <summary>The telephony settings are checked at start, each problem naming its setting.</summary>
public sealed class When_the_telephony_settings_are_read
{
    [Theory]
    [InlineData("", true)]
    [InlineData("127.0.0.1:5080", true)]
    [InlineData("gateway.provider.example:5060", true)]
    [InlineData("127.0.0.1", false)]
    [InlineData("127.0.0.1:0", false)]
    [InlineData(":5060", false)]
    [InlineData("127.0.0.1:port", false)]
    public void Should_take_a_gateway_only_as_empty_or_host_and_port(string gateway, bool sound)
    {
        var problems = new TelephonyOptions { Gateway = gateway }.Problems().ToList();
        if (sound) problems.Should().BeEmpty();
        else problems.Should().ContainSingle().Which.Should().StartWith("Telephony:Gateway");
    }
}
