using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace ContactRouter.Tests;

/// <summary>
/// Every log line of a host, category and level included, for specs that check what is (never) logged; each line
/// starts with <paramref name="prefix"/>'s words when given (a drill's time and which host).
/// </summary>
public sealed class CapturingLoggerProvider(ConcurrentQueue<string> lines, Func<string>? prefix = null) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new Capturing(lines, prefix is null ? () => categoryName : () => $"{prefix()} {categoryName}");
    public void Dispose() { }

    private sealed class Capturing(ConcurrentQueue<string> lines, Func<string> category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull
        {
            lines.Enqueue($"{category()} scope: {state}");
            return null;
        }

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lines.Enqueue($"{category()} {logLevel}: {formatter(state, exception)} {state} {exception}");
        }
    }
}
