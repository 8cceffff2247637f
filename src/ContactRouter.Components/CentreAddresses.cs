namespace ContactRouter.Components;

public static class CentreAddresses
{
    public static string QueueName(string centre) => $"centre.{centre}";

    /// <summary>
    /// Commands go to the centre's exchange, which is bound to its quorum queue. Not <c>queue:</c>: MassTransit
    /// would declare the queue as a classic queue on send, and RabbitMQ refuses the worker's quorum declaration
    /// after that (see <see cref="CentreQueueTopology"/>, which declares it the same way everywhere).
    /// </summary>
    public static Uri For(string centre) => new($"exchange:{QueueName(centre)}");
}
