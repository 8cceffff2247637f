using ContactRouter.Components;
using ContactRouter.Contracts;
using ContactRouter.Routing;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace ContactRouter.Tests;

/// <summary>
/// Group commit (<see cref="CentreBatcher"/>): commands of one centre that wait together are applied in order and saved
/// in one transaction. The specs hold the centre's gate, as a batch being saved does, so that what they hand in waits
/// and forms the next batch.
/// </summary>
public abstract class GroupCommitSpec : CentreConsumerSpec
{
    private protected async Task<IDisposable> WhileSaving()
    {
        var gate = Worker.Services.GetRequiredService<CentreStates>().GateFor("sociaal");
        await gate.WaitAsync();
        return new Release(gate);
    }

    private protected Task<CommandResult> Submit(CentreCommand command, Func<Centre, Refusal?> apply) =>
        Worker.Services.GetRequiredService<CentreBatcher>().Submit(new PendingCommand(command, apply, Worker.Harness.Bus, Worker.Harness.Bus, []));

    private protected Task<CommandResult> Submit(QueueContact command) => Submit(command, centre => centre.Queue(EventMapping.ContactOf(command)));

    private protected long Version() => Worker.Read(db => db.Centres.Single(c => c.Id == "sociaal")).Version;

    private sealed class Release(SemaphoreSlim gate) : IDisposable
    {
        public void Dispose() => gate.Release();
    }
}

public sealed class When_a_batch_holds_a_refused_command : GroupCommitSpec
{
    [Fact]
    public async Task Should_answer_it_refused_and_save_the_others_in_one_transaction()
    {
        await Worker.Ask(Commands.Register("anna"));
        var before = Version();

        Task<CommandResult> first, refused, last;
        using (await WhileSaving())
        {
            first = Submit(Commands.Queue("c1", Time.GetUtcNow()));
            var accept = new AcceptOffer { Centre = "sociaal", AgentId = "anna", ContactId = "nothing-offered" };
            refused = Submit(accept, centre => centre.Accept(accept.AgentId, accept.ContactId));
            last = Submit(Commands.Queue("c2", Time.GetUtcNow()));
            first.IsCompleted.Should().BeFalse("nothing is answered before its batch has committed");
        }

        (await first).Accepted.Should().BeTrue();
        var answer = await refused;
        answer.Accepted.Should().BeFalse();
        answer.Field.Should().Be("contactId");
        (await last).Accepted.Should().BeTrue("a refusal does not undo the commands around it");
        Version().Should().Be(before + 1, "the three were saved in one transaction");
        Worker.Read(db => db.Contacts.Select(c => c.Id).OrderBy(id => id).ToList()).Should().Equal("c1", "c2");
        Worker.Read(db => db.ProcessedCommands.Count()).Should().Be(4, "the registration and the batch's three, the refusal too");
        (await Worker.Harness.Published.Any<ContactQueued>(m => m.Context.Message.ContactId == "c2")).Should().BeTrue();
        Worker.Published<ContactQueued>().Select(q => q.ContactId).Should().Equal("c1", "c2");
        Worker.Published<CentreLoadChanged>().Should().ContainSingle(l => l.Version == before + 1).Which.Waiting.Should().Be(2);
    }
}

public sealed class When_a_batch_holds_the_same_command_twice : GroupCommitSpec
{
    [Fact]
    public async Task Should_apply_it_once_and_answer_both_copies_alike()
    {
        await Worker.Ask(Commands.Register("anna"));
        var command = Commands.Queue("c1", Time.GetUtcNow());

        Task<CommandResult> original, copy, other;
        using (await WhileSaving())
        {
            original = Submit(command);
            copy = Submit(command);
            other = Submit(Commands.Queue("c2", Time.GetUtcNow()));
        }

        (await copy).Should().BeEquivalentTo(await original);
        (await original).Accepted.Should().BeTrue();
        (await other).Accepted.Should().BeTrue();
        Worker.Read(db => db.ProcessedCommands.Count(p => p.CommandId == command.CommandId)).Should().Be(1);
        (await Worker.Harness.Published.Any<ContactQueued>(m => m.Context.Message.ContactId == "c2")).Should().BeTrue();
        Worker.Published<ContactQueued>().Select(q => q.ContactId).Should().Equal("c1", "c2");
        Worker.Read(db => db.Statistics.Single()).Offered.Should().Be(2);
    }
}

