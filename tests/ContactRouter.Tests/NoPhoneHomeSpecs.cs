using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ContactRouter.Tests;

/// <summary>Nothing phones home: MassTransit's usage telemetry, which reports to its makers after a few minutes, is off.</summary>
public sealed class When_the_router_runs : RouterSpec
{
    [Fact]
    public void Should_not_report_usage_to_anyone()
    {
        _router.Services.GetRequiredService<IOptions<UsageTelemetryOptions>>().Value.Enabled.Should().BeFalse();
    }
}
