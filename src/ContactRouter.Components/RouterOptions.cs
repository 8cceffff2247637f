using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using ContactRouter.Routing;
using ContactRouter.Store;
using MassTransit;
using RabbitMQ.Client;

namespace ContactRouter.Components;

/// <summary>What this process runs. The all-in-one host runs every centre and the API; a deployment splits them.</summary>
public sealed class HostingOptions
{
    public const string Section = "Router";

    /// <summary>Centres whose workers run in this process: "all", "none", or ids separated by commas.</summary>
    public string Centres { get; set; } = "all";

    /// <summary>Whether this process serves the HTTP API and consoles.</summary>
    public bool Api { get; set; } = true;

    /// <summary>Whether this process runs the overflow router (one active instance; more wait as standby).</summary>
    public bool Overflow { get; set; } = true;

    /// <summary>Whether this process builds the shared customer view from the centres' events.</summary>
    public bool CustomerView { get; set; } = true;

    /// <summary>Whether this process runs the callback scheduler and follows callback calls.</summary>
    public bool Callbacks { get; set; } = true;

    public IReadOnlyList<string> CentreIds => Centres.Trim().ToLowerInvariant() switch
    {
        "all" => CentreCatalog.All,
        "none" or "" => [],
        var list => list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
    };

    /// <summary>How often every worker process nudges its centres to apply timeouts; also how a hot standby notices it took over.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long the API waits for a centre worker to answer a command before answering 503.</summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(10);
}

public enum BusTransport { InMemory, RabbitMq }

/// <summary>
/// The message bus. The embedded default needs nothing installed (and reads none of the RabbitMQ settings); the
/// RabbitMQ defaults match the project's own node (rabbitmq.conf, deploy/rabbitmq.sh) run from the repository root.
/// </summary>
public sealed class BusOptions
{
    public const string Section = "Bus";

    /// <summary>Where deploy/rabbitmq.sh keeps the password of its user <c>contactrouter</c>, relative to the repository root.</summary>
    public const string DevelopmentPasswordFile = ".secrets/rabbitmq-password";

    public BusTransport Transport { get; set; } = BusTransport.InMemory;
    public string Host { get; set; } = "127.0.0.1";
    public int Port { get; set; } = 5682;
    public string VirtualHost { get; set; } = "contactrouter";
    public string Username { get; set; } = "contactrouter";

    /// <summary>The password itself (e.g. from the environment variable <c>Bus__Password</c>). Wins over <see cref="PasswordFile"/>.</summary>
    public string? Password { get; set; }

    /// <summary>
    /// A file holding the password (its whole content but a final line break), read at start when <see cref="Password"/>
    /// is not set: a mounted secret, or by default the file deploy/rabbitmq.sh writes (relative to the working directory).
    /// </summary>
    public string? PasswordFile { get; set; } = DevelopmentPasswordFile;

    /// <summary>AMQP over TLS (the project's node serves it on port 5683; the usual port is 5671).</summary>
    public bool UseTls { get; set; }

    /// <summary>The name the server's certificate must carry; unset: <see cref="Host"/>.</summary>
    public string? TlsServerName { get; set; }

    /// <summary>A PEM file with the CA certificate(s) the server's certificate must chain to; unset: the system's trusted roots.</summary>
    public string? TlsCaFile { get; set; }

    /// <summary>A poison command is moved to the error queue after this many deliveries instead of looping.</summary>
    public int DeliveryLimit { get; set; } = 5;
    public ushort PrefetchCount { get; set; } = 16;

    /// <summary><see cref="Password"/>, else the content of <see cref="PasswordFile"/>; a clear error naming both when neither gives one.</summary>
    public string ResolvePassword()
    {
        if (!string.IsNullOrEmpty(Password)) return Password;
        if (string.IsNullOrWhiteSpace(PasswordFile))
            throw new InvalidOperationException("RabbitMQ: no password. Set Bus:Password (environment: Bus__Password) or Bus:PasswordFile.");
        var path = Path.GetFullPath(PasswordFile);
        if (!File.Exists(path))
            throw new InvalidOperationException(
                $"RabbitMQ: Bus:Password is not set and Bus:PasswordFile \"{path}\" does not exist. Set one of them " +
                $"(environment: Bus__Password, Bus__PasswordFile); for the project's own node run deploy/rabbitmq.sh start, " +
                $"which writes {DevelopmentPasswordFile}, and start from the repository root.");
        var password = File.ReadAllText(path).TrimEnd('\r', '\n');
        if (password.Length == 0) throw new InvalidOperationException($"RabbitMQ: Bus:PasswordFile \"{path}\" is empty.");
        return password;
    }

    /// <summary>Applies host, credentials and TLS to MassTransit's RabbitMQ transport.</summary>
    public void ConfigureHost(IRabbitMqBusFactoryConfigurator cfg)
    {
        var password = ResolvePassword();
        cfg.Host(Host, (ushort)Port, VirtualHost, h =>
        {
            h.Username(Username);
            h.Password(password);
            if (UseTls)
                h.UseSsl(s =>
                {
                    s.ServerName = TlsServerName ?? Host;
                    s.Protocol = SslProtocols.Tls12 | SslProtocols.Tls13;
                    s.CertificateValidationCallback = CertificateValidation();
                });
        });
    }

    /// <summary>A RabbitMQ.Client connection factory with the same host, credentials and TLS as the bus.</summary>
    public ConnectionFactory ConnectionFactory(string clientName) => new()
    {
        HostName = Host, Port = Port, VirtualHost = VirtualHost, UserName = Username, Password = ResolvePassword(),
        ClientProvidedName = clientName,
        Ssl = UseTls
            ? new SslOption
            {
                Enabled = true, ServerName = TlsServerName ?? Host, Version = SslProtocols.Tls12 | SslProtocols.Tls13,
                CertificateValidationCallback = CertificateValidation(),
            }
            : new SslOption(),
    };

    /// <summary>
    /// With <see cref="TlsCaFile"/>: the server's certificate must carry the expected name and chain to one of that file's
    /// certificates (and to nothing else). Without it: null, so the system's trusted roots decide.
    /// </summary>
    private RemoteCertificateValidationCallback? CertificateValidation()
    {
        if (string.IsNullOrWhiteSpace(TlsCaFile)) return null;
        var roots = new X509Certificate2Collection();
        roots.ImportFromPemFile(Path.GetFullPath(TlsCaFile));
        if (roots.Count == 0) throw new InvalidOperationException($"RabbitMQ: Bus:TlsCaFile \"{TlsCaFile}\" holds no certificate.");
        return (_, certificate, chain, errors) =>
        {
            if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None) return false;
            using var own = new X509Chain();
            own.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            own.ChainPolicy.CustomTrustStore.AddRange(roots);
            own.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            if (chain is not null)
                foreach (var element in chain.ChainElements)
                    own.ChainPolicy.ExtraStore.Add(element.Certificate);
            return own.Build(certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
        };
    }
}

/// <summary>The store. The embedded default is a SQLite file under ./data; PostgreSQL for processes on several machines.</summary>
public sealed class StoreOptions
{
    public const string Section = "Store";
    public StoreProvider Provider { get; set; } = StoreProvider.Sqlite;

    /// <summary>Unset: the provider's default (<see cref="RouterStore.SqliteDefault"/>, <see cref="RouterStore.PostgresDefault"/>).</summary>
    public string? ConnectionString { get; set; }

    public string EffectiveConnectionString =>
        string.IsNullOrWhiteSpace(ConnectionString) ? RouterStore.DefaultConnectionString(Provider) : ConnectionString;
}
