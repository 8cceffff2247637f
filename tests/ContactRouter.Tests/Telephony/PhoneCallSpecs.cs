using System.Net.Http.Json;

namespace ContactRouter.Tests.Telephony;

/// <summary>A real SIP call in, the chosen agent's phone ringing, the call connected — and the API following every step.</summary>
public sealed class When_a_caller_phones_a_centre : TelephonySpec
{
    [Fact]
    public async Task Should_ring_the_longest_idle_agents_phone_and_connect_the_call_when_it_is_picked_up()
    {
        await using var bram = await AgentWithPhone("bram", "phone_answers", ringMs: 1500);
        Router.Time.Advance(TimeSpan.FromSeconds(10));
        await using var anna = await AgentWithPhone("anna", "phone_rings_until_cancelled");

        var callId = NewCallId();
        var caller = Dial("caller", callId, holdMs: 2000);
        var contactId = ContactOf(callId);

        // Bram has waited longest: his phone rings (1.5 s before he picks up), Anna's does not.
        var offered = await Http.ContactWhen(contactId, "offered");
        offered["agentId"]!.GetValue<string>().Should().Be(AgentId("bram"));
        offered["channel"]!.GetValue<string>().Should().Be("phone");
        var connected = await Http.ContactWhen(contactId, "connected");
        connected["agentId"]!.GetValue<string>().Should().Be(AgentId("bram"));
        (await Http.GetJson($"/api/agents/{AgentId("anna")}"))["status"]!.GetValue<string>().Should().Be("available");

        // The caller talks, hangs up; the phone saw the whole call; the agent completes it with an outcome.
        await caller.Succeeded();
        await bram.Process.Succeeded();
        anna.Process.HasExited.Should().BeFalse("Anna's phone never rang, so it still waits for a call");
        var completed = await Http.PostAsJsonAsync($"/api/contacts/{contactId}/complete", new { outcome = "resolved", summary = "Paspoort aangevraagd" });
        completed.StatusCode.Should().Be(System.Net.HttpStatusCode.OK, await completed.Content.ReadAsStringAsync());
        (await Http.GetJson($"/api/contacts/{contactId}"))["status"]!.GetValue<string>().Should().Be("completed");
    }

    [Fact]
    public async Task Should_keep_the_caller_queued_until_an_agent_is_available()
    {
        await using var phone = await AgentWithPhone("cees", "phone_answers", available: false);
        var callId = NewCallId();
        var caller = Dial("caller", callId, holdMs: 300, topic: "wmo");
        var contactId = ContactOf(callId);

        var queued = await Http.ContactWhen(contactId, "queued");
        queued["centre"]!.GetValue<string>().Should().Be("sociaal");
        queued["topic"]!.GetValue<string>().Should().Be("wmo", "the provider's X-Topic header travels with the caller");
        phone.Process.HasExited.Should().BeFalse();

        (await Http.SetStatus(AgentId("cees"), "available")).EnsureSuccessStatusCode();
        (await Http.ContactWhen(contactId, "connected"))["agentId"]!.GetValue<string>().Should().Be(AgentId("cees"));
        await caller.Succeeded();
        await phone.Process.Succeeded();
    }
}

/// <summary>An agent declines on the phone: the next agent's phone rings, and the caller never lost their place.</summary>
public sealed class When_an_agent_declines_on_the_phone : TelephonySpec
{
    [Fact]
    public async Task Should_ring_the_next_agents_phone_while_the_caller_keeps_waiting()
    {
        await using var first = await AgentWithPhone("dirk", "phone_declines");
        Router.Time.Advance(TimeSpan.FromSeconds(10));
        await using var second = await AgentWithPhone("eva", "phone_answers");

        var callId = NewCallId();
        var caller = Dial("caller", callId, holdMs: 300);
        var contactId = ContactOf(callId);

        (await Http.ContactWhen(contactId, "connected"))["agentId"]!.GetValue<string>().Should().Be(AgentId("eva"));
        await first.Process.Succeeded(); // it rang and declined (486)
        await second.Process.Succeeded();
        await caller.Succeeded(); // one call throughout: parked, rang twice, answered
        var dirk = await Http.GetJson($"/api/agents/{AgentId("dirk")}");
        dirk["status"]!.GetValue<string>().Should().Be("available", "declining is a reject, not a time-out");
    }
}

/// <summary>An agent does not pick up within the offer timeout: their phone stops ringing and the next one rings.</summary>
public sealed class When_an_offer_runs_out_on_the_phone : TelephonySpec
{
    [Fact]
    public async Task Should_stop_the_phone_and_ring_the_next_agents_while_the_caller_keeps_waiting()
    {
        await using var first = await AgentWithPhone("joost", "phone_rings_until_cancelled");
        Router.Time.Advance(TimeSpan.FromSeconds(10));
        await using var second = await AgentWithPhone("karin", "phone_answers");

        var callId = NewCallId();
        var caller = Dial("caller", callId, holdMs: 300);
        var contactId = ContactOf(callId);
        (await Http.ContactWhen(contactId, "offered"))["agentId"]!.GetValue<string>().Should().Be(AgentId("joost"));
        await Api.Eventually(() => Task.FromResult(first.Process.Ringing()), ringing => ringing, "Joost's phone to ring");

        Router.Time.Advance(TimeSpan.FromSeconds(16)); // past Routing:OfferTimeout (15 s)
        await first.Process.Succeeded(); // its scenario ends only with the CANCEL: the ringing stopped
        (await Http.ContactWhen(contactId, "connected"))["agentId"]!.GetValue<string>().Should().Be(AgentId("karin"));
        await second.Process.Succeeded();
        await caller.Succeeded(); // one call throughout: parked, rang, parked again, rang, answered
        (await Http.GetJson($"/api/agents/{AgentId("joost")}"))["status"]!.GetValue<string>().Should().Be("notresponding");
    }
}

