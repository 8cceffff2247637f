using System.Net.Security;
using System.Reflection;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using ContactRouter.Routing;
using ContactRouter.Store;
using MassTransit;
using MassTransit.Configuration;
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

    /// <summary>
    /// Whether this process runs the telephony component: the link to the SIP front (Kamailio, deploy/kamailio.sh) that
    /// queues callers and rings agents' phones. Off by default, so a run without Kamailio needs nothing of it.
    /// </summary>
    public bool Telephony { get; set; }

    public IReadOnlyList<string> CentreIds => Centres.Trim().ToLowerInvariant() switch
    {
        "all" => CentreCatalog.All,
        "none" or "" => [],
        var list => list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
    };

    /// <summary>How often every worker process nudges its centres to apply timeouts; also how a hot standby notices it took over.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long the API waits for a centre worker to answer a command; after it the API answers 202 with the command's
    /// address (the command stays in the ledger and is applied when the centre gets to it).
    /// </summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long an agent's console may be gone (page closed, browser crashed, network down) before the agent counts as
    /// away and is offered nothing; long enough for a reload or a reconnect, short next to a caller's wait.
    /// </summary>
    public TimeSpan ConsoleGrace { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// How often at most the team leads' centre rows are read again while the centres keep changing: a person cannot
    /// follow more, and at a city's peak the centres change dozens of times a second. An agent's own view is not held
    /// back (an offer reaches the desk at once). Once a second, as a wallboard does: every open team-lead console is
    /// one push per refresh, and with 2,000 of them at 250 ms the pushes took the CPU the centres route with (issue 11).
    /// </summary>
    public TimeSpan CentresRefresh { get; set; } = TimeSpan.FromSeconds(1);
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

    /// <summary>
    /// The broker: a host name or address, or a RabbitMQ cluster's nodes separated by commas, each with its own port if
    /// it differs from <see cref="Port"/> (<c>rabbit1,rabbit2,rabbit3</c> or <c>127.0.0.1:5692,127.0.0.1:5693,127.0.0.1:5694</c>).
    /// </summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>The port of every node in <see cref="Host"/> that does not name its own.</summary>
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

    /// <summary>The name the server's certificate must carry (every node's, with several); unset: the first host of <see cref="Host"/>.</summary>
    public string? TlsServerName { get; set; }

    /// <summary>A PEM file with the CA certificate(s) the server's certificate must chain to; unset: the system's trusted roots.</summary>
    public string? TlsCaFile { get; set; }

    /// <summary>
    /// With several nodes in <see cref="Host"/>: how long the router waits before it connects to another node after losing
    /// its own. A killed node may have led quorum queues; RabbitMQ 3.10 nacks every publish to such a queue on a channel
    /// that opened before the queue's new leader was elected, for as long as that channel lives (seen in the cluster drill:
    /// over a minute). Elections take well under a second; the wait lets them finish first.
    /// </summary>
    public TimeSpan ClusterReconnectDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How often the router tries to reach the broker again while it is away. MassTransit 8's own back-off waits 3, 6, 12,
    /// 24, then 30 s, and never starts over in a running process (its retry count grows with every outage), so a router
    /// that had lived through two outages reconnected up to 30 s after the broker was back (seen in the broker drill:
    /// 17.7 s). A refused connection costs next to nothing, so the router simply tries again at this pace.
    /// </summary>
    public TimeSpan ReconnectInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>A poison command is moved to the error queue after this many deliveries instead of looping.</summary>
    public int DeliveryLimit { get; set; } = 5;

    /// <summary>
    /// How many messages a consumer holds at once. A centre worker saves what it holds in one transaction (up to
    /// <see cref="CentreBatcher.MaxBatch"/>) while the batch before it is still being published, so it holds two
    /// batches: with 16 its batches stayed near 8 commands under load, with 64 they fill up.
    /// </summary>
    public ushort PrefetchCount { get; set; } = 64;

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

    /// <summary>A broker node: where one RabbitMQ node of <see cref="Host"/> listens.</summary>
    public sealed record Node(string Host, int Port)
    {
        public override string ToString() => $"{Host}:{Port}";
    }

    /// <summary>The nodes <see cref="Host"/> names, in its order; one for a single broker.</summary>
    public IReadOnlyList<Node> Nodes()
    {
        var entries = Host.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (entries.Length == 0) throw new InvalidOperationException("RabbitMQ: Bus:Host is empty.");
        var nodes = entries.Select(entry =>
        {
            var colon = entry.IndexOf(':');
            // No colon: a name or IPv4 address on Bus:Port. More than one: an IPv6 address on Bus:Port.
            if (colon < 0 || colon != entry.LastIndexOf(':')) return new Node(entry, Port);
            return int.TryParse(entry[(colon + 1)..], out var port) && port is > 0 and <= ushort.MaxValue && colon > 0
                ? new Node(entry[..colon], port)
                : throw new InvalidOperationException($"RabbitMQ: Bus:Host entry \"{entry}\" is not host or host:port (port 1–65535).");
        }).ToList();
        // MassTransit's cluster list reads each node as host[:port], so an IPv6 address cannot be one of several.
        if (nodes.Count > 1 && nodes.Any(n => n.Host.Contains(':')))
            throw new InvalidOperationException("RabbitMQ: Bus:Host lists several nodes; name them by host name or IPv4 address, not IPv6.");
        return nodes;
    }

    /// <summary>
    /// Applies host, credentials and TLS to MassTransit's RabbitMQ transport. With several nodes it connects to the first
    /// that answers, in the order given, and after a lost connection tries the next one.
    /// </summary>
    public void ConfigureHost(IRabbitMqBusFactoryConfigurator cfg)
    {
        var password = ResolvePassword();
        var nodes = Nodes();
        cfg.Host(nodes[0].Host, (ushort)nodes[0].Port, VirtualHost, h =>
        {
            h.Username(Username);
            h.Password(password);
            if (nodes.Count > 1)
            {
                h.UseCluster(c =>
                {
                    foreach (var node in nodes) c.Node(node.ToString());
                });
                // Called before every connection MassTransit opens: the first one goes at once, every later one (a lost
                // node) waits for the cluster to elect new queue leaders.
                var connections = 0;
                h.OnRefreshConnectionFactory = async _ =>
                {
                    if (Interlocked.Increment(ref connections) > 1 && ClusterReconnectDelay > TimeSpan.Zero)
                        await Task.Delay(ClusterReconnectDelay);
                };
            }
            if (UseTls)
                h.UseSsl(s =>
                {
                    s.ServerName = TlsServerName ?? nodes[0].Host;
                    s.Protocol = SslProtocols.Tls12 | SslProtocols.Tls13;
                    s.CertificateValidationCallback = CertificateValidation();
                });
        });
        ReconnectAtAnEvenPace(cfg);
    }

    /// <summary>
    /// Replaces MassTransit's reconnect back-off (see <see cref="ReconnectInterval"/>) with tries at an even pace, for the
    /// same failures. MassTransit 8.5 has no setting for it: the policy is a read-only property of its host configuration,
    /// so it is set through reflection. The version is pinned; should a field ever move, the router refuses to start
    /// rather than silently reconnecting late.
    /// </summary>
    private void ReconnectAtAnEvenPace(IRabbitMqBusFactoryConfigurator cfg)
    {
        const BindingFlags Instance = BindingFlags.Instance | BindingFlags.NonPublic;
        var host = cfg.GetType().GetField("_hostConfiguration", Instance)?.GetValue(cfg) as IHostConfiguration;
        var policyField = host?.GetType().GetField($"<{nameof(IHostConfiguration.ReceiveTransportRetryPolicy)}>k__BackingField", Instance);
        if (host is null || policyField is null)
            throw new InvalidOperationException(
                "RabbitMQ: MassTransit's host configuration has changed; cannot set Bus:ReconnectInterval (see BusOptions.ReconnectAtAnEvenPace).");
        var original = host.ReceiveTransportRetryPolicy;
        policyField.SetValue(host, Retry.CreatePolicy(x =>
        {
            x.Handle<Exception>(original.IsHandled);
            // Incremental by nothing: an even pace without the array of intervals Interval(...) would allocate.
            x.Incremental(int.MaxValue, ReconnectInterval, TimeSpan.Zero);
        }));
    }

    /// <summary>
    /// A RabbitMQ.Client connection factory with the same credentials and TLS as the bus, for the first node of
    /// <see cref="Host"/>. To reach whichever node of a cluster is up, connect with <see cref="Connect"/>.
    /// </summary>
    public ConnectionFactory ConnectionFactory(string clientName)
    {
        var first = Nodes()[0];
        return new ConnectionFactory
        {
            HostName = first.Host, Port = first.Port, VirtualHost = VirtualHost, UserName = Username, Password = ResolvePassword(),
            ClientProvidedName = clientName,
            Ssl = Ssl(),
        };
    }

    /// <summary>A RabbitMQ.Client connection to any node of <see cref="Host"/> that answers (the client tries them in random order).</summary>
    public Task<IConnection> Connect(string clientName, CancellationToken ct = default) =>
        ConnectionFactory(clientName).CreateConnectionAsync(
            Nodes().Select(node => new AmqpTcpEndpoint(node.Host, node.Port, Ssl())).ToList(), ct);

    /// <summary>The same TLS settings as the bus: one server name for every node (as MassTransit checks it), <see cref="TlsServerName"/> or the first node's host.</summary>
    private SslOption Ssl() => UseTls
        ? new SslOption
        {
            Enabled = true, ServerName = TlsServerName ?? Nodes()[0].Host, Version = SslProtocols.Tls12 | SslProtocols.Tls13,
            CertificateValidationCallback = CertificateValidation(),
        }
        : new SslOption();

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

    /// <summary>
    /// PostgreSQL connections opened together at start, before the host serves, and kept in Npgsql's pool. A new
    /// connection costs a server process and a SCRAM exchange (7 ms each here, one after another); a restarted host's
    /// first burst of agents opened 40 of them at once while the agents waited. 0: open them on first use. 0–100
    /// (Npgsql's pool holds at most 100 by default). Not used on SQLite (a file opens in microseconds).
    /// </summary>
    public int WarmConnections { get; set; } = 16;

    public string EffectiveConnectionString =>
        string.IsNullOrWhiteSpace(ConnectionString) ? RouterStore.DefaultConnectionString(Provider) : ConnectionString;
}
