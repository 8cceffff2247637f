using ContactRouter.Contracts;
using ContactRouter.Routing;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ContactRouter.Components;

/// <summary>
/// The overflow router's picture of all four centres, built from their <see cref="CentreLoadChanged"/>
/// events, and its decisions. It owns no contact: it only asks a centre to move one, and the centre
/// refuses when its own state says no (already ringing, hop limit), so a stale picture can never cause
/// a contact to be offered twice.
/// </summary>
public sealed class OverflowRouter(OverflowPolicy policy, TimeProvider time, IServiceProvider services, ILogger<OverflowRouter> log)
{
    public const string QueueName = "overflow-router";
    public static Uri Address { get; } = new($"exchange:{QueueName}");

    private readonly Dictionary<string, (long Version, CentrePicture Picture)> _centres = new();
    private readonly Lock _lock = new();
    private WakeUp? _review;

    /// <summary>Keeps the newest picture of a centre; older or redelivered events are ignored.</summary>
    public void Observe(CentreLoadChanged load)
    {
        lock (_lock)
        {
            if (_centres.TryGetValue(load.Centre, out var known) && known.Version > load.Version) return;
            _centres[load.Centre] = (load.Version, new CentrePicture(
                load.Centre,
                load.Queue.Select(q => new WaitingContact(q.ContactId, q.HomeCentre, q.Priority, q.QueuedAt, q.Hops)).ToList(),
                load.FreeAgents.ToList()));
        }
    }

    /// <summary>
    /// Decides which contacts move now. The picture is updated as if the moves happened, so the same free
    /// agent is not promised again before the centres report back.
    /// </summary>
    public IReadOnlyList<Transfer> Decide()
    {
        lock (_lock)
        {
            var now = time.GetUtcNow();
            var pictures = _centres.Values.Select(c => c.Picture).ToList();
            var transfers = policy.Plan(pictures, now);
            foreach (var picture in policy.AfterTransfers(pictures, transfers))
                _centres[picture.Centre] = (_centres[picture.Centre].Version, picture);
            ArmReview(policy.NextThreshold(_centres.Values.Select(c => c.Picture).ToList(), now));
            return transfers;
        }
    }

    /// <summary>Looks again when the next waiting contact reaches its threshold, even if no centre reports anything.</summary>
    private void ArmReview(DateTimeOffset? at) => (_review ??= new WakeUp(time, Wake)).At(at);

    private async Task Wake()
    {
        try
        {
            var bus = (IBus)services.GetService(typeof(IBus))!;
            var endpoint = await bus.GetSendEndpoint(Address);
            await endpoint.Send(new ReviewOverflow { At = time.GetUtcNow() }, ctx => ctx.TimeToLive = TimeSpan.FromMinutes(1));
        }
        catch (Exception ex)
        {
            log.LogWarning(ex, "Could not wake the overflow router; the next load event will");
        }
    }
}

/// <summary>The overflow router's consumer: one message at a time on its own queue.</summary>
public sealed class OverflowRouterConsumer(OverflowRouter router, ILogger<OverflowRouterConsumer> log) :
    IConsumer<CentreLoadChanged>, IConsumer<ReviewOverflow>
{
    public Task Consume(ConsumeContext<CentreLoadChanged> context)
    {
        router.Observe(context.Message);
        return Act(context);
    }

    public Task Consume(ConsumeContext<ReviewOverflow> context) => Act(context);

    private async Task Act(ConsumeContext context)
    {
        foreach (var transfer in router.Decide())
        {
            log.LogInformation("Overflow: contact {ContactId} from {From} to {To}", transfer.ContactId, transfer.FromCentre, transfer.ToCentre);
            var endpoint = await context.GetSendEndpoint(CentreAddresses.For(transfer.FromCentre));
            await endpoint.Send(new TransferContact { Centre = transfer.FromCentre, ContactId = transfer.ContactId, ToCentre = transfer.ToCentre }, context.CancellationToken);
        }
    }
}

public sealed class OverflowRouterConsumerDefinition : ConsumerDefinition<OverflowRouterConsumer>
{
    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpoint, IConsumerConfigurator<OverflowRouterConsumer> consumer, IRegistrationContext context)
    {
        // One picture, one decision at a time.
        endpoint.ConcurrentMessageLimit = 1;
        endpoint.UseMessageRetry(r => r.Intervals(50, 200, 1000));
    }
}

/// <summary>On start the router has no picture: it asks every centre for its current load.</summary>
public sealed class OverflowRouterStartup(IBus bus, ILogger<OverflowRouterStartup> log) : IHostedService
{
    public async Task StartAsync(CancellationToken ct)
    {
        foreach (var centre in CentreCatalog.All)
        {
            var endpoint = await bus.GetSendEndpoint(CentreAddresses.For(centre));
            await endpoint.Send(new ReportLoad { Centre = centre }, ct);
        }
        log.LogInformation("Overflow router asked all centres for their load");
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}

public static class OverflowConfiguration
{
    /// <summary>
    /// Reads the "Overflow" section over the default ring. Built by hand because the configuration binder
    /// appends configured neighbours to the default list instead of replacing it.
    /// </summary>
    public static OverflowOptions Read(IConfiguration configuration)
    {
        var section = configuration.GetSection("Overflow");
        var defaults = new OverflowOptions();
        var centres = OverflowOptions.DefaultRing();
        foreach (var child in section.GetSection("Centres").GetChildren())
        {
            var known = centres.GetValueOrDefault(child.Key) ?? new CentreOverflowSettings();
            centres[child.Key] = new CentreOverflowSettings
            {
                Neighbours = child.GetSection("Neighbours").Get<List<string>>() ?? known.Neighbours,
                OverflowAfter = child.GetValue<TimeSpan?>("OverflowAfter") ?? known.OverflowAfter,
                OverflowAfterByPriority = child.GetSection("OverflowAfterByPriority").Get<Dictionary<int, TimeSpan>>() ?? known.OverflowAfterByPriority,
            };
        }
        if (section.GetValue<TimeSpan?>("OverflowAfter") is { } everywhere)
            foreach (var centre in centres.Keys.ToList())
                if (section.GetSection($"Centres:{centre}:OverflowAfter").Value is null)
                    centres[centre] = centres[centre] with { OverflowAfter = everywhere };
        return defaults with
        {
            Enabled = section.GetValue("Enabled", defaults.Enabled),
            MaxHops = section.GetValue("MaxHops", defaults.MaxHops),
            Centres = centres,
        };
    }
}
