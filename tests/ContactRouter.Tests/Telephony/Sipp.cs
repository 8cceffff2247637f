using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace ContactRouter.Tests.Telephony;

/// <summary>
/// Runs Debian's sipp (sip-tester) against the project's Kamailio (deploy/kamailio.sh, 127.0.0.1:5070) with the
/// scenarios in Telephony/sipp: callers and agents' phones. Each run gets free ports and a working directory of its own
/// (sipp writes its error and timing files there), and a global timeout so none outlives a test.
/// </summary>
public sealed class Sipp : IAsyncDisposable
{
    /// <summary>The SIP front's port: CONTACTROUTER_SIP_PORT as deploy/kamailio.sh reads it (5070 when unset); evapi is the next one.</summary>
    public static readonly int Port = int.TryParse(Environment.GetEnvironmentVariable("CONTACTROUTER_SIP_PORT"), out var port) ? port : 5070;
    public static readonly string Front = $"127.0.0.1:{Port}";
    private static readonly string Scenarios = Path.Combine(AppContext.BaseDirectory, "Telephony", "sipp");

    private readonly Process _process;
    private readonly Task _drained;

    private Sipp(Process process, string directory, string scenario)
    {
        _process = process;
        Directory = directory;
        Scenario = scenario;
        // sipp paints its screen on stdout; nobody reads it, but a full pipe would stop it.
        _drained = Task.WhenAll(process.StandardOutput.ReadToEndAsync(), process.StandardError.ReadToEndAsync());
    }

    public string Directory { get; }
    public string Scenario { get; }
    public int Pid => _process.Id;

    /// <summary>Starts sipp with a scenario file of Telephony/sipp and the arguments given (keys, -m, -d, ...).</summary>
    public static Sipp Start(string scenario, params string[] arguments) => StartOn(scenario, FreePort(), arguments);

    /// <summary>As <see cref="Start"/>, for a long run: sipp quits (failing) after <paramref name="timeoutSeconds"/>, not 120 s.</summary>
    public static Sipp StartFor(int timeoutSeconds, string scenario, params string[] arguments) =>
        StartOn(scenario, FreePort(), arguments, timeoutSeconds);

    /// <summary>As <see cref="Start"/>, with SIP on <paramref name="port"/> (a phone: its registration names the port).</summary>
    public static Sipp StartOn(string scenario, int port, params string[] arguments) => StartOn(scenario, port, arguments, 120);

    private static Sipp StartOn(string scenario, int port, string[] arguments, int timeoutSeconds)
    {
        var directory = Path.Combine(Path.GetTempPath(), "contactrouter-sipp", Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(directory);
        var info = new ProcessStartInfo("sipp")
        {
            WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "-sf", Path.Combine(Scenarios, scenario + ".xml") }) info.ArgumentList.Add(a);
        foreach (var a in arguments) info.ArgumentList.Add(a);
        // Own ports (SIP and media: sipp binds four media ports from -mp), errors to a file, and an end in any case.
        foreach (var a in new[] { "-i", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture),
                     "-mp", FreePort().ToString(CultureInfo.InvariantCulture), "-trace_err", "-timeout", $"{timeoutSeconds}s", "-timeout_error", "-nostdin", Front })
            info.ArgumentList.Add(a);
        var process = Process.Start(info) ?? throw new InvalidOperationException("sipp did not start (is sip-tester installed? deploy/kamailio.sh start installs it)");
        return new Sipp(process, directory, scenario);
    }

    /// <summary>Waits until sipp ends; its exit code (0: every call as the scenario says; 1: some failed).</summary>
    public async Task<int> Exit(int timeoutMs = 60_000)
    {
        using var timeout = new CancellationTokenSource(timeoutMs);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            throw new Xunit.Sdk.XunitException($"sipp {Scenario} did not end within {timeoutMs} ms. {Errors()}");
        }
        await _drained;
        return _process.ExitCode;
    }

    /// <summary>Waits until sipp ends and fails the test with sipp's own error log unless every call went as scripted.</summary>
    public async Task Succeeded(int timeoutMs = 60_000)
    {
        var code = await Exit(timeoutMs);
        code.Should().Be(0, $"sipp {Scenario} should have played its scenario through. {Errors()}");
    }

    public bool HasExited => _process.HasExited;

    /// <summary>What sipp logged as errors (unexpected messages, timeouts).</summary>
    public string Errors()
    {
        var files = System.IO.Directory.GetFiles(Directory, "*_errors.log");
        return files.Length == 0 ? "(no sipp errors logged)" : string.Join("\n", files.Select(File.ReadAllText));
    }

    /// <summary>Calls sipp aborted (a message its script did not expect), by their Call-IDs in its error log.</summary>
    public int FailedCalls() => System.IO.Directory.GetFiles(Directory, "*_errors.log")
        .SelectMany(file => System.Text.RegularExpressions.Regex.Matches(File.ReadAllText(file),
            @"Aborting call on unexpected message for Call-Id '([^']+)'|Dead call (\S+) \(aborted"))
        .Select(m => m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value).Distinct().Count();

    /// <summary>Whether sipp has sent or received a message holding <paramref name="text"/> (a phone: run with -trace_msg).</summary>
    public bool Logged(string text)
    {
        var file = System.IO.Directory.GetFiles(Directory, "*_messages.log").SingleOrDefault();
        if (file is null) return false;
        using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        return new StreamReader(stream).ReadToEnd().Contains(text, StringComparison.Ordinal);
    }

    /// <summary>How often a message holding <paramref name="text"/> was sent or received (run with -trace_msg).</summary>
    public int Count(string text)
    {
        var file = System.IO.Directory.GetFiles(Directory, "*_messages.log").SingleOrDefault();
        if (file is null) return 0;
        using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var all = new StreamReader(stream).ReadToEnd();
        var count = 0;
        for (var at = all.IndexOf(text, StringComparison.Ordinal); at >= 0; at = all.IndexOf(text, at + text.Length, StringComparison.Ordinal)) count++;
        return count;
    }

    /// <summary>A phone's: whether it has rung (sent its 180).</summary>
    public bool Ringing() => Logged("SIP/2.0 180 Ringing");

    /// <summary>The response-time durations sipp measured (-trace_rtt), in milliseconds, per call.</summary>
    public IReadOnlyList<double> ResponseTimes()
    {
        var file = System.IO.Directory.GetFiles(Directory, "*_rtt.csv").SingleOrDefault();
        if (file is null) return [];
        return File.ReadLines(file).Skip(1).Select(line => line.Split(';'))
            .Where(cols => cols.Length >= 2 && double.TryParse(cols[1], NumberStyles.Float, CultureInfo.InvariantCulture, out _))
            .Select(cols => double.Parse(cols[1], NumberStyles.Float, CultureInfo.InvariantCulture)).ToList();
    }

    private bool _disposed;

    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        _disposed = true;
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
        await _drained;
        _process.Dispose();
        // CONTACTROUTER_KEEP_SIPP=1 keeps each sipp's message and error logs in /tmp/contactrouter-sipp, to read a failed run.
        if (Environment.GetEnvironmentVariable("CONTACTROUTER_KEEP_SIPP") is null) try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { }
    }

    /// <summary>A port nobody on this machine uses now (UDP and TCP), from the system's ephemeral range.</summary>
    public static int FreePort()
    {
        while (true)
        {
            using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            udp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            var port = ((IPEndPoint)udp.LocalEndPoint!).Port;
            // sipp's media takes four ports from -mp; a port near the top of the range has no room.
            if (port > 65000) continue;
            return port;
        }
    }
}

