using System.Net;

namespace ContactRouter.Tests.Drills;

/// <summary>
/// How long the drills run. CI runs the short drills (each well within a minute); <c>CONTACTROUTER_DRILLS=long</c> puts
/// more callers through more agents for longer, as an operator's trial would.
/// </summary>
public static class Drill
{
    public static bool Long { get; } = string.Equals(Environment.GetEnvironmentVariable("CONTACTROUTER_DRILLS"), "long", StringComparison.OrdinalIgnoreCase);

    /// <summary>Callers per second in the steady streams.</summary>
    public static double Rate => Long ? 6 : 2;
    /// <summary>How long a steady stream lasts.</summary>
    public static TimeSpan StreamLength => TimeSpan.FromSeconds(Long ? 120 : 15);
    public static int Callers => (int)(Rate * StreamLength.TotalSeconds);
    public static int Agents => Long ? 16 : 6;
    /// <summary>Ticks of <see cref="AgentDesk.Tick"/> an agent talks before completing.</summary>
    public static int TalkTicks => 3;
    public static int Burst => Long ? 1000 : 300;

    /// <summary>Longer than the router's CommandTimeout (10 s): a client that gives up first would not see the router's own answer.</summary>
    public static readonly TimeSpan ClientTimeout = TimeSpan.FromSeconds(30);
    /// <summary>How long a process may take to become healthy (a cold .NET start on two busy cores, migrations included).</summary>
    public static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(60);
    /// <summary>How long, after the callers stopped, every accepted caller may take to be served (a drill ends as soon as they are).</summary>
    public static TimeSpan SettleLimit => TimeSpan.FromSeconds(Long ? 120 : 60);

    public static SocketsHttpHandler Handler(CookieContainer? cookies) => new()
    {
        UseCookies = cookies is not null,
        CookieContainer = cookies ?? new CookieContainer(),
        ConnectTimeout = TimeSpan.FromSeconds(2),
        // A killed or restarted host leaves dead pooled connections behind; do not keep them long.
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(2),
    };
}
