using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using ContactRouter.Tests;

namespace ContactRouter.Browser.Tests;

/// <summary>
/// The real host on real Kestrel on a free loopback port (its own SQLite file, in-memory bus), and Debian's
/// chromium driven by Playwright. The host runs at the wall clock's pace (the browser lives on it, and the
/// consoles count down against the server's clock event), shifted by <see cref="Clock"/> when a test needs a
/// working-day morning or an appointment to fall due. These tests assert what is shown, never how long something
/// took. Playwright's waits poll the page; nothing sleeps.
/// </summary>
public sealed class ConsoleHost : WebApplicationFactory<Program>, IAsyncLifetime
{
    /// <summary>Debian's chromium (apt package "chromium"); Playwright's own browser download cannot work here.</summary>
    public const string Chromium = "/usr/bin/chromium";

    private readonly string _store = Path.Combine(Path.GetTempPath(), "contactrouter-browser", $"{Guid.NewGuid():N}.db");
    private readonly int _port;
    private readonly IReadOnlyDictionary<string, string?> _settings;
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public ShiftedClock Clock { get; } = new();
    public Uri BaseAddress { get; private set; } = null!;
    public HttpClient Api { get; private set; } = null!;

    public ConsoleHost() : this(0, new Dictionary<string, string?>()) { }

    /// <summary>On loopback port <paramref name="port"/> (0: a free one), with <paramref name="settings"/> on top of the usual ones.</summary>
    internal ConsoleHost(int port, IReadOnlyDictionary<string, string?> settings)
    {
        _port = port;
        _settings = settings;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_store)!);
        builder.UseSetting("Store:Provider", "Sqlite");
        builder.UseSetting("Store:ConnectionString", $"Data Source={_store}");
        builder.UseSetting("Bus:Transport", "InMemory");
        // Long enough that a slow CI machine never sees an offer lapse between it appearing and the click.
        builder.UseSetting("Routing:OfferTimeout", "00:02:00");
        // A caller nobody at home can take moves to a neighbour after a second, so a test sees overflow without waiting 20 s.
        builder.UseSetting("Overflow:OverflowAfter", "00:00:01");
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        foreach (var (key, value) in ContactRouter.Tests.TestSecrets.Settings()) builder.UseSetting(key, value);
        foreach (var (key, value) in _settings) builder.UseSetting(key, value);
        builder.ConfigureTestServices(services =>
        {
            services.RemoveAll<TimeProvider>();
            services.AddSingleton<TimeProvider>(Clock);
        });
    }

    public async Task InitializeAsync()
    {
        UseKestrel(_port);
        StartServer();
        var addresses = Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses;
        BaseAddress = new Uri(addresses.First());
        // Each request by the account whose job it is (the exchange queues, the admin registers agents, ...).
        Api = SignedIn(null, out _);
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = Chromium,
            Headless = true,
            // Playwright adds --no-sandbox (root) and most quiet flags itself; QUIC and GPU are off for this closed, headless machine.
            Args = ["--disable-gpu", "--disable-quic"],
        });
    }

    /// <summary>
    /// A fresh browser tab at 1280×800, signed in as <paramref name="person"/> (signed in over the API, its session cookie
    /// handed to the browser; the sign-in page itself has its own tests), that saves a screenshot named after the test
    /// when it is disposed, pass or fail. Without a person the tab is signed out.
    /// </summary>
    public async Task<ConsolePage> Open(string path, string test, Person? person = null)
    {
        var context = await _browser!.NewContextAsync(new()
        {
            BaseURL = BaseAddress.ToString(),
            ViewportSize = new() { Width = 1280, Height = 800 },
            AcceptDownloads = true,
            Locale = "nl-NL",
        });
        if (person is not null)
        {
            (await SignedIn(person, out var handler).GetAsync("/api/me")).EnsureSuccessStatusCode();
            await context.AddCookiesAsync(handler.CookiesOf(person)!.GetAllCookies()
                .Select(c => new Cookie { Name = c.Name, Value = c.Value, Url = BaseAddress.ToString() }));
        }
        var page = await context.NewPageAsync();
        Directory.CreateDirectory(ConsolePage.ScreenshotFolder);
        var console = new ConsolePage(page, test);
        await page.GotoAsync(path);
        return console;
    }

    /// <summary>
    /// A client on the real Kestrel address signed in as <paramref name="person"/> (null: the account whose job each
    /// request is). Its socket handler keeps no cookies of its own: each account's session cookies stay with that account.
    /// </summary>
    internal HttpClient SignedIn(Person? person, out StaffHandler handler)
    {
        handler = new StaffHandler(Services, person) { InnerHandler = new SocketsHttpHandler { UseCookies = false } };
        return new HttpClient(handler) { BaseAddress = BaseAddress };
    }

    public async Task<JsonNode> Json(HttpResponseMessage response)
    {
        response.IsSuccessStatusCode.Should().BeTrue(await response.Content.ReadAsStringAsync());
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    public async Task<JsonNode> PutAgent(string id, string name, string centre, object skills) =>
        await Json(await Api.PutAsJsonAsync($"/api/agents/{id}", new { name, centre, skills }));

    /// <summary>An agent takes one contact through the API and completes it: history for the customer view.</summary>
    public async Task Handle(string agentId, string contactId, string outcome, string summary)
    {
        (await Api.PostAsJsonAsync($"/api/agents/{agentId}/accept", new { contactId })).EnsureSuccessStatusCode();
        (await Api.PostAsJsonAsync($"/api/contacts/{contactId}/complete", new { outcome, summary })).EnsureSuccessStatusCode();
    }

    public async Task<string> Call(string centre, string caller) =>
        (await Json(await Api.PostAsJsonAsync("/api/contacts", new { centre, channel = "phone", caller })))["contactId"]!.GetValue<string>();

    /// <summary>Who asked for which command, as the command ledger recorded it.</summary>
    public async Task<List<(string MessageType, string Requester)>> Requesters()
    {
        await using var scope = Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ContactRouter.Store.RouterDbContext>();
        var rows = await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.ToListAsync(db.AcceptedCommands.Select(c => new { c.MessageType, c.Requester }));
        return rows.Select(r => (r.MessageType, r.Requester)).ToList();
    }

    /// <summary>Waits for a consequence outside the page (a queued contact reaching its worker), checking every 50 ms.</summary>
    public async Task Until(Func<Task<bool>> done, string what)
    {
        var deadline = Environment.TickCount64 + 15_000;
        while (!await done())
        {
            if (Environment.TickCount64 > deadline) throw new Xunit.Sdk.XunitException($"Timed out waiting for {what}.");
            await Task.Delay(50);
        }
    }

    public new async Task DisposeAsync()
    {
        // The browser first: its open event streams end with it, so the host stops at once.
        if (_browser is not null) await _browser.DisposeAsync();
        _playwright?.Dispose();
        await base.DisposeAsync();
        try { File.Delete(_store); } catch (IOException) { }
    }
}

