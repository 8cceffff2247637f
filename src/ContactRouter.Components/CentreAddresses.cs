using ContactRouter.Contracts;

namespace ContactRouter.Components;

public static class CentreAddresses
{
    public static string QueueName(string centre) => $"centre.{centre}";

    /// <summary>
    /// The centre's second queue, for what agents do and what time does (an offer running out): consumed by the same
    /// worker under the same per-centre gate, so such a command waits for at most the one command being applied, never
    /// behind every new caller queued before it (issue 11: accepts expired behind 2,000 callers and nothing completed).
    /// </summary>
    public static string AgentQueueName(string centre) => $"centre.{centre}.agents";

    /// <summary>Every queue of a centre.</summary>
    public static IReadOnlyList<string> QueueNames(string centre) => [QueueName(centre), AgentQueueName(centre)];

    /// <summary>
    /// Commands go to the centre's exchange, which is bound to its quorum queue. Not <c>queue:</c>: MassTransit
    /// would declare the queue as a classic queue on send, and RabbitMQ refuses the worker's quorum declaration
    /// after that (see <see cref="CentreQueueTopology"/>, which declares it the same way everywhere).
    /// </summary>
    public static Uri For(string centre) => new($"exchange:{QueueName(centre)}");

    /// <summary>
    /// Where a command for a centre goes. A caller's own commands (queue, abandon) and the router's moves keep one queue,
    /// so an abandon is applied after the queueing it follows; agents' commands come only after an offer, which comes
    /// only after the queueing, so they may overtake the callers still in line.
    /// </summary>
    public static Uri For(CentreCommand command) => IsAgentCommand(command)
        ? new Uri($"exchange:{AgentQueueName(command.Centre)}")
        : For(command.Centre);

    public static bool IsAgentCommand(CentreCommand command) =>
        command is AcceptOffer or RejectOffer or CompleteContact or SetAgentStatus or RegisterAgent or CheckDeadlines;
}
