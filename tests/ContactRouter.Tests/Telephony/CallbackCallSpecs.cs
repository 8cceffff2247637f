using System.Globalization;
using static ContactRouter.Tests.Callbacks.CallbackCalls;

namespace ContactRouter.Tests.Telephony;

/// <summary>
/// Callbacks by phone: the agent accepts the callback in the console and dials the customer from their own phone; the
/// front relays that call to the provider's gateway (here a sipp playing the customer) and records what the customer's
/// side answered, without anyone typing it: picked up is reached (the agent then talks and completes with a summary),
/// busy or no answer is "not reached" and the callback's next attempt is planned.
/// </summary>
public sealed class When_an_agent_phones_a_callbacks_customer : TelephonySpec
{
    /// <summary>The provider's gateway: where the customer's sipp listens.</summary>
    private readonly int _gateway = Sipp.FreePort();

    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
        [new("Telephony:Gateway", $"127.0.0.1:{_gateway}")];

    [Fact]
    public async Task Should_record_reached_when_the_customer_answers_and_leave_the_summary_to_the_agent()
    {
        var (agent, contactId, callbackId) = await CallbackAccepted("iris");
        var customer = Own(Sipp.StartOn("phone_answers", _gateway, "-m", "1", "-d", "300"));

        var call = Dial(agent, holdMs: 500);
        await call.Succeeded();
        await customer.Succeeded();
        (await Http.CallbackWhen(callbackId, "done")).Str("outcome").Should().Be("reached", "the front saw the customer pick up");
        (await Http.GetJson($"/api/contacts/{contactId}"))["status"]!.GetValue<string>().Should().Be("connected",
            "the agent completes the call with a summary, as after any call");
        await Http.Complete(contactId, "reached");
        (await Http.ContactWhen(contactId, "completed"))["outcome"]!.GetValue<string>().Should().Be("reached");
    }

    [Fact]
    public async Task Should_record_not_reached_when_the_customer_is_busy_and_plan_the_next_attempt()
    {
        var (agent, contactId, callbackId) = await CallbackAccepted("joris");
        var customer = Own(Sipp.StartOn("phone_declines", _gateway, "-m", "1", "-d", "300"));

        var call = Own(Sipp.Start("agent_dials_busy", "-s", "0612345678", "-m", "1", "-key", "caller", agent));
        await call.Succeeded();
        await customer.Succeeded();

        (await Http.ContactWhen(contactId, "completed"))["outcome"]!.GetValue<string>().Should().Be("notreached");
        var again = await Http.CallbackWhen(callbackId, "booked");
        again.Str("outcome").Should().Be("notreached");
        again["attempts"]!.GetValue<int>().Should().Be(1);
    }

    /// <summary>An agent with a registered phone, offered the callback that fell due, who accepted it in the console.</summary>
    private async Task<(string Agent, string ContactId, string CallbackId)> CallbackAccepted(string name)
    {
        var callbackId = Id(await Http.Booked(Centre, Monday(9, 15)));
        var phone = await AgentWithPhone(name, "phone_rings_until_cancelled");
        Router.Time.AdvanceTo(Monday(9, 15));
        var contactId = $"{callbackId}-1";
        await Http.OfferOf(phone.AgentId, contactId);
        await Http.Accept(phone.AgentId, contactId);
        return (phone.AgentId, contactId, callbackId);
    }

    /// <summary>The agent's phone dials the customer (the number the callback was booked with, as a person types it).</summary>
    private Sipp Dial(string agent, int holdMs) =>
        Own(Sipp.Start("caller", "-s", "0612345678", "-m", "1", "-d", holdMs.ToString(CultureInfo.InvariantCulture),
            "-key", "caller", agent, "-key", "topic", ""));
}