/// <summary>
/// An agent's phone: a sipp process playing a phone scenario (answers, declines, rings until cancelled) on a port of its
/// own, registered at the front as the agent (the SIP account is the agent id). Disposing unregisters it (Expires: 0)
/// before the process ends, so no registration outlives the test and rings a phone that is gone.
/// </summary>
public sealed class Phone : IAsyncDisposable
{
    private readonly int _port;
    private bool _registered;

    private Phone(string agentId, Sipp process, int port)
    {
        AgentId = agentId;
        Process = process;
        _port = port;
    }

    public string AgentId { get; }
    public Sipp Process { get; }

    /// <summary>Starts the phone and registers it; returns once the front has said 200 to the REGISTER.</summary>
    /// <param name="behaviour">phone_answers, phone_declines or phone_rings_until_cancelled.</param>
    /// <param name="calls">How many calls it takes before it ends.</param>
    /// <param name="ringMs">How long it rings before it is picked up or declined.</param>
    public static async Task<Phone> Register(string agentId, string behaviour, int calls = 1, int ringMs = 300)
    {
        var port = Sipp.FreePort();
        // -deadcall_wait: a caller offered to this agent again rings the phone again, as a desk phone does. sipp keeps a
        // finished call's Call-ID for 33 s by default and drops every new INVITE with it unanswered ("dead call"): a
        // caller re-offered to a phone that had declined or ignored them then rang nowhere until the offer ran out,
        // again and again, which is what kept the load run's callers waiting.
        var process = SippOnPort(behaviour, port, "-m", calls.ToString(CultureInfo.InvariantCulture), "-d", ringMs.ToString(CultureInfo.InvariantCulture),
            "-deadcall_wait", "100", "-trace_msg");
        var phone = new Phone(agentId, process, port);
        await phone.Registration(expires: 300);
        phone._registered = true;
        return phone;
    }

    /// <summary>Takes the phone's registration away (as a phone switched off says), leaving the process running.</summary>
    public async Task Unregister()
    {
        await Registration(expires: 0);
        _registered = false;
    }

    private async Task Registration(int expires)
    {
        await using var register = Sipp.Start("register", "-m", "1", "-key", "agent", AgentId,
            "-key", "phone_port", _port.ToString(CultureInfo.InvariantCulture), "-key", "expires", expires.ToString(CultureInfo.InvariantCulture));
        await register.Succeeded(20_000);
    }

    public async ValueTask DisposeAsync()
    {
        if (_registered) await Registration(expires: 0);
        _registered = false;
        await Process.DisposeAsync();
    }

    /// <summary>sipp with the phone's own SIP port (the one its registration names).</summary>
    private static Sipp SippOnPort(string scenario, int port, params string[] arguments) =>
        Sipp.StartOn(scenario, port, arguments);
}