public sealed class When_a_batch_fails_to_commit : GroupCommitSpec
{
    [Fact]
    public async Task Should_reload_and_apply_every_command_once_in_order()
    {
        await Worker.Ask(Commands.Register("anna"));
        var before = Version();

        var answers = new List<Task<CommandResult>>();
        using (await WhileSaving())
        {
            answers.Add(Submit(Commands.Queue("c1", Time.GetUtcNow())));
            answers.Add(Submit(Commands.Queue("c2", Time.GetUtcNow())));
            answers.Add(Submit(Commands.Available("anna"), centre => centre.SetPresence("anna", AgentPresence.Available)));
            answers.Add(Submit(Commands.Available("anna") with { Status = "break" }, centre => centre.SetPresence("anna", AgentPresence.Break)));
            // A standby wrote in between: the batch's UPDATE … WHERE Version = @v finds no row.
            Worker.Read(db => db.Centres.Where(c => c.Id == "sociaal").ExecuteUpdate(s => s.SetProperty(c => c.Version, c => c.Version + 1)));
        }

        foreach (var answer in answers) (await answer).Accepted.Should().BeTrue();
        Version().Should().Be(before + 2, "the standby's step and the batch's, saved once");
        Worker.Read(db => db.ProcessedCommands.Count()).Should().Be(5, "each command recorded once");
        (await Worker.Harness.Published.Any<ContactOffered>()).Should().BeTrue();
        Worker.Published<ContactQueued>().Select(q => q.ContactId).Should().Equal("c1", "c2");
        Worker.Published<ContactOffered>().Should().ContainSingle("anna took c1, in arrival order before her break")
            .Which.ContactId.Should().Be("c1");
        Worker.Read(db => db.Contacts.Count()).Should().Be(2);
    }
}

/// <summary>
/// The host shuts down while its bus still runs a consumer (the container stops the batcher first, once, in CI): the
/// consumer's command must not wait for a line that nobody reads any more, or the bus's stop waits for ever.
/// </summary>
public sealed class When_the_batcher_stops_with_commands_waiting : GroupCommitSpec
{
    [Fact]
    public async Task Should_answer_those_waiting_and_fail_any_later_command_at_once()
    {
        var batcher = Worker.Services.GetRequiredService<CentreBatcher>();
        Task<CommandResult> waiting;
        using (await WhileSaving())
        {
            waiting = Submit(Commands.Queue("c1", Time.GetUtcNow()));
            batcher.Dispose();
            await FluentActions.Awaiting(() => waiting).Should().ThrowAsync<OperationCanceledException>("its line stopped before it was applied");
        }

        var later = Submit(Commands.Queue("c2", Time.GetUtcNow()));
        later.IsCompleted.Should().BeTrue("a command handed in after the stop is answered at once, not left waiting");
        await FluentActions.Awaiting(() => later).Should().ThrowAsync<ObjectDisposedException>();
        Worker.Read(db => db.Contacts.Count()).Should().Be(0, "neither was saved");
    }
}

public sealed class When_deliveries_reach_the_consumer_out_of_order
{
    private readonly Microsoft.Extensions.Time.Testing.FakeTimeProvider _time = RouterFactory.NewClock();

    [Fact]
    public async Task Should_let_each_go_only_after_every_earlier_one_of_its_channel()
    {
        var order = new DeliveryOrder(_time, NullLogger<DeliveryOrder>.Instance);
        var third = order.Wait("ctag-1", 3, CancellationToken.None);
        var second = order.Wait("ctag-1", 2, CancellationToken.None);
        var otherChannel = order.Wait("ctag-2", 1, CancellationToken.None);

        third.IsCompleted.Should().BeFalse();
        second.IsCompleted.Should().BeFalse();
        otherChannel.IsCompleted.Should().BeTrue("another channel has a line of its own");
        (await order.Wait("ctag-1", 1, CancellationToken.None)).Dispose();

        using (await second)
            third.IsCompleted.Should().BeFalse("the second has not been handed on yet");
        (await third).Dispose();
        (await order.Wait("ctag-1", 2, CancellationToken.None)).Dispose(); // a retry of one that passed goes at once
    }

