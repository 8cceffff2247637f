using ContactRouter.Components;
using ContactRouter.Contracts;
using ContactRouter.Routing;
using ContactRouter.Store;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace ContactRouter.Tests;

/// <summary>
/// One centre worker process: the <see cref="CentreCommandConsumer"/> in MassTransit's in-memory test harness,
/// registered as the real host registers it, on its own SQLite file and a virtual clock.
/// </summary>
internal sealed class CentreWorkerHarness : IAsyncDisposable
{
    private readonly ServiceProvider _provider;

    private CentreWorkerHarness(ServiceProvider provider, ITestHarness harness)
    {
        _provider = provider;
        Harness = harness;
    }

    public ITestHarness Harness { get; }

    public IServiceProvider Services => _provider;

    public static async Task<CentreWorkerHarness> Start(string storePath, TimeProvider time)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(time);
        services.AddOptions<RoutingOptions>();
        services.AddDbContext<RouterDbContext>(o => o.UseSqlite($"Data Source={storePath}"));
        services.AddSingleton<CentreStates>();
        services.AddSingleton<DeadlineAlarm>();
        // As the host has it: the wait for the broker's confirm on the wall clock, so no spec's clock can cut it short.
        services.AddSingleton(sp => ActivatorUtilities.CreateInstance<CentreBatcher>(sp, TimeProvider.System));
        services.AddSingleton<DeliveryOrder>();
        services.AddScoped<CentreWorker>();
        services.AddScoped<OutboxPublisher>();
        services.AddOptions<BusOptions>();
        services.AddSingleton<OutboxCleanup>();
        services.AddMassTransitTestHarness(x =>
        {
            x.AddConsumer<CentreCommandConsumer, CentreCommandConsumerDefinition>();
            // Negative checks ("nothing was published") wait for this much quiet.
            x.SetTestTimeouts(testTimeout: TimeSpan.FromSeconds(20), testInactivityTimeout: TimeSpan.FromMilliseconds(300));
        });
        var provider = services.BuildServiceProvider(validateScopes: true);
        await using (var scope = provider.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<RouterDbContext>().Database.EnsureCreatedAsync();
        var harness = provider.GetRequiredService<ITestHarness>();
        await harness.Start();
        return new CentreWorkerHarness(provider, harness);
    }

    /// <summary>Sends the command as a request, as the API does, and returns the worker's answer.</summary>
    public async Task<CommandResult> Ask<T>(T command) where T : CentreCommand =>
        (await Harness.GetRequestClient<T>().GetResponse<CommandResult>(command)).Message;

    /// <summary>Sends the command without asking for an answer, as telephony's fire-and-forget does.</summary>
    public async Task Send<T>(T command) where T : CentreCommand =>
        await (await Harness.GetConsumerEndpoint<CentreCommandConsumer>()).Send(command);

    /// <summary>Marks the rows of what was published, as the host's <see cref="OutboxCleanup"/> round does.</summary>
    public Task MarkPublished() => _provider.GetRequiredService<OutboxCleanup>().Flush(CancellationToken.None);

    public TResult Read<TResult>(Func<RouterDbContext, TResult> read)
    {
        using var scope = _provider.CreateScope();
        return read(scope.ServiceProvider.GetRequiredService<RouterDbContext>());
    }

    public List<T> Published<T>() where T : class => Harness.Published.Select<T>().Select(m => m.Context.Message).ToList();

    public async ValueTask DisposeAsync()
    {
        await Harness.Stop();
        await _provider.DisposeAsync();
    }
}

internal static class Commands
{
    public static RegisterAgent Register(string agentId, string centre = "sociaal", int level = 4) =>
        new() { Centre = centre, AgentId = agentId, Name = agentId, Skills = new Dictionary<string, int> { [centre] = level } };

    public static SetAgentStatus Available(string agentId, string centre = "sociaal") =>
        new() { Centre = centre, AgentId = agentId, Status = "available" };

