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
/// past the missing numbers. Without a delivery tag (the in-memory bus, which runs one message at a time) nothing waits.
/// </summary>
public sealed class DeliveryOrder(TimeProvider time, ILogger<DeliveryOrder> log)
{
    public static readonly TimeSpan GapWait = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<string, Line> _lines = new();

    /// <summary>Waits for this delivery's turn; dispose the turn once the message is handed on (in order).</summary>
    public Task<Turn> Wait(ConsumeContext context, CancellationToken ct) =>
        context.ReceiveContext.TryGetPayload<RabbitMqBasicConsumeContext>(out var delivery) && delivery.ConsumerTag is { } consumer
            ? Wait(consumer, delivery.DeliveryTag, ct)
            : Task.FromResult(Turn.None);

    public async Task<Turn> Wait(string consumerTag, ulong deliveryTag, CancellationToken ct)
    {
        var line = _lines.GetOrAdd(consumerTag, _ => new Line());
        while (true)
        {
            Task ready;
            lock (line) ready = line.ReadyFor(deliveryTag);
            if (ready.IsCompleted) return new Turn(line, deliveryTag);
            try
            {
                await ready.WaitAsync(GapWait, time, ct);
                return new Turn(line, deliveryTag);
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

    /// <summary>A delivery's place in its line; disposing it lets the next one go.</summary>
    public sealed class Turn : IDisposable
    {
        public static readonly Turn None = new(null, 0);
        private readonly Line? _line;
        private readonly ulong _tag;

        internal Turn(Line? line, ulong tag)
        {
            _line = line;
            _tag = tag;
        }

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
        private readonly SortedSet<ulong> _ahead = [];
        private readonly SortedDictionary<ulong, TaskCompletionSource> _waiting = [];

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
            if (tag <= _passed) return;
            _ahead.Add(tag);
            Advance();
        }

        /// <summary>Treats the numbers missing before the first delivery still in line as never coming; returns how many.</summary>
        public ulong SkipGap()
        {
            var first = Math.Min(_waiting.Count > 0 ? _waiting.Keys.First() : ulong.MaxValue, _ahead.Count > 0 ? _ahead.Min : ulong.MaxValue);
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
