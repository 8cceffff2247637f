using System.ComponentModel;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace ContactRouter.Tests;

/// <summary>
/// The test-only OpenID provider of tests/oidc-provider (the npm package oidc-provider, a real, certified provider) as
/// a node process on a free loopback port, its <c>contactrouter-web</c> client registered for the app at
/// <see cref="Start"/>'s address. Test users, clients and secrets: tests/oidc-provider/README.md. Disposing it kills
/// the process; so does the test process ending (the provider exits when its stdin closes).
/// </summary>
public sealed class OidcProvider : IAsyncDisposable
{
    public const string Install = "bash deploy/oidc-provider.sh install";
    public const string WebClient = "contactrouter-web";
    public const string WebSecret = "contactrouter-web-secret";
    public const string Scopes = "openid profile contactrouter";
    public const string ExchangeClient = "telephony-exchange";
    public const string ExchangeSecret = "telephony-exchange-secret";
    public const string ApiAudience = "contactrouter-api";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(20);

    private readonly Process _process;
    private readonly StringBuilder _stderr = new();

    private OidcProvider(Process process, Uri issuer)
    {
        _process = process;
        Issuer = issuer;
    }

    /// <summary>The issuer, also the authority (its metadata at /.well-known/openid-configuration).</summary>
    public Uri Issuer { get; private set; }

    /// <summary>The authority as a setting (no trailing slash: the tokens' "iss" has none).</summary>
    public string Authority => Issuer.GetLeftPart(UriPartial.Authority);

    /// <summary>What the provider wrote to stderr so far (its errors, and the OAuth errors it answered with).</summary>
    public string Log
    {
        get { lock (_stderr) return _stderr.ToString(); }
    }

    /// <summary>The repository's root: the folder above the test binaries that holds ContactRouter.sln.</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "ContactRouter.sln"))) return dir.FullName;
        throw new InvalidOperationException($"No ContactRouter.sln above {AppContext.BaseDirectory}.");
    }

    /// <summary>
    /// Starts the provider with <paramref name="app"/>'s <c>/signin-oidc</c> and <c>/signout-callback-oidc</c> as
    /// the web client's redirect URIs, and waits for its issuer line. Fails (never skips) when node or the provider's
    /// packages are missing.
    /// </summary>
    public static async Task<OidcProvider> Start(Uri app)
    {
        var folder = Path.Combine(RepositoryRoot(), "tests", "oidc-provider");
        if (!File.Exists(Path.Combine(folder, "node_modules", "oidc-provider", "package.json")))
            throw new InvalidOperationException($"The test OpenID provider is not installed ({folder}/node_modules/oidc-provider is missing): run `{Install}`.");
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = folder,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
                 {
                     Path.Combine(folder, "provider.mjs"), "--port", "0",
                     "--redirect-uri", new Uri(app, "/signin-oidc").ToString(),
                     "--post-logout-redirect-uri", new Uri(app, "/signout-callback-oidc").ToString(),
                 })
            start.ArgumentList.Add(arg);
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("node did not start.");
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException($"node is not installed ({e.Message}): run `{Install}`.", e);
        }

        var provider = new OidcProvider(process, null!);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (provider._stderr) provider._stderr.AppendLine(e.Data);
        };
        process.BeginErrorReadLine();
        // stdin stays open (redirected, never written): the provider exits when it closes.
        string? line;
        try
        {
            // Null when the provider exits first. (A pipe read is not reliably cancellable; WaitAsync gives up on it,
            // and killing the process below ends it.)
            line = await process.StandardOutput.ReadLineAsync().WaitAsync(StartTimeout);
        }
        catch (TimeoutException)
        {
            line = null;
        }
        if (line is null || !line.StartsWith("issuer=", StringComparison.Ordinal) || !Uri.TryCreate(line["issuer=".Length..], UriKind.Absolute, out var issuer))
        {
            var exited = process.HasExited ? $"exited with {process.ExitCode}" : $"gave no issuer line within {StartTimeout.TotalSeconds:0} s";
            await provider.DisposeAsync();
            throw new InvalidOperationException(
                $"The test OpenID provider {exited} (stdout: '{line}'). If its packages are missing or stale, run `{Install}`. Its stderr:\n{provider.Log}");
        }
        provider.Issuer = issuer;
        return provider;
    }

    /// <summary>The token endpoint, as the provider's discovery document names it.</summary>
    public async Task<Uri> TokenEndpoint()
    {
        using var http = new HttpClient();
        var discovery = JsonNode.Parse(await http.GetStringAsync(new Uri(Issuer, "/.well-known/openid-configuration")))!;
        return new Uri(discovery["token_endpoint"]!.GetValue<string>());
    }

    /// <summary>A client_credentials access token (a JWT) for a machine client, authenticated with client_secret_basic.</summary>
    public async Task<string> ClientCredentialsToken(string clientId = ExchangeClient, string secret = ExchangeSecret, string? scope = null)
    {
        using var http = new HttpClient();
        var form = new Dictionary<string, string> { ["grant_type"] = "client_credentials" };
        if (scope is not null) form["scope"] = scope;
        using var request = new HttpRequestMessage(HttpMethod.Post, await TokenEndpoint()) { Content = new FormUrlEncodedContent(form) };
        // RFC 6749 2.3.1: id and secret form-encoded, then Basic.
        var basic = $"{Uri.EscapeDataString(clientId)}:{Uri.EscapeDataString(secret)}";
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(basic)));
        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"The provider's token endpoint answered {(int)response.StatusCode}: {body}\n{Log}");
        return JsonNode.Parse(body)!["access_token"]!.GetValue<string>();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Gone already.
        }
        // Also reads stderr to its end, so that Log is complete.
        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}
