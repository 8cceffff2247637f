using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using ContactRouter.Tests.Transport;

namespace ContactRouter.Tests.Drills;

/// <summary>
/// One real ContactRouter.Host process, started as an operator would (<c>dotnet ContactRouter.Host.dll</c> with settings
/// as command-line arguments), so a drill can SIGTERM it or kill -9 it: an in-process test host cannot be killed. Its
/// output is kept line by line with the drill clock's time; every process still running when the test ends is killed.
/// </summary>
public sealed class HostProcess : IAsyncDisposable
{
    private static readonly ConcurrentDictionary<int, Process> Running = new();
    private readonly Process _process;
    private readonly ConcurrentQueue<(TimeSpan At, string Line)> _output = new();
    private readonly DrillClock _clock;

    static HostProcess()
    {
        // A test run that ends abruptly (a crash, a cancelled run) leaves no router behind on the drill ports.
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            foreach (var process in Running.Values)
                try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        };
    }

    /// <summary>
    /// The host as the test project's build copied it (the test project references the host project), or the one in
    /// <c>CONTACTROUTER_HOST_DLL</c>: the benchmark runs the host as an operator publishes it (ReadyToRun, Release).
    /// </summary>
    public static string HostDll =>
        Environment.GetEnvironmentVariable("CONTACTROUTER_HOST_DLL") is { Length: > 0 } published
            ? published
            : Path.Combine(AppContext.BaseDirectory, "ContactRouter.Host.dll");

    /// <summary>The host project's folder: its appsettings.json (log levels, defaults) as <c>dotnet run --project</c> reads it.</summary>
    public static string ContentRoot => Path.Combine(DevelopmentSecrets.RepositoryRoot, "src", "ContactRouter.Host");

    private HostProcess(string name, int port, Process process, DrillClock clock)
    {
        Name = name;
        Port = port;
        Address = new Uri($"http://127.0.0.1:{port}");
        _process = process;
        _clock = clock;
    }

    public string Name { get; }
    public int Port { get; }
    public Uri Address { get; }
    public int Id => _process.Id;
    public bool HasExited => _process.HasExited;

    /// <summary>
    /// Starts the host in <paramref name="workingDirectory"/> (where a relative SQLite path such as the default
    /// <c>data/contactrouter.db</c> lands). <paramref name="settings"/> become <c>--Key value</c> arguments; secrets go
    /// into the environment (<c>Key__Sub</c>), as an automated install gives them, so they never show in a process list.
    /// </summary>
    public static HostProcess Start(
        string name, DrillClock clock, string workingDirectory, int port,
        IEnumerable<KeyValuePair<string, string>> settings, IEnumerable<KeyValuePair<string, string>> secrets)
    {
        Directory.CreateDirectory(workingDirectory);
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { HostDll, "--contentRoot", ContentRoot, "--Urls", $"http://127.0.0.1:{port}" }) start.ArgumentList.Add(argument);
        foreach (var (key, value) in settings)
        {
            start.ArgumentList.Add("--" + key);
            start.ArgumentList.Add(value);
        }
        foreach (var (key, value) in secrets) start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        // The drills measure the router, not a console logger that formats colours for a terminal nobody reads.
        start.Environment["DOTNET_CONSOLE_ANSI_COLOR"] = "false";
        start.Environment["Logging__Console__DisableColors"] = "true";
        start.Environment.Remove("ASPNETCORE_ENVIRONMENT");
        start.Environment.Remove("DOTNET_ENVIRONMENT");
        // Not the test run's figures file or OTLP exporter: a host process is the product, not a test.
        start.Environment.Remove("OTEL_EXPORTER_OTLP_ENDPOINT");

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var host = new HostProcess(name, port, process, clock);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) host._output.Enqueue((clock.Now, e.Data)); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) host._output.Enqueue((clock.Now, "stderr: " + e.Data)); };
        if (!process.Start()) throw new InvalidOperationException($"Could not start {name}: dotnet {string.Join(' ', start.ArgumentList)}");
        Running[process.Id] = process;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return host;
    }

    /// <summary>Waits until <c>/health</c> answers 200 (store reachable, bus endpoints up); fails if the process ends first.</summary>
    public async Task WaitHealthy(TimeSpan limit)
    {
        using var http = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(5) };
        using var poll = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
        var deadline = _clock.Now + limit;
        string last = "no answer";
        while (true)
        {
            if (_process.HasExited)
                throw new Xunit.Sdk.XunitException($"{Name} ended with exit code {_process.ExitCode} before it was healthy:\n{Tail(40)}");
            try
            {
                using var answer = await http.GetAsync("/health");
                if (answer.StatusCode == HttpStatusCode.OK) return;
                last = $"{(int)answer.StatusCode} {await answer.Content.ReadAsStringAsync()}";
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                last = ex.Message;
            }
            if (_clock.Now > deadline)
                throw new Xunit.Sdk.XunitException($"{Name} was not healthy within {limit.TotalSeconds:0} s (last: {last}):\n{Tail(40)}");
            await poll.WaitForNextTickAsync();
        }
    }

    /// <summary>SIGTERM, as systemd or Kubernetes stop a service, and waits for the process to end.</summary>
    public async Task Terminate(TimeSpan limit)
    {
        if (_process.HasExited) return;
        if (Signal(_process.Id, 15) != 0) throw new InvalidOperationException($"kill -TERM {_process.Id} failed: errno {Marshal.GetLastPInvokeError()}");
        using var wait = new CancellationTokenSource(limit);
        try
        {
            await _process.WaitForExitAsync(wait.Token);
        }
        catch (OperationCanceledException)
        {
            throw new Xunit.Sdk.XunitException($"{Name} did not end within {limit.TotalSeconds:0} s of SIGTERM:\n{Tail(40)}");
        }
    }

    /// <summary>kill -9: no shutdown hook runs, nothing is flushed, open transactions are cut off.</summary>
    public async Task Kill()
    {
        if (_process.HasExited) return;
        if (Signal(_process.Id, 9) != 0) throw new InvalidOperationException($"kill -9 {_process.Id} failed: errno {Marshal.GetLastPInvokeError()}");
        await _process.WaitForExitAsync();
    }

    /// <summary>Whether a line of the output contains <paramref name="text"/>; with the first such line's time.</summary>
    public TimeSpan? Said(string text, TimeSpan? since = null) =>
        _output.Where(o => o.At >= (since ?? TimeSpan.Zero) && o.Line.Contains(text, StringComparison.Ordinal)).Select(o => (TimeSpan?)o.At).FirstOrDefault();

    /// <summary>The output's last lines (for a failure message or the test's output).</summary>
    public string Tail(int lines) =>
        string.Join('\n', _output.TakeLast(lines).Select(o => $"  [{Name} {o.At.TotalSeconds,7:0.00}] {o.Line}"));

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }
        catch (InvalidOperationException)
        {
            // It ended meanwhile.
        }
        Running.TryRemove(_process.Id, out _);
        _process.Dispose();
    }

    /// <summary>A port nothing listens on now (the kernel's choice), for a host's <c>--Urls</c>.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Signal(int pid, int signal);
}

/// <summary>The drill's own clock: seconds since the drill began, for every timestamp a drill compares.</summary>
public sealed class DrillClock
{
    private readonly long _start = Stopwatch.GetTimestamp();
    private readonly DateTimeOffset _startedAt = DateTimeOffset.UtcNow;

    public TimeSpan Now => Stopwatch.GetElapsedTime(_start);

    /// <summary>The wall-clock time of a drill moment: the router stamps contacts with the same machine's clock.</summary>
    public DateTimeOffset WallAt(TimeSpan at) => _startedAt + at;

    /// <summary>The drill moment of a wall-clock time the router wrote.</summary>
    public TimeSpan At(DateTimeOffset wall) => wall - _startedAt;
}