    public static QueueContact Queue(string contactId, DateTimeOffset at, int priority = 0, string centre = "sociaal") =>
        new() { Centre = centre, ContactId = contactId, HomeCentre = centre, Channel = "phone", Caller = "+31612345678", Priority = priority, QueuedAt = at };
}

/// <summary>Each spec gets its own store file and clock; <see cref="Restart"/> plays the worker process starting again on it.</summary>
public abstract class CentreConsumerSpec : IAsyncLifetime
{
    private readonly string _store = RouterFactory.NewStorePath();
    protected readonly FakeTimeProvider Time = RouterFactory.NewClock();
    private protected CentreWorkerHarness Worker = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_store)!);
        Worker = await CentreWorkerHarness.Start(_store, Time);
    }

    public async Task DisposeAsync()
    {
        await Worker.DisposeAsync();
        SqliteConnection.ClearAllPools();
        File.Delete(_store);
    }

    protected async Task Restart()
    {
        await Worker.DisposeAsync();
        Worker = await CentreWorkerHarness.Start(_store, Time);
    }

    /// <summary>A second worker process on the same store, as a standby that takes the centre's queue over.</summary>
    private protected Task<CentreWorkerHarness> StartStandby() => CentreWorkerHarness.Start(_store, Time);
}

public sealed class When_a_contact_is_queued_with_an_available_agent : CentreConsumerSpec
{
    [Fact]
    public async Task Should_publish_queued_offered_and_load_and_answer_accepted()
    {
        (await Worker.Ask(Commands.Register("anna"))).Accepted.Should().BeTrue();
        (await Worker.Ask(Commands.Available("anna"))).Accepted.Should().BeTrue();

        var command = Commands.Queue("c1", Time.GetUtcNow(), priority: 3);
        var result = await Worker.Ask(command);

        result.Should().BeEquivalentTo(new CommandResult { CommandId = command.CommandId, Accepted = true });
        (await Worker.Harness.Consumed.Any<QueueContact>(m => m.Context.Message.ContactId == "c1")).Should().BeTrue();
        (await Worker.Harness.Published.Any<ContactOffered>()).Should().BeTrue();

        var queued = Worker.Published<ContactQueued>().Should().ContainSingle().Subject;
        queued.Should().BeEquivalentTo(new { ContactId = "c1", Centre = "sociaal", HomeCentre = "sociaal", Channel = "phone", Caller = "+31612345678", Priority = 3 });
        var offered = Worker.Published<ContactOffered>().Should().ContainSingle().Subject;
        offered.Should().BeEquivalentTo(new { ContactId = "c1", Centre = "sociaal", AgentId = "anna", OfferedAt = Time.GetUtcNow(), ExpiresAt = Time.GetUtcNow().AddSeconds(15) });
        var load = Worker.Published<CentreLoadChanged>().Last();
        load.Centre.Should().Be("sociaal");
        load.Waiting.Should().Be(1, "an offered contact is still waiting until it is answered");
        load.Offered.Should().Be(1);
        load.Agents["offered"].Should().Be(1);
        load.Agents["available"].Should().Be(0);

        Worker.Read(db => db.Contacts.Single()).Should().BeEquivalentTo(new { Id = "c1", Status = ContactStatus.Offered, AgentId = "anna" }, o => o.ExcludingMissingMembers());
        // The in-memory bus loses what it holds on a restart: published events stay a while, marked, to be published again.
        await Worker.MarkPublished();
        Worker.Read(db => db.Outbox.Count(o => o.PublishedAt == null)).Should().Be(0, "every event is marked published once published");
    }

