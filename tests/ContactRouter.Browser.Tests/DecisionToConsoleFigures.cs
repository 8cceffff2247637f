using System.Diagnostics;
using System.Net;
using ContactRouter.Tests;
using Xunit.Abstractions;

namespace ContactRouter.Browser.Tests;

/// <summary>A host that lets one team lead hold many streams, to stand in for many consoles.</summary>
public sealed class ManyStreamsHost : IAsyncLifetime
{
    public static int Consoles => int.TryParse(Environment.GetEnvironmentVariable("CONTACTROUTER_CONSOLES"), out var n) && n > 0 ? n : 50;

    public ConsoleHost Host { get; } = new(0, new Dictionary<string, string?>
    {
        ["Security:MaxStreamsPerUser"] = (Consoles + 10).ToString(System.Globalization.CultureInfo.InvariantCulture),
    });

    public Task InitializeAsync() => Host.InitializeAsync();
    public Task DisposeAsync() => Host.DisposeAsync();
}

/// <summary>
/// Decision→console latency with many open streams on real Kestrel: each stream's view carries, as its SSE id, when
/// the centre decided the change; the figure is the receive time minus that id, over every stream and change. Prints
/// figures (CONTACTROUTER_CONSOLES streams, default 50) with the load average; asserts only that every stream saw
/// every change.
/// </summary>
public sealed class When_many_consoles_watch_the_centres(ManyStreamsHost fixture, ITestOutputHelper output) : IClassFixture<ManyStreamsHost>
{
    private const int Changes = 20;

    [Fact]
    public async Task Should_push_every_change_to_every_console_and_print_decision_to_console_latency()
    {
        var host = fixture.Host;
        var consoles = ManyStreamsHost.Consoles;
        var person = Person.TeamLead();
        (await host.SignedIn(person, out var staff).GetAsync("/api/me")).EnsureSuccessStatusCode();
        var cookies = staff.CookiesOf(person)!.GetCookieHeader(host.BaseAddress);
        // One connection per stream, as browsers would hold them.
        var handler = new SocketsHttpHandler { MaxConnectionsPerServer = consoles + 10, UseCookies = false };
        using var cancel = new CancellationTokenSource();
        var latencies = new List<double>();
        var seen = new int[consoles];
        var readers = new List<Task>();
        using var client = new HttpClient(handler) { BaseAddress = host.BaseAddress, Timeout = Timeout.InfiniteTimeSpan };
        var waiting = 0;
        for (var i = 0; i < consoles; i++)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, "/api/centres/stream");
            request.Headers.Add("Cookie", cookies);
            var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancel.Token);
            response.StatusCode.Should().Be(HttpStatusCode.OK);
            var index = i;
            readers.Add(Task.Run(async () =>
            {
                using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancel.Token));
                string? name = null, id = null;
                try
                {
                    while (await reader.ReadLineAsync(cancel.Token) is { } line)
                    {
                        if (line.StartsWith("event: ", StringComparison.Ordinal)) name = line[7..];
                        else if (line.StartsWith("id: ", StringComparison.Ordinal)) id = line[4..];
                        else if (line.Length == 0)
                        {
                            if (name == "centres" && id is not null && Volatile.Read(ref waiting) > 0)
                            {
                                var ms = (host.Clock.GetUtcNow() - DateTimeOffset.Parse(id, System.Globalization.CultureInfo.InvariantCulture)).TotalMilliseconds;
                                lock (latencies) latencies.Add(ms);
                                Interlocked.Increment(ref seen[index]);
                            }
                            (name, id) = (null, null);
                        }
                    }
                }
                catch (OperationCanceledException)
                {
                }
                response.Dispose();
            }));
        }

        var watch = Stopwatch.StartNew();
        for (var change = 1; change <= Changes; change++)
        {
            Volatile.Write(ref waiting, 1);
            await host.Call("burgerzaken", $"+3161100{change:D4}");
            var expected = change;
            await host.Until(() => Task.FromResult(Enumerable.Range(0, consoles).All(i => Volatile.Read(ref seen[i]) >= expected)), $"all {consoles} streams to see change {change}");
        }
        watch.Stop();
        await cancel.CancelAsync();
        await Task.WhenAll(readers);

        latencies.Sort();
        double P(double q) => latencies[Math.Min(latencies.Count - 1, (int)Math.Ceiling(q * latencies.Count) - 1)];
        Figures.Print(output, "decision→console", FormattableString.Invariant(
            $"{consoles} streams, {Changes} changes, {latencies.Count} views: p50 {P(0.5):F1} ms, p99 {P(0.99):F1} ms, max {latencies[^1]:F1} ms; {Changes / watch.Elapsed.TotalSeconds:F1} changes/s end to end"));
        seen.Should().OnlyContain(s => s >= Changes);
    }
}