/// <summary>The caller hangs up before anyone answers: an abandon, and a ringing phone stops at once.</summary>
public sealed class When_a_phoning_caller_hangs_up : TelephonySpec
{
    [Fact]
    public async Task Should_abandon_the_contact_while_queued()
    {
        var callId = NewCallId();
        var contactId = ContactOf(callId);
        var caller = Dial("caller_hangs_up_queued", callId, holdMs: 1500);
        await Http.ContactWhen(contactId, "queued");
        await caller.Succeeded();
        (await Http.ContactWhen(contactId, "abandoned"))["status"]!.GetValue<string>().Should().Be("abandoned");
    }

    [Fact]
    public async Task Should_stop_the_ringing_phone_and_abandon_the_contact()
    {
        await using var phone = await AgentWithPhone("femke", "phone_rings_until_cancelled");
        var callId = NewCallId();
        var contactId = ContactOf(callId);
        var caller = Dial("caller_hangs_up_ringing", callId, holdMs: 1000);
        await Http.ContactWhen(contactId, "offered");
        await caller.Succeeded();
        await phone.Process.Succeeded(); // its scenario ends only with the CANCEL: the ringing stopped
        await Http.ContactWhen(contactId, "abandoned");
        (await Http.GetJson($"/api/agents/{AgentId("femke")}"))["status"]!.GetValue<string>().Should().Be("available");
    }
}

/// <summary>A phone that is not registered cannot ring: its agent is not offered the caller.</summary>
public sealed class When_an_agents_phone_is_not_registered : TelephonySpec
{
    [Fact]
    public async Task Should_offer_the_caller_to_an_agent_whose_phone_is()
    {
        await using var gone = await AgentWithPhone("gert", "phone_answers");
        await gone.Unregister();
        await Api.Eventually(() => Http.GetJson($"/api/agents/{AgentId("gert")}"), a => (string?)a["status"] == "away",
            "the agent without a phone to be away");
        Router.Time.Advance(TimeSpan.FromSeconds(10));
        await using var here = await AgentWithPhone("hanna", "phone_answers");

        var callId = NewCallId();
        var caller = Dial("caller", callId, holdMs: 300);
        (await Http.ContactWhen(ContactOf(callId), "connected"))["agentId"]!.GetValue<string>().Should().Be(AgentId("hanna"));
        await caller.Succeeded();
        gone.Process.HasExited.Should().BeFalse("Gert's phone was never rung");
    }
}

/// <summary>
/// Overflow over the phone: a caller of Fysiek, where nobody is free, rings the phone of a neighbour's agent who knows
/// Fysiek's domain once the threshold has passed, as any offer does; the contact shows where it came from.
/// </summary>
public sealed class When_a_phoning_caller_overflows_to_a_neighbour : TelephonySpec
{
    protected override string Centre => "fysiek";

    [Fact]
    public async Task Should_ring_the_neighbours_agents_phone_after_the_threshold_and_connect_the_call_there()
    {
        // Eva works at Sociaal (a ring neighbour of Fysiek) and also knows Fysiek's domain; Fysiek has nobody.
        var eva = AgentId("eva");
        (await Http.PutAgent(eva, "sociaal", new Dictionary<string, int> { ["sociaal"] = 5, ["fysiek"] = 3 })).EnsureSuccessStatusCode();
        await using var phone = Own(await Phone.Register(eva, "phone_answers", ringMs: 300));
        (await Http.SetStatus(eva, "available")).EnsureSuccessStatusCode();

        var callId = NewCallId();
        var contactId = ContactOf(callId);
        var caller = Dial("caller", callId, holdMs: 1000);
        (await Http.ContactWhen(contactId, "queued"))["centre"]!.GetValue<string>().Should().Be("fysiek");
        phone.Process.HasExited.Should().BeFalse("before the threshold the caller waits at home");

        Router.Time.Advance(TimeSpan.FromSeconds(21));
        var connected = await Http.ContactWhen(contactId, "connected");
        connected["agentId"]!.GetValue<string>().Should().Be(eva);
        connected["centre"]!.GetValue<string>().Should().Be("sociaal");
        connected["homeCentre"]!.GetValue<string>().Should().Be("fysiek");
        connected["overflowed"]!.GetValue<bool>().Should().BeTrue("the console marks the call 'Overgelopen van Fysiek'");
        await caller.Succeeded();
        await phone.Process.Succeeded();
    }
}
