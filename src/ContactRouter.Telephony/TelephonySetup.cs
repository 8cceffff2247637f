using ContactRouter.Components;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ContactRouter.Telephony;

public static class TelephonySetup
{
    /// <summary>
    /// The telephony component, when Router:Telephony is true (off by default: the newcomer's run needs no Kamailio).
    /// After the bus: its event queue connects to the running bus.
    /// </summary>
    public static IHostApplicationBuilder AddTelephony(this IHostApplicationBuilder builder)
    {
        var hosting = builder.Configuration.GetSection(HostingOptions.Section).Get<HostingOptions>() ?? new HostingOptions();
        if (!hosting.Telephony) return builder;
        builder.Services.AddOptions<TelephonyOptions>().BindConfiguration(TelephonyOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<TelephonyOptions>, TelephonyOptionsValidation>();
        builder.Services.AddSingleton<FrontCommands>();
        builder.Services.AddSingleton<CallDesk>();
        builder.Services.AddSingleton<SipFront>();
        builder.Services.AddHostedService<RouterEventsConnection>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<SipFront>());
        return builder;
    }
}

/// <summary>Every problem of the telephony settings in one message at start, naming the setting.</summary>
public sealed class TelephonyOptionsValidation : IValidateOptions<TelephonyOptions>
{
    public ValidateOptionsResult Validate(string? name, TelephonyOptions options)
    {
        var problems = options.Problems().ToList();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
