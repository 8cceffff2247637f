using ContactRouter.Components;
using ContactRouter.Contracts;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ContactRouter.Web;

/// <summary>
/// Ties an agent's presence to their console: when the last console stream of an agent has been gone for
/// Router:ConsoleGrace, their centre is told nobody is at the desk (<see cref="SetAgentReachable"/>) and offers them
/// nothing; when a console stream opens again, it is told they are back. The grace covers a page reload or a short
/// network drop (the browser reconnects within seconds). An agent who never opened a console (an integration that
/// uses the API alone) is not affected.
/// </summary>
public sealed class ConsolePresence(IServiceScopeFactory scopes, TimeProvider time, IOptions<HostingOptions> hosting, ILogger<ConsolePresence> log)
{
    /// <summary>The requester the command ledger records for these commands.</summary>
    public const string Requester = "console-presence";

    private readonly Dictionary<string, Desk> _desks = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <summary>
    /// A console stream of the agent opened. <paramref name="away"/>: the store has them unreachable (their console was
    /// gone), so their centre hears they are back. Dispose the answer when the stream ends.
    /// </summary>
    public IDisposable Opened(string agentId, string centre, bool away)
    {
        lock (_gate)
        {
            if (!_desks.TryGetValue(agentId, out var desk)) _desks[agentId] = desk = new Desk(centre);
            desk.Open++;
            desk.Grace?.Dispose();
            desk.Grace = null;
        }
        if (away) Tell(agentId, centre, reachable: true);
        return new Closing(() => Closed(agentId));
    }

    /// <summary>How many console streams of the agent this process holds open now.</summary>
    public int OpenConsoles(string agentId)
    {
        lock (_gate) return _desks.TryGetValue(agentId, out var desk) ? desk.Open : 0;
    }

    /// <summary>
    /// A centre reported the agent's status. "away" while a console of theirs is open here: another API process (whose
    /// console stream for them ended) or a grace that ran out just as the console came back marked them; they are here.
    /// </summary>
    public void StatusSeen(string agentId, string centre, string status)
    {
        if (status != "away") return;
        lock (_gate)
            if (!_desks.TryGetValue(agentId, out var desk) || desk.Open == 0) return;
        Tell(agentId, centre, reachable: true);
    }

    private void Closed(string agentId)
    {
        lock (_gate)
        {
            if (!_desks.TryGetValue(agentId, out var desk) || --desk.Open > 0) return;
            ITimer? timer = null;
            timer = time.CreateTimer(_ => GraceOver(agentId, timer!), null, hosting.Value.ConsoleGrace, Timeout.InfiniteTimeSpan);
            desk.Grace = timer;
        }
    }

    private void GraceOver(string agentId, ITimer timer)
    {
        string centre;
        lock (_gate)
        {
            // A console that came back in the meantime cancelled this timer; a late tick of a cancelled one changes nothing.
            if (!_desks.TryGetValue(agentId, out var desk) || desk.Open > 0 || !ReferenceEquals(desk.Grace, timer)) return;
            _desks.Remove(agentId);
            centre = desk.Centre;
        }
        timer.Dispose();
        Tell(agentId, centre, reachable: false);
    }

    /// <summary>Recorded in the command ledger first, like every command, so it arrives even if the broker is away now.</summary>
    private void Tell(string agentId, string centre, bool reachable) => _ = Task.Run(async () =>
    {
        var command = new SetAgentReachable { Centre = centre, AgentId = agentId, Reachable = reachable };
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var ledger = scope.ServiceProvider.GetRequiredService<CommandLedger>();
            var (row, _) = await ledger.Accept(command, Requester, CancellationToken.None);
            try
            {
                var endpoint = await scope.ServiceProvider.GetRequiredService<ISendEndpointProvider>().GetSendEndpoint(CentreAddresses.For(centre));
                await endpoint.Send(command);
                await ledger.HandedOver(row, CancellationToken.None);
            }
            catch (Exception ex)
            {
                log.LogWarning("Presence of agent {AgentId} ({Reachable}) could not be sent ({Error}); left to the relay", agentId, reachable, ex.GetType().Name);
                await ledger.LeaveToRelay(row, CancellationToken.None);
            }
        }
        catch (Exception ex)
        {
            log.LogError(ex, "Presence of agent {AgentId} ({Reachable}) was not recorded", agentId, reachable);
        }
    });

    private sealed class Desk(string centre)
    {
        public string Centre { get; } = centre;
        public int Open { get; set; }
        public ITimer? Grace { get; set; }
    }

    private sealed class Closing(Action close) : IDisposable
    {
        private int _closed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _closed, 1) == 0) close();
        }
    }
}
