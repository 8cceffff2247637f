using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace ContactRouter.Tests.OpenApi;

/// <summary>
/// On the real server (Kestrel), over a plain socket, what any client could send but HttpClient and the in-memory test
/// server do not: bodies of 30 MB, bodies in malformed chunks, a header sent empty.
/// </summary>
public sealed class When_requests_come_raw_over_the_wire(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Huge = 30 * 1024 * 1024;
    private const string Call = "{\"centre\":\"sociaal\",\"channel\":\"phone\",\"caller\":\"+31612345678\",\"topic\":\"";

    private readonly RouterFactory _host = new(RouterFactory.NewStorePath(), RouterFactory.NewClock());
    private Uri _server = null!;

    public Task InitializeAsync()
    {
        _host.UseKestrel(0);
        _host.StartServer();
        _server = new Uri(_host.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    /// <summary>
    /// A 30 MB JSON body is refused with 413 problem+json whether it declares its length or comes in chunks, a body in
    /// malformed chunks with 400 naming the body, and none of them changes the store. After twenty such bodies the host
    /// has not kept them: the memory the process holds before and after is printed (a figure, not a limit: the test
    /// process runs other hosts alongside).
    /// </summary>
    [Fact]
    public async Task Should_refuse_a_huge_body_or_malformed_chunks_with_a_problem_change_nothing_and_keep_no_memory()
    {
        var before = await StoreSnapshot.Settled(_host);

        // The first of each kind on its own, each answer checked in full.
        ShouldBeProblem(await Declared(Huge), 413);
        ShouldBeProblem(await Chunked(Huge), 413);
        ShouldBeProblem(await Send(Head(chunked: true), async (wire, ct) =>
            await wire.WriteAsync(Encoding.ASCII.GetBytes($"{Call.Length:x}\r\n{Call}\r\nZZ\r\nnot a chunk\r\n0\r\n\r\n"), ct)), 400);
        ShouldBeProblem(await Send(Head(chunked: true), async (wire, ct) =>
            await wire.WriteAsync(Encoding.ASCII.GetBytes($"5\r\n{Call}\r\n0\r\n\r\n"), ct)), 400);

        var (heapBefore, setBefore) = Memory();
        var statuses = new List<int>();
        for (var i = 0; i < 20; i++) statuses.Add((i % 2 == 0 ? await Declared(Huge) : await Chunked(Huge)).Status);
        var (heapAfter, setAfter) = Memory();
        Figures.Print(output, "Huge bodies", $"20 bodies of 30 MB (declared length and chunked) answered {string.Join(",", statuses.Distinct())}; " +
                                             $"managed heap {Mb(heapBefore)} → {Mb(heapAfter)} MB, working set {Mb(setBefore)} → {Mb(setAfter)} MB " +
                                             "(the whole test process, other hosts running alongside)");
        statuses.Should().OnlyContain(s => s == 413);

        var after = await StoreSnapshot.Settled(_host);
        before.ChangedRows(after).Should().BeEmpty("a refused body changes nothing");
    }

    /// <summary>The document says an Idempotency-Key is 1–100 characters: one sent empty is refused, not taken as none.</summary>
    [Fact]
    public async Task Should_refuse_an_idempotency_key_sent_empty()
    {
        var before = await StoreSnapshot.Settled(_host);
        var call = Encoding.UTF8.GetBytes(Call + "wmo\"}");
        var head = Head(chunked: false, length: call.Length).Replace("Content-Type:", "Idempotency-Key: \r\nContent-Type:");
        var answer = await Send(head, async (wire, ct) => await wire.WriteAsync(call, ct));
        answer.Status.Should().Be(400, answer.Body);
        ((string?)JsonNode.Parse(answer.Body)!["field"]).Should().Be("Idempotency-Key", answer.Body);
        (await StoreSnapshot.Settled(_host)).ChangedRows(before).Should().BeEmpty();
    }

    private Task<RawAnswer> Declared(int size) => Send(Head(chunked: false, length: size), async (wire, ct) =>
    {
        await wire.WriteAsync(Encoding.ASCII.GetBytes(Call), ct);
        await Padding(wire, size - Call.Length - 2, chunked: false, ct);
        await wire.WriteAsync("\"}"u8.ToArray(), ct);
    });

    private Task<RawAnswer> Chunked(int size) => Send(Head(chunked: true), async (wire, ct) =>
    {
        await wire.WriteAsync(Encoding.ASCII.GetBytes($"{Call.Length:x}\r\n{Call}\r\n"), ct);
        await Padding(wire, size, chunked: true, ct);
        await wire.WriteAsync("2\r\n\"}\r\n0\r\n\r\n"u8.ToArray(), ct);
    });

    /// <summary>'x' after 'x', 64 KiB at a time from one buffer: the test itself holds no 30 MB.</summary>
    private static async Task Padding(Stream wire, int count, bool chunked, CancellationToken ct)
    {
        var block = Encoding.ASCII.GetBytes(new string('x', 64 * 1024));
        for (var left = count; left > 0; left -= block.Length)
        {
            var n = Math.Min(left, block.Length);
            if (chunked) await wire.WriteAsync(Encoding.ASCII.GetBytes($"{n:x}\r\n"), ct);
            await wire.WriteAsync(block.AsMemory(0, n), ct);
            if (chunked) await wire.WriteAsync("\r\n"u8.ToArray(), ct);
        }
    }

    /// <summary>A call as the telephone exchange makes it (its API key: no session or antiforgery token needed).</summary>
    private string Head(bool chunked, long length = 0) =>
        $"POST /api/contacts HTTP/1.1\r\nHost: {_server.Authority}\r\nAuthorization: Bearer {TestSecrets.ExchangeKey}\r\nContent-Type: application/json\r\n" +
        (chunked ? "Transfer-Encoding: chunked\r\n" : $"Content-Length: {length}\r\n") + "\r\n";

    private sealed record RawAnswer(int Status, string? ContentType, string Body);

    /// <summary>Sends the head, writes the body while reading the answer (the server may answer before the body is all there), then hangs up.</summary>
    private async Task<RawAnswer> Send(string head, Func<Stream, CancellationToken, Task> body)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(_server.Host, _server.Port);
        var wire = tcp.GetStream();
        await wire.WriteAsync(Encoding.ASCII.GetBytes(head));
        using var stop = new CancellationTokenSource();
        var sending = Task.Run(async () =>
        {
            try { await body(wire, stop.Token); }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException) { }
        });
        var answer = await Read(wire);
        await stop.CancelAsync();
        tcp.Close();
        await sending;
        return answer;
    }

    /// <summary>An HTTP/1.1 answer: status line, headers, and a body of a declared length or in chunks.</summary>
    private static async Task<RawAnswer> Read(Stream wire)
    {
        var reader = new WireReader(wire);
        var status = int.Parse((await reader.Line()).Split(' ')[1], CultureInfo.InvariantCulture);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (var line = await reader.Line(); line.Length > 0; line = await reader.Line())
            headers[line[..line.IndexOf(':')]] = line[(line.IndexOf(':') + 1)..].Trim();
        var body = new MemoryStream();
        if (headers.TryGetValue("Content-Length", out var length)) await reader.Copy(body, int.Parse(length, CultureInfo.InvariantCulture));
        else if (headers.GetValueOrDefault("Transfer-Encoding") == "chunked")
            for (var size = Convert.ToInt32((await reader.Line()).Split(';')[0], 16); size > 0; size = Convert.ToInt32((await reader.Line()).Split(';')[0], 16))
            {
                await reader.Copy(body, size);
                await reader.Line();
            }
        return new RawAnswer(status, headers.GetValueOrDefault("Content-Type"), Encoding.UTF8.GetString(body.ToArray()));
    }

    private sealed class WireReader(Stream wire)
    {
        private readonly byte[] _buffer = new byte[8192];
        private int _start, _end;

        private async Task<bool> Fill()
        {
            if (_start < _end) return true;
            _start = 0;
            _end = await wire.ReadAsync(_buffer);
            return _end > 0;
        }

        public async Task<string> Line()
        {
            var line = new StringBuilder();
            while (await Fill())
            {
                var c = (char)_buffer[_start++];
                if (c == '\n') return line.ToString().TrimEnd('\r');
                line.Append(c);
            }
            return line.ToString();
        }

        public async Task Copy(Stream to, int count)
        {
            while (count > 0 && await Fill())
            {
                var n = Math.Min(count, _end - _start);
                to.Write(_buffer, _start, n);
                _start += n;
                count -= n;
            }
        }
    }

    private static void ShouldBeProblem(RawAnswer answer, int status)
    {
        answer.Status.Should().Be(status, answer.Body);
        answer.ContentType.Should().StartWith("application/problem+json", answer.Body);
        var problem = JsonNode.Parse(answer.Body)!;
        ((int?)problem["status"]).Should().Be(status, answer.Body);
        ((string?)problem["field"]).Should().Be("body", answer.Body);
    }

    private static (long Heap, long WorkingSet) Memory()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var process = Process.GetCurrentProcess();
        return (GC.GetTotalMemory(forceFullCollection: true), process.WorkingSet64);
    }

    private static string Mb(long bytes) => (bytes / 1024.0 / 1024.0).ToString("0", CultureInfo.InvariantCulture);
}
