using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using ContactRouter.Components;
using ContactRouter.Contracts;
using MassTransit;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ContactRouter.Tests;

/// <summary>User input in a log line is cut and escaped: a refused command that quotes a sent id can neither fill the log nor forge a line.</summary>
public sealed class When_a_refused_command_quotes_what_was_sent : IAsyncLifetime
{
    private readonly RouterFactory _router = new(RouterFactory.NewStorePath(), RouterFactory.NewClock());
    private readonly ConcurrentQueue<string> _lines = new();

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _router.DisposeAsync();

    [Fact]
    public async Task Should_log_it_cut_and_escaped()
    {
        var host = _router.WithWebHostBuilder(b => b.ConfigureLogging(l => l.AddProvider(new CapturingLoggerProvider(_lines))));
        var http = host.StaffClient();
        (await http.PutAgent("anna", "sociaal", new { sociaal = 5 })).EnsureSuccessStatusCode();
        var sent = "x\nINFO forged line " + new string('y', 5_000);
        // The API refuses such an id itself now (a contact id is at most 64 characters, text holds no control characters);
        // the worker's log is the second line of defence, for a command that reaches it some other way: put on the bus.
        await (await http.PostAsJsonAsync("/api/agents/anna/accept", new { contactId = sent })).ShouldBeProblem(HttpStatusCode.BadRequest, "contactId");
        _lines.Should().NotContain(l => l.Contains("refused:"), "nothing reached the worker");
        await (await host.Services.GetRequiredService<IBus>().GetSendEndpoint(CentreAddresses.For("sociaal")))
            .Send(new AcceptOffer { Centre = "sociaal", AgentId = "anna", ContactId = sent });

        var refusal = await Api.Eventually(() => Task.FromResult(_lines.FirstOrDefault(l => l.Contains("refused:"))), l => l is not null, "the worker to refuse it");
        refusal!.Should().Contain("x\\u000aINFO forged line").And.NotContain("\nINFO forged line");
        refusal.Length.Should().BeLessThan(1_500, "the 5,000 characters sent are cut");
    }
}
