using System.Collections.Concurrent;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using ContactRouter.Components;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ContactRouter.Web;

/// <summary>
/// What the consoles see, pushed as the centres decide. Every open stream subscribes to a topic (an agent's own
/// view, or the centres' rows); the centres' events (<see cref="ConsoleFeedConsumer"/>) mark a topic changed, and
/// the topic reads its view from the store once for all its subscribers, serialises it once and hands it to each.
/// So the store sees one read per change and topic, never one per console, and nothing is read while nothing
/// happens. Each subscriber holds at most the newest view: a slow console skips views it had no time for and holds
/// no memory for them. The team leads' topic is read at most every Router:CentresRefresh while changes keep coming.
/// </summary>
/// The pace is wall-clock on purpose, like the outbox's: it is about how often a real process reads the store, not about
/// routing time (a test's virtual clock would hold every second view back until the test moved it).
public sealed class ConsoleFeed(IServiceScopeFactory scopes, IOptions<HostingOptions> hosting, ILogger<ConsoleFeed> log)
{
    /// <summary>The team leads' topic: the rows of every centre.</summary>
    public const string Centres = "centres";

    public static string AgentTopic(string agentId) => "agent:" + agentId;

    private readonly IServiceScopeFactory _scopes = scopes;
    private readonly ILogger _log = log;
    private readonly TimeProvider _time = TimeProvider.System;
    private readonly ConcurrentDictionary<string, Topic> _topics = new(StringComparer.Ordinal);
    private readonly Lock _subscribing = new();
    private long _reads;

    /// <summary>Views read from the store since start, for all consoles together (the specs count them).</summary>
    public long StoreReads => Interlocked.Read(ref _reads);

    /// <summary>
    /// Subscribes to a topic. The first subscriber's <paramref name="read"/> serves the topic while it has
    /// subscribers (for an agent's own topic: the agent, who alone may open it).
    /// </summary>
    public Subscription Subscribe(string key, Func<IServiceProvider, Task<object?>> read)
    {
        // Bounded to the one newest view: a console that cannot keep up gets the latest, never a backlog.
        var channel = Channel.CreateBounded<View>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        Topic topic;
        lock (_subscribing)
        {
            topic = _topics.GetOrAdd(key, k => new Topic(this, k, read, k == Centres || k.StartsWith(PeopleApi.Topic(""), StringComparison.Ordinal) ? hosting.Value.CentresRefresh : TimeSpan.Zero));
            topic.Add(channel);
        }
        return new Subscription(channel.Reader, () =>
        {
            lock (_subscribing)
                if (topic.Remove(channel) == 0) _topics.TryRemove(new KeyValuePair<string, Topic>(key, topic));
        });
    }

    /// <summary>Something a topic shows changed at <paramref name="decidedAt"/> (the deciding event's time).</summary>
    public void Changed(string key, DateTimeOffset decidedAt)
    {
        if (_topics.TryGetValue(key, out var topic)) topic.Changed(decidedAt);
    }

    /// <summary>Everything may have changed unseen (the feed's queue was away with the broker): read every topic again.</summary>
    public void ChangedAll(DateTimeOffset at)
    {
        foreach (var topic in _topics.Values) topic.Changed(at);
    }

    /// <summary>Whether anyone watches the topic now.</summary>
    public bool IsWatched(string key) => _topics.ContainsKey(key);

    /// <summary>One view as all subscribers of a topic get it: its JSON, and when the change it shows was decided.</summary>
    public sealed record View(string Json, DateTimeOffset? DecidedAt);

    public sealed class Subscription(ChannelReader<View> views, Action leave) : IDisposable
    {
        private int _left;
        public ChannelReader<View> Views { get; } = views;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _left, 1) == 0) leave();
        }
    }

    /// <summary>
    /// One view and its subscribers; at most one read at a time, and one more for whatever changed during it — that one
    /// no sooner than <paramref name="every"/> after the previous read began.
    /// </summary>
    private sealed class Topic(ConsoleFeed feed, string key, Func<IServiceProvider, Task<object?>> read, TimeSpan every)
    {
        private long _lastRead = long.MinValue;
        private readonly Lock _gate = new();
        private readonly List<Channel<View>> _subscribers = [];
        private View? _last;
        private bool _reading;
        private bool _again;
        private DateTimeOffset? _decidedAt;

        public void Add(Channel<View> subscriber)
        {
            lock (_gate)
            {
                _subscribers.Add(subscriber);
                // The newest view is current (every change since marked the topic); only the first subscriber reads.
                if (_last is not null) subscriber.Writer.TryWrite(_last);
                else if (!_reading) StartReading();
            }
        }

        public int Remove(Channel<View> subscriber)
        {
            lock (_gate)
            {
                _subscribers.Remove(subscriber);
                subscriber.Writer.TryComplete();
                return _subscribers.Count;
            }
        }

        public void Changed(DateTimeOffset decidedAt)
        {
            lock (_gate)
            {
                if (_decidedAt is null || decidedAt > _decidedAt) _decidedAt = decidedAt;
                if (_reading) _again = true;
                else StartReading();
            }
        }

        private void StartReading()
        {
            _reading = true;
            _ = Task.Run(ReadUntilCurrent);
        }

        private async Task ReadUntilCurrent()
        {
            while (true)
            {
                if (_lastRead != long.MinValue && feed._time.GetElapsedTime(_lastRead) is var since && since < every)
                    await Task.Delay(every - since, feed._time);
                _lastRead = feed._time.GetTimestamp();
                DateTimeOffset? decidedAt;
                lock (_gate)
                {
                    _again = false;
                    decidedAt = _decidedAt;
                    _decidedAt = null;
                }
                string? json = null;
                try
                {
                    // A fresh scope per read: a long-lived DbContext would answer from its own cache.
                    await using var scope = feed._scopes.CreateAsyncScope();
                    Interlocked.Increment(ref feed._reads);
                    var view = await read(scope.ServiceProvider);
                    json = JsonSerializer.Serialize(view, JsonSerializerOptions.Web);
                }
                catch (Exception ex)
                {
                    // The consoles keep what they show; the next change reads again.
                    feed._log.LogWarning("Reading the console view {Topic} failed ({Error})", key, ex.GetType().Name);
                }
                lock (_gate)
                {
                    if (json is not null && json != _last?.Json)
                    {
                        _last = new View(json, decidedAt);
                        foreach (var subscriber in _subscribers) subscriber.Writer.TryWrite(_last);
                    }
                    if (!_again || _subscribers.Count == 0)
                    {
                        _reading = false;
                        return;
                    }
                }
            }
        }
    }
}