    [Fact]
    public async Task Should_keep_the_order_of_a_channel_opened_again_under_the_same_consumer_tag()
    {
        // After a lost connection MassTransit consumes on a new channel with the old consumer tag; that channel numbers
        // its deliveries from 1 again. Keyed by the tag, the new channel's first deliveries would all count as passed.
        var order = new DeliveryOrder(_time, NullLogger<DeliveryOrder>.Instance);
        object before = new(), after = new();
        for (ulong tag = 1; tag <= 5; tag++) order.Arrive(before, tag, "amq.ctag-1").Dispose();

        var second = order.Wait(after, 2, CancellationToken.None);
        second.IsCompleted.Should().BeFalse("the new channel's first delivery has not had its turn");
        (await order.Wait(after, 1, CancellationToken.None)).Dispose();
        (await second).Dispose();
    }

    [Fact]
    public async Task Should_move_past_a_delivery_that_never_comes()
    {
        var order = new DeliveryOrder(_time, NullLogger<DeliveryOrder>.Instance);
        (await order.Wait("ctag-1", 1, CancellationToken.None)).Dispose();
        var fourth = order.Wait("ctag-1", 4, CancellationToken.None);
        var third = order.Wait("ctag-1", 3, CancellationToken.None);

        _time.Advance(DeliveryOrder.GapWait);

        using (await third)
            fourth.IsCompleted.Should().BeFalse("the gap was before the third, which still goes first");
        (await fourth).Dispose();
    }

    [Fact]
    public async Task Should_wait_for_a_delivery_that_arrived_however_long_it_takes()
    {
        var order = new DeliveryOrder(_time, NullLogger<DeliveryOrder>.Instance);
        using var slow = order.Arrive("ctag-1", 2); // arrived, still reading the store
        var third = order.Wait("ctag-1", 3, CancellationToken.None);
        var slowTurn = slow.Wait(CancellationToken.None);

        _time.Advance(DeliveryOrder.GapWait);
        await slowTurn; // the first, which never arrived, is passed over
        third.IsCompleted.Should().BeFalse("the second arrived: the third waits for it");
        _time.Advance(DeliveryOrder.GapWait * 2);
        third.IsCompleted.Should().BeFalse("however long it takes");

        slow.Dispose();
        (await third).Dispose();
    }
}

/// <summary>
/// A broker node dies under the channel and the confirm of a batch's events never comes (RabbitMQ.Client 7.2 can leave a
/// publish waiting for ever): the batch's answers fail after Router:CommandTimeout, and no later batch waits for it.
/// </summary>
public sealed class When_a_batchs_events_are_never_confirmed : GroupCommitSpec
{
    [Fact]
    public async Task Should_fail_its_answers_after_the_command_timeout_and_leave_its_events_to_the_relay()
    {
        await Worker.Ask(Commands.Register("anna"));
        var confirms = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var timeout = new HostingOptions().CommandTimeout;
        using var batcher = new CentreBatcher(Worker.Services.GetRequiredService<IServiceScopeFactory>(), Worker.Services.GetRequiredService<CentreStates>(),
            Microsoft.Extensions.Options.Options.Create(new HostingOptions()), confirms, NullLogger<CentreBatcher>.Instance);
        // Never released, and deaf to the token: a publish that simply never returns.
        var held = HeldPublisher.Wrap(Worker.Harness.Bus);

        var c1 = Commands.Queue("c1", Time.GetUtcNow());
        var first = batcher.Submit(new PendingCommand(c1, centre => centre.Queue(EventMapping.ContactOf(c1)), (IPublishEndpoint)held, Worker.Harness.Bus, []));
        await Api.Eventually(() => Task.FromResult(HeldPublisher.Of(held).Waiting),
            waiting => waiting, "the first batch's publishing to be held");
        var c2 = Commands.Queue("c2", Time.GetUtcNow());
        var second = batcher.Submit(new PendingCommand(c2, centre => centre.Queue(EventMapping.ContactOf(c2)), Worker.Harness.Bus, Worker.Harness.Bus, []));
        await Api.Eventually(() => Task.FromResult(Worker.Read(db => db.Contacts.Count())), count => count == 2, "the second batch to commit");

        confirms.Advance(timeout - TimeSpan.FromMilliseconds(1));
        first.IsCompleted.Should().BeFalse("a confirm may take up to the command timeout");
        second.IsCompleted.Should().BeFalse("a batch is answered after the one before it");
        confirms.Advance(TimeSpan.FromMilliseconds(1));

        // The test's own guard only (on the wall clock): without the bound both would wait for ever.
        await FluentActions.Awaiting(() => first.WaitAsync(TimeSpan.FromSeconds(30))).Should().ThrowAsync<OperationCanceledException>(
            "not confirmed in time: its retries find it applied and are answered as duplicates");
        (await second.WaitAsync(TimeSpan.FromSeconds(30))).Accepted.Should().BeTrue("a confirm that never came holds no later batch");
        await Worker.MarkPublished();
        Worker.Read(db => db.Outbox.Where(o => o.PublishedAt == null).Select(o => o.MessageType).ToList())
            .Should().Contain(nameof(ContactQueued), "the first batch's events stay in the outbox, for the relay")
            .And.HaveCount(2, "its ContactQueued and its load; the second batch's went out");
    }
}

