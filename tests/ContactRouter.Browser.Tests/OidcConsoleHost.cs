using System.Net;
using System.Net.Sockets;
using ContactRouter.Tests;

namespace ContactRouter.Browser.Tests;

/// <summary>
/// A <see cref="ConsoleHost"/> that signs in with the municipality's identity provider: the real test provider
/// (<see cref="OidcProvider"/>). Each needs the other's address first (the provider registers the app's redirect URI,
/// the app is configured with the provider's issuer), so a free loopback port is picked for the app first, the
/// provider started with that redirect URI, and then the host started on that port with the provider's issuer.
/// </summary>
public sealed class OidcConsoleHost : IAsyncLifetime
{
    /// <summary>What the sign-in page's button names the provider.</summary>
    public const string DisplayName = "Testgemeente";

    public OidcProvider Provider { get; private set; } = null!;
    public ConsoleHost Host { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var port = FreeLoopbackPort();
        var app = new Uri($"http://127.0.0.1:{port}/");
        Provider = await OidcProvider.Start(app);
        Host = new ConsoleHost(port, new Dictionary<string, string?>
        {
            ["Security:Oidc:Authority"] = Provider.Authority,
            ["Security:Oidc:ClientId"] = OidcProvider.WebClient,
            ["Security:Oidc:ClientSecret"] = OidcProvider.WebSecret,
            ["Security:Oidc:Scopes"] = OidcProvider.Scopes,
            ["Security:Oidc:DisplayName"] = DisplayName,
        });
        await Host.InitializeAsync();
        // The redirect URI the provider knows is this address exactly (not "localhost").
        Host.BaseAddress.Should().Be(app);
    }

    /// <summary>A port nothing listens on right now (the OS's pick for port 0), free again for the host to take.</summary>
    private static int FreeLoopbackPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        finally
        {
            listener.Stop();
        }
    }

    public async Task DisposeAsync()
    {
        if (Host is not null) await Host.DisposeAsync();
        if (Provider is not null) await Provider.DisposeAsync();
    }
}