/// <summary>One tab; disposing it saves screenshots/{test}.png under the test output.</summary>
public sealed class ConsolePage(IPage page, string test) : IAsyncDisposable
{
    public static string ScreenshotFolder => Path.Combine(AppContext.BaseDirectory, "screenshots");

    public IPage Page { get; } = page;

    /// <summary>A screenshot of the whole page as it is now (the README's pictures are copies of these).</summary>
    public Task Snapshot(string name) => Page.ScreenshotAsync(new() { Path = Path.Combine(ScreenshotFolder, $"{name}.png"), FullPage = true });

    public async ValueTask DisposeAsync()
    {
        await Page.ScreenshotAsync(new() { Path = Path.Combine(ScreenshotFolder, $"{test}.png"), FullPage = true });
        await Page.Context.CloseAsync();
    }
}

/// <summary>The system clock, moved by <see cref="Offset"/>; its timers run at the real pace.</summary>
public sealed class ShiftedClock : TimeProvider
{
    private long _offsetTicks;

    public TimeSpan Offset
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));
        set => Interlocked.Exchange(ref _offsetTicks, value.Ticks);
    }

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + Offset;

    /// <summary>Moves the clock so that it now reads <paramref name="at"/>.</summary>
    public void Set(DateTimeOffset at) => Offset = at - System.GetUtcNow();
}