    [Fact]
    public async Task Should_publish_an_answer_when_the_agent_accepts()
    {
        await Worker.Ask(Commands.Register("anna"));
        await Worker.Ask(Commands.Available("anna"));
        await Worker.Ask(Commands.Queue("c1", Time.GetUtcNow()));
        Time.Advance(TimeSpan.FromSeconds(8));

        (await Worker.Ask(new AcceptOffer { Centre = "sociaal", AgentId = "anna", ContactId = "c1" })).Accepted.Should().BeTrue();

        (await Worker.Harness.Published.Any<ContactAnswered>()).Should().BeTrue();
        Worker.Published<ContactAnswered>().Should().ContainSingle().Which.Should()
            .BeEquivalentTo(new { ContactId = "c1", Centre = "sociaal", AgentId = "anna", WaitedSeconds = 8.0 });
        var load = Worker.Published<CentreLoadChanged>().Last();
        load.Waiting.Should().Be(0);
        load.Answered.Should().Be(1);
        load.Agents["busy"].Should().Be(1);
    }
}

public sealed class When_the_same_command_is_delivered_twice : CentreConsumerSpec
{
    [Fact]
    public async Task Should_queue_the_contact_once()
    {
        var command = Commands.Queue("c1", Time.GetUtcNow());

        await Worker.Send(command);
        await Worker.Send(command);
        // A third, different contact behind them: once it is consumed, both copies have been handled.
        (await Worker.Ask(Commands.Queue("c2", Time.GetUtcNow()))).Accepted.Should().BeTrue();

        Worker.Harness.Consumed.Select<QueueContact>().Count(m => m.Context.Message.CommandId == command.CommandId).Should().Be(2);
        Worker.Read(db => db.Contacts.Count(c => c.Id == "c1")).Should().Be(1);
        Worker.Read(db => db.ProcessedCommands.Count(p => p.CommandId == command.CommandId)).Should().Be(1);
        Worker.Published<ContactQueued>().Select(q => q.ContactId).Should().Equal("c1", "c2");
        Worker.Read(db => db.Statistics.Single()).Offered.Should().Be(2);
    }

    [Fact]
    public async Task Should_answer_a_duplicated_request_as_the_first_time()
    {
        var command = Commands.Queue("c1", Time.GetUtcNow());
        var first = await Worker.Ask(command);
        var second = await Worker.Ask(command);

        second.Should().BeEquivalentTo(first);
        Worker.Read(db => db.Contacts.Count()).Should().Be(1);
        Worker.Published<ContactQueued>().Should().ContainSingle();
    }

    [Fact]
    public async Task Should_answer_a_duplicated_accept_as_the_first_time_and_answer_the_contact_once()
    {
        await Worker.Ask(Commands.Register("anna"));
        await Worker.Ask(Commands.Available("anna"));
        await Worker.Ask(Commands.Queue("c1", Time.GetUtcNow()));
        var accept = new AcceptOffer { Centre = "sociaal", AgentId = "anna", ContactId = "c1" };

        var first = await Worker.Ask(accept);
        Time.Advance(TimeSpan.FromSeconds(3));
        var second = await Worker.Ask(accept);

        first.Accepted.Should().BeTrue();
        second.Should().BeEquivalentTo(first, "a redelivered accept is absorbed, not refused because the offer is gone");
        Worker.Published<ContactAnswered>().Should().ContainSingle();
        Worker.Read(db => db.Contacts.Single()).AnsweredAt.Should().Be(Time.GetUtcNow().AddSeconds(-3));
        Worker.Read(db => db.Statistics.Single()).Answered.Should().Be(1);
    }

    [Fact]
    public async Task Should_answer_a_duplicated_refusal_the_same_way()
    {
        await Worker.Ask(Commands.Register("anna"));
        var accept = new AcceptOffer { Centre = "sociaal", AgentId = "anna", ContactId = "nothing-offered" };

        var first = await Worker.Ask(accept);
        var second = await Worker.Ask(accept);

        first.Should().BeEquivalentTo(new { Accepted = false, RefusalKind = "conflict", Field = "contactId" }, o => o.ExcludingMissingMembers());
        second.Should().BeEquivalentTo(first);
    }
}

