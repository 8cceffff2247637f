using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
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
        (await http.PostAsJsonAsync("/api/agents/anna/accept", new { contactId = sent })).StatusCode.Should().Be(HttpStatusCode.Conflict);

        var refusal = _lines.Single(l => l.Contains("refused:"));
        refusal.Should().Contain("x\\u000aINFO forged line").And.NotContain("\nINFO forged line");
        refusal.Length.Should().BeLessThan(1_500, "the 5,000 characters sent are cut");
    }
}