public sealed class When_a_batch_is_saved_while_the_one_before_it_is_still_publishing : GroupCommitSpec
{
    [Fact]
    public async Task Should_save_it_at_once_but_publish_and_answer_it_only_after_the_one_before()
    {
        await Worker.Ask(Commands.Register("anna"));
        var before = Version();
        var held = HeldPublisher.Wrap(Worker.Harness.Bus);

        var c1 = Commands.Queue("c1", Time.GetUtcNow());
        var first = Worker.Services.GetRequiredService<CentreBatcher>().Submit(new PendingCommand(
            c1, centre => centre.Queue(EventMapping.ContactOf(c1)), (IPublishEndpoint)held, Worker.Harness.Bus, []));
        await Api.Eventually(() => Task.FromResult(HeldPublisher.Of(held).Waiting), waiting => waiting, "the first batch's publishing to be held");
        var second = Submit(Commands.Queue("c2", Time.GetUtcNow()));

        await Api.Eventually(() => Task.FromResult(Version()), version => version == before + 2,
            "the second batch to commit while the first one's events are still on their way");
        second.IsCompleted.Should().BeFalse("a batch is answered only after the one before it has published and answered");
        first.IsCompleted.Should().BeFalse();
        Worker.Published<ContactQueued>().Should().BeEmpty("nothing of either batch went out yet");

        HeldPublisher.Of(held).Release();
        (await first).Accepted.Should().BeTrue();
        (await second).Accepted.Should().BeTrue();
        (await Worker.Harness.Published.Any<ContactQueued>(m => m.Context.Message.ContactId == "c2")).Should().BeTrue();
        Worker.Published<ContactQueued>().Select(q => q.ContactId).Should().Equal(["c1", "c2"], "a centre's events keep their order");
    }
}

/// <summary>A publish endpoint whose publishing waits until released; everything else goes straight to the bus.</summary>
public class HeldPublisher : System.Reflection.DispatchProxy
{
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private IPublishEndpoint _bus = null!;

    public bool Waiting { get; private set; }

    public static object Wrap(IPublishEndpoint bus)
    {
        var proxy = Create<IPublishEndpoint, HeldPublisher>();
        ((HeldPublisher)(object)proxy)._bus = bus;
        return proxy;
    }

    public static HeldPublisher Of(object proxy) => (HeldPublisher)proxy;

    public void Release() => _released.TrySetResult();

    protected override object? Invoke(System.Reflection.MethodInfo? method, object?[]? args)
    {
        if (method!.Name != nameof(IPublishEndpoint.Publish)) return method.Invoke(_bus, args);
        return Held(method, args);
    }

    private async Task Held(System.Reflection.MethodInfo method, object?[]? args)
    {
        Waiting = true;
        await _released.Task;
        await (Task)method.Invoke(_bus, args)!;
    }
}