public sealed class When_an_agent_accepts_an_offer_that_is_not_theirs : CentreConsumerSpec
{
    [Fact]
    public async Task Should_refuse_with_a_conflict_on_contactId_and_answer_nothing()
    {
        await Worker.Ask(Commands.Register("anna"));
        await Worker.Ask(Commands.Available("anna"));
        await Worker.Ask(Commands.Queue("c1", Time.GetUtcNow()));
        await Worker.Ask(Commands.Register("bram"));
        await Worker.Ask(Commands.Available("bram"));
        var contactBefore = Worker.Read(db => db.Contacts.AsNoTracking().Single());
        var events = Worker.Harness.Published.Select<object>().Count(m => m.Context.Message is not CentreCommand);

        var result = await Worker.Ask(new AcceptOffer { Centre = "sociaal", AgentId = "bram", ContactId = "c1" });

        result.Accepted.Should().BeFalse();
        result.RefusalKind.Should().Be("conflict");
        result.Field.Should().Be("contactId");
        result.Detail.Should().NotBeNullOrEmpty();
        (await Worker.Harness.Published.Any<ContactAnswered>()).Should().BeFalse();
        // The harness's request client publishes the commands themselves; only events count here.
        Worker.Harness.Published.Select<object>().Count(m => m.Context.Message is not CentreCommand)
            .Should().Be(events, "a refused command changes nothing, so announces nothing");
        Worker.Read(db => db.Contacts.AsNoTracking().Single()).Should().BeEquivalentTo(contactBefore);
        Worker.Read(db => db.Agents.AsNoTracking().Single(a => a.Id == "anna")).OfferedContactId.Should().Be("c1");
        Worker.Read(db => db.Agents.AsNoTracking().Single(a => a.Id == "bram")).OfferedContactId.Should().BeNull();
    }

    [Fact]
    public async Task Should_refuse_an_unknown_agent_as_not_found()
    {
        var result = await Worker.Ask(new AcceptOffer { Centre = "sociaal", AgentId = "nobody", ContactId = "c1" });

        result.Should().BeEquivalentTo(new { Accepted = false, RefusalKind = "notfound", Field = "agentId" }, o => o.ExcludingMissingMembers());
    }
}

public sealed class When_the_worker_restarts : CentreConsumerSpec
{
    [Fact]
    public async Task Should_reload_the_waiting_contacts_in_the_same_order()
    {
        var start = Time.GetUtcNow();
        await Worker.Ask(Commands.Queue("low", start, priority: 0));
        await Worker.Ask(Commands.Queue("urgent-first", start.AddSeconds(1), priority: 5));
        await Worker.Ask(Commands.Queue("urgent-second", start.AddSeconds(2), priority: 5));
        Time.Advance(TimeSpan.FromSeconds(5));

        await Restart();
        Worker.Published<ContactQueued>().Should().BeEmpty("a fresh process has published nothing yet");

        var offers = new List<string>();
        foreach (var agent in new[] { "anna", "bram", "carla" })
        {
            (await Worker.Ask(Commands.Register(agent))).Accepted.Should().BeTrue();
            (await Worker.Ask(Commands.Available(agent))).Accepted.Should().BeTrue();
            offers.Add(Worker.Published<ContactOffered>().Single(o => o.AgentId == agent).ContactId);
        }

        offers.Should().Equal("urgent-first", "urgent-second", "low");
    }

    [Fact]
    public async Task Should_keep_numbering_arrivals_and_remember_processed_commands()
    {
        var first = Commands.Queue("c1", Time.GetUtcNow());
        await Worker.Ask(first);
        await Worker.Ask(Commands.Queue("c2", Time.GetUtcNow()));

        await Restart();
        var again = await Worker.Ask(first);
        await Worker.Ask(Commands.Queue("c3", Time.GetUtcNow()));

        again.Accepted.Should().BeTrue();
        Worker.Published<ContactQueued>().Select(q => q.ContactId).Should().Equal("c3");
        Worker.Read(db => db.Contacts.OrderBy(c => c.Sequence).Select(c => new { c.Id, c.Sequence }).ToList())
            .Should().Equal(new { Id = "c1", Sequence = 1L }, new { Id = "c2", Sequence = 2L }, new { Id = "c3", Sequence = 3L });
    }
}

