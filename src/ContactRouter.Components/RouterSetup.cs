using ContactRouter.Routing;
using ContactRouter.Routing.Callbacks;
using ContactRouter.Store;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ContactRouter.Components;

public static class RouterSetup
{
    /// <summary>Registers the store, the bus and the centre workers this process hosts (see <see cref="HostingOptions"/>).</summary>
    public static IHostApplicationBuilder AddContactRouter(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<RoutingOptions>().BindConfiguration("Routing")
            .Validate(o => o.OfferTimeout > TimeSpan.Zero && o.WrapUp >= TimeSpan.Zero && o.ServiceLevelTarget > TimeSpan.Zero
                           && o.AbandonGrace >= TimeSpan.Zero && o.AbandonGrace <= TimeSpan.FromMinutes(1)
                           && o.MinimumSkillLevel is >= RoutingOptions.MinSkill and <= RoutingOptions.MaxSkill
                           && TimeZoneInfo.TryFindSystemTimeZoneById(o.TimeZone, out _),
                "Routing options: timeouts must be positive, AbandonGrace 0–60 s, MinimumSkillLevel 1–5, TimeZone a known zone.")
            .ValidateOnStart();
        services.AddOptions<HostingOptions>().BindConfiguration(HostingOptions.Section)
            .Validate(o => o.CentreIds.All(CentreCatalog.IsKnown), $"Router:Centres must be all, none or ids of {string.Join(", ", CentreCatalog.All)}.")
            .Validate(o => o.ConsoleGrace >= TimeSpan.FromSeconds(1) && o.ConsoleGrace <= TimeSpan.FromHours(1),
                "Router:ConsoleGrace must be between 00:00:01 and 01:00:00.")
            .Validate(o => o.CentresRefresh >= TimeSpan.Zero && o.CentresRefresh <= TimeSpan.FromSeconds(10),
                "Router:CentresRefresh must be between 00:00:00 and 00:00:10.")
            .ValidateOnStart();
        services.AddOptions<BusOptions>().BindConfiguration(BusOptions.Section)
            .Validate(o => o.ReconnectInterval >= TimeSpan.FromMilliseconds(100) && o.ReconnectInterval <= TimeSpan.FromMinutes(1),
                "Bus:ReconnectInterval must be between 00:00:00.1 and 00:01:00.")
            .ValidateOnStart();
        services.AddOptions<StoreOptions>().BindConfiguration(StoreOptions.Section)
            .Validate(o => o.WarmConnections is >= 0 and <= 100, "Store:WarmConnections must be between 0 and 100.")
            .ValidateOnStart();
        services.AddSingleton(TimeProvider.System);

        // The store first: hosted services start in registration order, and the workers need the schema.
        var store = builder.Configuration.GetSection(StoreOptions.Section).Get<StoreOptions>() ?? new StoreOptions();
        RouterStore.CheckConnectionString(store.Provider, store.EffectiveConnectionString);
        services.AddRouterStore(store.Provider, store.EffectiveConnectionString);
        services.AddHostedService<StoreInitializer>();
        services.AddHealthChecks().AddDbContextCheck<RouterDbContext>("store", tags: ["ready"]);

        var bus = builder.Configuration.GetSection(BusOptions.Section).Get<BusOptions>() ?? new BusOptions();
        var hosting = builder.Configuration.GetSection(HostingOptions.Section).Get<HostingOptions>() ?? new HostingOptions();
        if (bus.Transport == BusTransport.RabbitMq)
            services.AddHostedService<CentreQueueDeclarer>();

        var routing = builder.Configuration.GetSection("Routing").Get<RoutingOptions>() ?? new RoutingOptions();
        var overflow = OverflowConfiguration.Read(builder.Configuration);
        var problems = overflow.Problems(routing.ServiceLevelTarget).ToList();
        if (problems.Count > 0) throw new InvalidOperationException("Overflow settings: " + string.Join(" ", problems));
        services.AddSingleton(Microsoft.Extensions.Options.Options.Create(overflow));
        services.AddSingleton(sp => new OverflowPolicy(overflow, sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<RoutingOptions>>().Value));
        services.AddSingleton<OverflowRouter>();

        // Callback appointments. Defaults: Mon–Fri 08:30–17:00, 4 per 15-minute slot; per centre under
        // Callbacks:Centres:<id> (dictionaries bind by key, so a setting changes only what it names).
        var callbackOptions = builder.Configuration.GetSection("Callbacks").Get<CallbackOptions>() ?? new CallbackOptions();
        var callbackProblems = callbackOptions.Problems().ToList();
        if (callbackProblems.Count > 0) throw new InvalidOperationException("Callback settings: " + string.Join(" ", callbackProblems));
        services.AddSingleton(callbackOptions);
        services.AddSingleton(new CallbackCalendar(callbackOptions, overflow));
        services.AddSingleton<CallbackAttempts>();
        services.AddScoped<CallbackBooking>();

        services.AddSingleton<CentreStates>();
        services.AddSingleton<DeadlineAlarm>();
        // Wall-clock on purpose, like the consoles' pace: how long MassTransit takes to start a delivery's task, or the
        // broker to confirm a batch's events, is about a real process, not routing time. On a test's virtual clock a
        // delivery that never reached the consumer (one in flight when a broker node died), or a confirm that never
        // comes, would hold every later command of the centre for ever.
        services.AddSingleton(sp => ActivatorUtilities.CreateInstance<CentreBatcher>(sp, TimeProvider.System));
        services.AddSingleton(sp => ActivatorUtilities.CreateInstance<DeliveryOrder>(sp, TimeProvider.System));
        services.AddScoped<CentreWorker>();
        services.AddScoped<OutboxPublisher>();
        services.AddScoped<CommandLedger>();
        services.AddSingleton<CommandRelaySignal>();
        if (hosting.CentreIds.Count > 0)
            services.AddHostedService<CentreHeartbeat>();

        // The host starts serving only once the bus and its endpoints are up.
        services.Configure<MassTransitHostOptions>(o =>
        {
            o.WaitUntilStarted = true;
            o.StartTimeout = TimeSpan.FromSeconds(60);
            o.StopTimeout = TimeSpan.FromSeconds(30);
        });
        services.AddMassTransit(x =>
        {
            // A municipality's router does not phone home: MassTransit's usage report to its makers stays off.
            x.DisableUsageTelemetry();
            x.SetKebabCaseEndpointNameFormatter();
            x.AddConsumer<CentreCommandConsumer, CentreCommandConsumerDefinition>().ExcludeFromConfigureEndpoints();
            x.AddConsumer<OverflowRouterConsumer, OverflowRouterConsumerDefinition>().ExcludeFromConfigureEndpoints();
            x.AddConsumer<CustomerViewConsumer, CustomerViewConsumerDefinition>().ExcludeFromConfigureEndpoints();
            x.AddConsumer<CallbackConsumer, CallbackConsumerDefinition>().ExcludeFromConfigureEndpoints();

            // Every endpoint this process hosts. On RabbitMQ each one gets a centre's guarantees: a quorum queue,
            // one active consumer with a standby waiting, and poison messages parked after the delivery limit.
            // A centre has two queues (CentreAddresses.AgentQueueName): both feed the same worker, one command at a time.
            var endpoints = hosting.CentreIds.SelectMany(CentreAddresses.QueueNames)
                .Select(queue => Endpoint(queue, (e, c) => e.ConfigureConsumer<CentreCommandConsumer>(c)))
                .ToList();
            if (hosting.Overflow) endpoints.Add(Endpoint(OverflowRouter.QueueName, (e, c) => e.ConfigureConsumer<OverflowRouterConsumer>(c)));
            if (hosting.CustomerView) endpoints.Add(Endpoint(CustomerViewConsumer.QueueName, (e, c) => e.ConfigureConsumer<CustomerViewConsumer>(c)));
            if (hosting.Callbacks) endpoints.Add(Endpoint(CallbackConsumer.QueueName, (e, c) => e.ConfigureConsumer<CallbackConsumer>(c)));

            if (bus.Transport == BusTransport.RabbitMq)
                x.UsingRabbitMq((context, cfg) =>
                {
                    bus.ConfigureHost(cfg); // host, user, password (Bus:Password or Bus:PasswordFile), TLS
                    foreach (var (queue, configure) in endpoints)
                        cfg.ReceiveEndpoint(queue, e =>
                        {
                            CentreQueueTopology.Configure(e, bus);
                            configure(e, context);
                        });
                    cfg.ConfigureEndpoints(context);
                });
            else
                x.UsingInMemory((context, cfg) =>
                {
                    foreach (var (queue, configure) in endpoints)
                        cfg.ReceiveEndpoint(queue, e => configure(e, context));
                    cfg.ConfigureEndpoints(context);
                });
        });
        services.AddHostedService<BusEndpointWarmup>();
        // After the bus: MassTransit's hosted service has started it by the time these run, and on the in-memory bus the
        // relays deliver what the previous run left before the host serves anyone.
        services.AddHostedService<CommandRelay>();
        services.AddHostedService<OutboxRelay>();
        // After the bus, so it stops before the bus and the store: its last round marks what was published until then.
        services.AddSingleton<OutboxCleanup>();
        services.AddHostedService(sp => sp.GetRequiredService<OutboxCleanup>());
        if (hosting.Overflow)
            services.AddHostedService<OverflowRouterStartup>();
        if (hosting.Callbacks)
            services.AddHostedService<CallbackScheduler>();
        return builder;
    }

    private static (string Queue, Action<IReceiveEndpointConfigurator, IRegistrationContext> Configure) Endpoint(
        string queue, Action<IReceiveEndpointConfigurator, IRegistrationContext> configure) => (queue, configure);
}
