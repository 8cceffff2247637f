using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ContactRouter.Routing;
using ContactRouter.Tests.Broker;
using Xunit.Abstractions;

namespace ContactRouter.Tests.Drills;

/// <summary>
/// Drill 5: duplicated and reordered commands, as a telephone exchange and a double-clicking agent send them. RabbitMQ
/// and PostgreSQL, one API process and one worker process:
/// - a repeated complete (two at once, one later) is applied once; an accept sent twice at once connects once;
/// - the exchange's retry of a finished call (same Idempotency-Key) answers the same contact and changes nothing;
/// - the same POST /api/contacts with the same Idempotency-Key, twice at once and once more later, queues one contact;
/// - a caller who hangs up right after the 202 (the abandon sent the moment the 202 arrives, while the worker is still
///   busy with the burst) is hung up: the abandon is accepted and applied in order, never a 404.
/// </summary>
[Collection(BrokerCollection.Name)]
public sealed class When_commands_arrive_twice_or_out_of_order(RabbitMqNode node, ITestOutputHelper output)
{
    private const int Duplicated = 10;
    private const int QuickHangUps = 30;

    [Fact]
    public async Task Should_apply_each_once_and_in_order()
    {
        await using var router = await DrillRouter.OnRabbitMqAndPostgres(output, "duplicates", node);
        var api = router.Start("api", HostProcess.FreePort(), "Router:Centres", "none", "Router:Overflow", "false");
        var worker = router.Start("worker", HostProcess.FreePort(), "Router:Centres", DrillRouter.Centre, "Router:Overflow", "false", "Router:Api", "false");
        await Task.WhenAll(api.WaitHealthy(Drill.StartLimit), worker.WaitHealthy(Drill.StartLimit));
        router.Api = api.Address;
        router.Mark("healthy");
        var desk = (await router.Agents(await router.Admin(), 1, talkTicks: 0)).Single();
        var stream = new CallerStream(router.Exchange, router.Tally, router.Clock, router.Name);
        using var shift = new CancellationTokenSource();
        var watching = router.Store.Run(shift.Token);

        // A complete repeated, an accept doubled.
        await stream.Call(1);
        var first = router.Tally.Calls.Single(c => c.Number == 1);
        first.Accepted.Should().BeTrue(first.Error);
        var contactId = first.ContactId!;
        await router.Until(async () => (string?)(await desk.View())?["offer"]?["contactId"] == contactId, "the first caller to ring");
        var accepts = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ =>
            desk.Act("accept", contactId, $"/api/agents/{desk.AgentId}/accept", new { contactId })));
        var completes = (await Task.WhenAll(new[] { "eerste", "tweede" }.Select(summary =>
            desk.Act("complete", contactId, $"/api/contacts/{contactId}/complete", new { outcome = "resolved", summary }))))
            .Append(await desk.Act("complete", contactId, $"/api/contacts/{contactId}/complete", new { outcome = "callback", summary = "derde" }))
            .ToList();
        var completedOnce = await router.Store.ContactsById([contactId]);

        // The exchange retries the finished call: the same contact, still completed with its summary.
        await stream.Call(1);
        var retry = router.Tally.Calls.Where(c => c.Number == 1).Last();
        var afterRetry = await router.Store.ContactsById([contactId]);
        await desk.Session.Post($"/api/agents/{desk.AgentId}/status", new { status = "offline" });

        router.Mark("complete repeated");
        // Duplicated callers: twice at once, then once more.
        var numbers = Enumerable.Range(2, Duplicated).ToList();
        await Task.WhenAll(numbers.SelectMany(n => new[] { stream.Call(n), stream.Call(n) }));
        await Task.WhenAll(numbers.Select(stream.Call));

        router.Mark("duplicates posted");
        // Quick hang-ups: each abandon sent the moment its 202 arrives, all of them at once.
        var hangUps = Enumerable.Range(2 + Duplicated, QuickHangUps).ToList();
        var abandons = await Task.WhenAll(hangUps.Select(async n =>
        {
            await stream.Call(n);
            var call = router.Tally.Calls.Single(c => c.Number == n);
            var sentAt = router.Clock.Now;
            if (!call.Accepted) return (Call: call, Status: 0, SentAt: sentAt);
            using var answer = await router.Exchange.PostAsync($"/api/contacts/{call.ContactId}/abandon", null);
            return (Call: call, Status: (int)answer.StatusCode, SentAt: sentAt);
        }));
        router.Mark("hung up");
        var hungUpIds = abandons.Where(a => a.Call.Accepted).Select(a => a.Call.ContactId!).ToList();
        try
        {
            await router.Until(async () => (await router.Store.ContactsById(hungUpIds)).Values.All(c => c.Status == ContactStatus.Abandoned)
                && (await router.Store.ContactsById(hungUpIds)).Count == hungUpIds.Count, "every quick hang-up to be abandoned", TimeSpan.FromSeconds(20));
        }
        catch (Xunit.Sdk.XunitException)
        {
            // Counted below.
        }
        router.Mark("hang-ups applied");
        await shift.CancelAsync();
        await watching;

        // The agent comes back and serves the duplicated callers: each rings once.
        await using (router.Work([desk])) await router.Settle(Drill.SettleLimit);
        router.Mark("settled");

        var figures = await router.Figures();
        var duplicateIds = router.Tally.Calls.Where(c => numbers.Contains(c.Number)).GroupBy(c => c.Number)
            .Select(g => g.Where(c => c.Accepted).Select(c => c.ContactId).Distinct().Count()).ToList();
        var storedDuplicates = (await router.Store.ContactsPerCaller(numbers.Select(CallerStream.PhoneOf).ToList())).Values.Sum();
        var storedHangUps = await router.Store.ContactsById(hungUpIds);
        // How long a caller who hung up stayed in the queue as far as the router knew (offerable to an agent).
        var hangUpApplied = abandons.Where(a => a.Call.Accepted && storedHangUps.TryGetValue(a.Call.ContactId!, out var c) && c.AbandonedAt is not null)
            .Select(a => router.Clock.At(storedHangUps[a.Call.ContactId!].AbandonedAt!.Value) - a.SentAt).DefaultIfEmpty().Max();
        var notHungUp = hungUpIds.Count(id => !storedHangUps.TryGetValue(id, out var c) || c.Status != ContactStatus.Abandoned);
        var counts = await router.Store.Count();
        var summary = completedOnce[contactId].Summary;
        router.Print("5 duplicated and reordered commands", figures,
            $"serve again n/a; accepts doubled {string.Join('/', accepts.Select(a => a.Status))}, completes repeated " +
            $"{string.Join('/', completes.Select(c => c.Status))}; late retry of a finished call {retry.Status} → " +
            $"{afterRetry[contactId].Status.ToString().ToLowerInvariant()}; {Duplicated} callers posted 3 times: " +
            $"{storedDuplicates} contacts, {duplicateIds.Count(n => n > 1)} with two ids; {QuickHangUps} quick hang-ups: abandon answered " +
            $"{string.Join(", ", abandons.GroupBy(a => a.Status).OrderBy(g => g.Key).Select(g => $"{g.Key}×{g.Count()}"))}, not hung up {notHungUp}, applied within {hangUpApplied.TotalSeconds:0.0} s");

        using var _ = new FluentAssertions.Execution.AssertionScope();
        figures.ShouldHold();
        accepts.Count(DrillTally.Applied).Should().BeGreaterThanOrEqualTo(1, "one of the two accepts connects the agent");
        completes.Count(DrillTally.Applied).Should().Be(1, "a repeated complete is applied once");
        summary.Should().BeOneOf("eerste", "tweede");
        afterRetry[contactId].Status.Should().Be(ContactStatus.Completed, "a retry of a finished call does not bring it back");
        afterRetry[contactId].Summary.Should().Be(summary, "a retry of a finished call keeps its outcome and summary");
        retry.ContactId.Should().Be(contactId, "the same Idempotency-Key answers the same contact");
        duplicateIds.Should().AllSatisfy(n => n.Should().Be(1, "the same Idempotency-Key is the same contact"));
        storedDuplicates.Should().Be(Duplicated, "each duplicated caller is one contact");
        counts.CountedTwice.Should().Be(0, "a duplicated caller is counted once");
        abandons.Should().AllSatisfy(a => a.Status.Should().BeOneOf([200, 202], "an abandon right after the 202 is accepted, never a 404"));
        notHungUp.Should().Be(0, "every quick hang-up is applied after its QueueContact");
    }
}