public sealed class When_a_duplicate_arrives_after_a_restart : CentreConsumerSpec
{
    [Fact]
    public async Task Should_absorb_a_copy_of_a_command_the_previous_process_applied()
    {
        var command = Commands.Queue("c1", Time.GetUtcNow());
        var first = await Worker.Ask(command);

        await Restart();
        var second = await Worker.Ask(command);

        second.Should().BeEquivalentTo(first);
        Worker.Published<ContactQueued>().Should().BeEmpty("the copy changed nothing");
        Worker.Read(db => db.ProcessedCommands.Count(p => p.CommandId == command.CommandId)).Should().Be(1);
        Worker.Read(db => db.Statistics.Single()).Offered.Should().Be(1);
    }

    [Fact]
    public async Task Should_absorb_it_even_after_more_commands_than_are_looked_up_in_the_store()
    {
        await Worker.Ask(Commands.Register("anna"));
        var accept = new AcceptOffer { Centre = "sociaal", AgentId = "anna", ContactId = "nothing-offered" };
        var command = Commands.Queue("c1", Time.GetUtcNow());
        var first = await Worker.Ask(command);

        await Restart();
        // Past the commands a fresh worker also looks up in the store: the copy is not in its memory either, so only the
        // store's key on ProcessedCommands stops it — and the retry, reloading, must then answer it as before.
        for (var i = 0; i <= LoadedCentre.CheckedInStoreAfterLoad; i++)
            (await Worker.Ask(accept with { CommandId = Guid.NewGuid() })).Accepted.Should().BeFalse();
        var second = await Worker.Ask(command);

        second.Should().BeEquivalentTo(first);
        Worker.Published<ContactQueued>().Should().BeEmpty("the copy changed nothing");
        Worker.Read(db => db.Contacts.Count(c => c.Id == "c1")).Should().Be(1);
        Worker.Read(db => db.Statistics.Single()).Offered.Should().Be(1);

        // And the centre goes on from the store's state, not from the copy applied in memory.
        await Worker.Ask(Commands.Available("anna"));
        Worker.Published<ContactOffered>().Should().ContainSingle().Which.ContactId.Should().Be("c1");
    }
}

public sealed class When_a_standby_takes_over_and_hands_back : CentreConsumerSpec
{
    [Fact]
    public async Task Should_reload_what_the_standby_wrote_before_applying_anything()
    {
        await Worker.Ask(Commands.Register("anna"));
        await Worker.Ask(Commands.Queue("c1", Time.GetUtcNow()));

        // The standby holds the queue a while: it registers bram and makes him available; he gets c1.
        await using (var standby = await StartStandby())
        {
            await standby.Ask(Commands.Register("bram"));
            await standby.Ask(Commands.Available("bram"));
            standby.Published<ContactOffered>().Should().ContainSingle().Which.AgentId.Should().Be("bram");
        }

        // Back on the first process, whose memory still has c1 waiting and no bram: the version it holds is stale.
        Time.Advance(TimeSpan.FromSeconds(1));
        var accept = await Worker.Ask(new AcceptOffer { Centre = "sociaal", AgentId = "bram", ContactId = "c1" });

        accept.Accepted.Should().BeTrue("the worker reloaded the standby's state before applying the accept");
        Worker.Published<ContactAnswered>().Should().ContainSingle().Which.AgentId.Should().Be("bram");
        Worker.Read(db => db.Centres.Single(c => c.Id == "sociaal")).Version.Should().Be(5, "five changes, each saved once");
        Worker.Read(db => db.Contacts.Single()).Status.Should().Be(ContactStatus.Connected);
    }
}
