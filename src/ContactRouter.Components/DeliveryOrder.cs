using System.Runtime.CompilerServices;
using MassTransit;
using Microsoft.Extensions.Logging;

namespace ContactRouter.Components;

/// <summary>
/// Keeps a centre queue's arrival order while several of its messages are in the consumer at once (so that a centre's
/// waiting commands can be saved in one transaction, <see cref="CentreBatcher"/>). MassTransit starts each delivery on a
/// task of its own, so two messages may reach the consumer in either order; RabbitMQ numbers the deliveries of a
/// channel 1, 2, 3… in queue order (the delivery tag). A message waits here until every earlier delivery of its
/// channel has had its turn. The line is the channel itself, not the consumer tag: after a lost connection MassTransit
/// consumes again on a new channel under the same tag, and that channel numbers its deliveries from 1 again. A delivery
/// that never reaches the consumer (a body that cannot be read goes to the error queue before it) would stop the line:
/// after <see cref="GapWait"/> the line moves past the numbers that never arrived. Without a delivery tag (the in-memory
/// bus, which runs one message at a time) nothing waits.
/// </summary>
public sealed class DeliveryOrder(TimeProvider time, ILogger<DeliveryOrder> log)
{
    /// <summary>
    /// How long the line waits for a delivery that has not even reached the consumer, before passing over it. Generous:
    /// on a loaded machine MassTransit may take seconds to start a delivery's task, and passing over one that is merely
    /// late would let a later command go first.
    /// </summary>
    public static readonly TimeSpan GapWait = TimeSpan.FromSeconds(5);

    /// <summary>One line per channel, gone with the channel.</summary>
    private readonly ConditionalWeakTable<object, Line> _lines = new();

    /// <summary>
    /// Marks the delivery as arrived in the consumer (before anything that may take a while, such as a read), so that
    /// the line waits for it however long it takes; wait for its turn with <see cref="Turn.Wait"/>.
    /// </summary>
    public Turn Arrive(ConsumeContext context) =>
        context.ReceiveContext.TryGetPayload<RabbitMqBasicConsumeContext>(out var delivery) && delivery.ConsumerTag is { } consumer
            // Without its channel at hand the tag has to do (interned: the line is found by reference).
            ? Arrive(context.ReceiveContext.TryGetPayload<MassTransit.RabbitMqTransport.ChannelContext>(out var channel) ? channel : string.Intern(consumer),
                delivery.DeliveryTag, consumer)
            : Turn.None;

    /// <summary>The delivery <paramref name="deliveryTag"/> of <paramref name="channel"/>, named in the log by <paramref name="consumerTag"/>.</summary>
    public Turn Arrive(object channel, ulong deliveryTag, string? consumerTag = null)
    {
        var line = _lines.GetValue(channel, _ => new Line());
        lock (line) line.Arrived(deliveryTag);
        return new Turn(this, line, consumerTag ?? channel.ToString() ?? "", deliveryTag);
    }

    /// <summary>Arrives and waits for the turn at once.</summary>
    public async Task<Turn> Wait(object channel, ulong deliveryTag, CancellationToken ct)
    {
        var turn = Arrive(channel, deliveryTag);
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
