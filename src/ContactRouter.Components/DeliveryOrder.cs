using System.Collections.Concurrent;
using MassTransit;
using Microsoft.Extensions.Logging;

namespace ContactRouter.Components;

/// <summary>
/// Keeps a centre queue's arrival order while several of its messages are in the consumer at once (so that a centre's
/// waiting commands can be saved in one transaction, <see cref="CentreBatcher"/>). MassTransit starts each delivery on a
/// task of its own, so two messages may reach the consumer in either order; RabbitMQ numbers the deliveries of a
/// channel 1, 2, 3… in queue order (the delivery tag), and one consumer tag is one channel. A message waits here until
/// every earlier delivery of its channel has had its turn. A delivery that never reaches the consumer (a body that
/// cannot be read goes to the error queue before it) would stop the line: after <see cref="GapWait"/> the line moves
/// past the numbers that never arrived. Without a delivery tag (the in-memory bus, which runs one message at a time) nothing waits.
/// </summary>
public sealed class DeliveryOrder(TimeProvider time, ILogger<DeliveryOrder> log)
{
    /// <summary>
    /// How long the line waits for a delivery that has not even reached the consumer, before passing over it. Generous:
    /// on a loaded machine MassTransit may take seconds to start a delivery's task, and passing over one that is merely
    /// late would let a later command go first.
    /// </summary>
    public static readonly TimeSpan GapWait = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<string, Line> _lines = new();

    /// <summary>
    /// Marks the delivery as arrived in the consumer (before anything that may take a while, such as a read), so that
    /// the line waits for it however long it takes; wait for its turn with <see cref="Turn.Wait"/>.
    /// </summary>
    public Turn Arrive(ConsumeContext context) =>
        context.ReceiveContext.TryGetPayload<RabbitMqBasicConsumeContext>(out var delivery) && delivery.ConsumerTag is { } consumer
            ? Arrive(consumer, delivery.DeliveryTag)
            : Turn.None;

    public Turn Arrive(string consumerTag, ulong deliveryTag)
    {
        var line = _lines.GetOrAdd(consumerTag, _ => new Line());
        lock (line) line.Arrived(deliveryTag);
        return new Turn(this, line, consumerTag, deliveryTag);
    }

    /// <summary>Arrives and waits for the turn at once.</summary>
    public async Task<Turn> Wait(string consumerTag, ulong deliveryTag, CancellationToken ct)
    {
        var turn = Arrive(consumerTag, deliveryTag);
        await turn.Wait(ct);
        return turn;
    }

    private async Task WaitFor(Line line, string consumerTag, ulong deliveryTag, CancellationToken ct)
    {
        while (true)
        {
            Task ready;
            lock (line) ready = line.ReadyFor(deliveryTag);
            if (ready.IsCompleted) return;
            try
            {
                await ready.WaitAsync(GapWait, time, ct);
                return;
            }
            catch (TimeoutException)
            {
                // Asked again afterwards: the missing delivery may be the one just before a message that is itself waiting.
                ulong skipped;
                lock (line) skipped = line.SkipGap();
                if (skipped > 0)
                    log.LogWarning("Deliveries before {DeliveryTag} on {ConsumerTag} did not reach the centre worker within {Wait}; {Skipped} passed over",
                        deliveryTag, consumerTag, GapWait, skipped);
            }
        }
    }

    /// <summary>A delivery's place in its line; disposing it (once the command is handed on) lets the next one go.</summary>
    public sealed class Turn : IDisposable
    {
        public static readonly Turn None = new(null, null, "", 0);
        private readonly DeliveryOrder? _order;
        private readonly Line? _line;
        private readonly string _consumerTag;
        private readonly ulong _tag;

        internal Turn(DeliveryOrder? order, Line? line, string consumerTag, ulong tag)
        {
            _order = order;
            _line = line;
            _consumerTag = consumerTag;
            _tag = tag;
        }

        /// <summary>Completes when every earlier delivery of the channel has been handed on.</summary>
        public Task Wait(CancellationToken ct) => _order is null || _line is null ? Task.CompletedTask : _order.WaitFor(_line, _consumerTag, _tag, ct);

        public void Dispose()
        {
            if (_line is null) return;
            lock (_line) _line.Pass(_tag);
        }
    }

    /// <summary>One channel's deliveries. Not thread-safe: used under its own lock.</summary>
    internal sealed class Line
    {
        private ulong _passed; // every delivery up to this one has had its turn
        private readonly SortedSet<ulong> _arrived = [];
        private readonly SortedSet<ulong> _ahead = [];
        private readonly Dictionary<ulong, TaskCompletionSource> _waiting = [];

        public void Arrived(ulong tag)
        {
            if (tag > _passed) _arrived.Add(tag);
        }

        /// <summary>Completed when every earlier delivery has passed; a retry of one that passed goes at once.</summary>
        public Task ReadyFor(ulong tag)
        {
            if (tag <= _passed + 1) return Task.CompletedTask;
            if (!_waiting.TryGetValue(tag, out var waiting))
                _waiting[tag] = waiting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return waiting.Task;
        }

        public void Pass(ulong tag)
        {
            _arrived.Remove(tag);
            if (tag <= _passed) return;
            _ahead.Add(tag);
            Advance();
        }

        /// <summary>Treats the numbers missing before the first delivery that did arrive as never coming; returns how many.</summary>
        public ulong SkipGap()
        {
            var first = Math.Min(_arrived.Count > 0 ? _arrived.Min : ulong.MaxValue, _ahead.Count > 0 ? _ahead.Min : ulong.MaxValue);
            if (first == ulong.MaxValue || first <= _passed + 1) return 0;
            var skipped = first - 1 - _passed;
            _passed = first - 1;
            Advance();
            return skipped;
        }

        private void Advance()
        {
            while (_ahead.Remove(_passed + 1)) _passed++;
            if (_waiting.Remove(_passed + 1, out var next)) next.TrySetResult();
        }
    }
}
