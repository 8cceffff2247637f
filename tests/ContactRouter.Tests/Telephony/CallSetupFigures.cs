using System.Net.Http.Json;
using Xunit.Abstractions;

namespace ContactRouter.Tests.Telephony;

/// <summary>
/// Call set-up time — the caller's INVITE to the agent's phone ringing (the 180 reaching the caller), as the caller's sipp
/// measures it — over a series of calls one after another, each answered, talked, hung up and completed. Printed with
/// the load average (tests/ContactRouter.Tests/Figures.cs), never asserted: timings on a shared machine are noise.
/// </summary>
public sealed class When_calls_are_set_up_one_after_another(ITestOutputHelper output) : TelephonySpec
{
    private const int Calls = 20;

    [Fact]
    public async Task Should_connect_every_call_and_print_the_set_up_time()
    {
        await using var phone = await AgentWithPhone("ilse", "phone_answers", calls: Calls, ringMs: 50);
        var setUp = new List<double>();
        for (var i = 0; i < Calls; i++)
        {
            var callId = NewCallId();
            var contactId = ContactOf(callId);
            await using var caller = Dial("caller", callId, holdMs: 100);
            await Http.ContactWhen(contactId, "connected");
            await caller.Succeeded();
            setUp.AddRange(caller.ResponseTimes());
            (await Http.PostAsJsonAsync($"/api/contacts/{contactId}/complete", new { outcome = "resolved" })).EnsureSuccessStatusCode();
            (await Http.SetStatus(AgentId("ilse"), "available")).EnsureSuccessStatusCode(); // ends the wrap-up early
        }
        await phone.Process.Succeeded();
        setUp.Should().HaveCount(Calls, "every caller heard the phone ring");
        setUp.Sort();
        Figures.Print(output, "SIP call set-up (INVITE → agent's phone rings)",
            $"{Calls} calls one after another: p50 {Percentile(setUp, 0.50):0} ms, p99 {Percentile(setUp, 0.99):0} ms, max {setUp[^1]:0} ms");
    }

    private static double Percentile(List<double> sorted, double p) => sorted[(int)Math.Ceiling(p * sorted.Count) - 1];
}
