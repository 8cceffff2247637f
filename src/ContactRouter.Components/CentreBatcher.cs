using System.Threading.Channels;
using ContactRouter.Contracts;
using ContactRouter.Routing;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ContactRouter.Components;

/// <summary>A command handed to its centre's next batch, and the answer its consumer waits for.</summary>
public sealed class PendingCommand(
    CentreCommand command, Func<Centre, Refusal?> apply, IPublishEndpoint publisher, ISendEndpointProvider sender,
    IReadOnlyCollection<string> storedContacts)
{
    public CentreCommand Command { get; } = command;
    public Func<Centre, Refusal?> Apply { get; } = apply;

    /// <summary>Where the batch's events go: a consume context keeps the conversation's headers.</summary>
    public IPublishEndpoint Publisher { get; } = publisher;
    public ISendEndpointProvider Sender { get; } = sender;

    /// <summary>Contacts the consumer found in the store before handing the command on: their rows exist.</summary>
    public IReadOnlyCollection<string> StoredContacts { get; } = storedContacts;

    /// <summary>Set once the batch that carried the command has committed (2xx = durable), or with why it failed.</summary>
    public TaskCompletionSource<CommandResult> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>The routing core threw on this command: it fails alone, the rest of its batch is applied again.</summary>
public sealed class CommandFailedException(PendingCommand pending, Exception inner)
    : Exception($"{pending.Command.GetType().Name} at {pending.Command.Centre} failed", inner)
{
    public PendingCommand Pending { get; } = pending;
}

/// <summary>
/// Group commit: the commands of a centre that arrive while its previous batch is being saved wait here and are then
/// applied one after another to the centre in memory and saved in one transaction (<see cref="CentreWorker.Apply"/>).
/// The commit (an fsync) was nearly all of a command's cost, so under load the cost per command falls with the batch
/// while a lone command still goes at once. One loop per centre reads the centre's line in arrival order.
/// </summary>
/// <param name="time">The clock of the wait for the broker's confirm: the wall clock in a host (RouterSetup), since it is
/// about a real process, like <see cref="DeliveryOrder"/>'s.</param>
public sealed class CentreBatcher(IServiceScopeFactory scopes, CentreStates states, IOptions<HostingOptions> hosting, TimeProvider time, ILogger<CentreBatcher> log)
    : IDisposable
{
    /// <summary>
    /// At most this many commands in one transaction: a long transaction holds SQLite's write lock from everyone else,
    /// and a reload looks the first <see cref="LoadedCentre.CheckedInStoreAfterLoad"/> commands up in the store, so a
    /// batch applied again after a failed commit still finds every one of its commands that did commit.
    /// </summary>
    public const int MaxBatch = 32;

    /// <summary>A failed commit is applied again at once on a reloaded centre this many times, before its commands fail.</summary>
    public const int Attempts = 3;

    private readonly Dictionary<string, Channel<PendingCommand>> _lines = [];
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>
    /// Hands the command to its centre's line; the task ends with its answer once its batch has committed. Once the
    /// batcher has stopped, or when its centre's line has just stopped, the task fails at once: nothing waits for a line
    /// that nobody reads (a consumer still running while the host shuts down would hold the bus's stop for ever).
    /// </summary>
    public Task<CommandResult> Submit(PendingCommand pending)
    {
        Channel<PendingCommand>? line = null;
        lock (_lines)
            if (!_stopping.IsCancellationRequested && !_lines.TryGetValue(pending.Command.Centre, out line))
            {
                _lines[pending.Command.Centre] = line = Channel.CreateUnbounded<PendingCommand>(new UnboundedChannelOptions { SingleReader = true });
                var centre = pending.Command.Centre;
                var reader = line;
                _ = Task.Run(() => Run(centre, reader));
            }
        if (line is null || !line.Writer.TryWrite(pending))
            pending.Answer.TrySetException(new ObjectDisposedException(nameof(CentreBatcher), $"The centre worker of {pending.Command.Centre} is stopping."));
        return pending.Answer.Task;
    }

    private async Task Run(string centre, Channel<PendingCommand> line)
    {
        var stop = _stopping.Token;
        // The previous batch's publishing and answering, which the next batch's apply and commit overlap with.
        var finishing = Task.CompletedTask;
        var batch = new List<PendingCommand>();
        Exception? failed = null;
        try
        {
            while (await line.Reader.WaitToReadAsync(stop))
            {
                batch = [];
                AsyncServiceScope? saved;
                // The gate: nothing else touches the centre while a batch is applied and saved.
                var gate = states.GateFor(centre);
                await gate.WaitAsync(stop);
                try
                {
                    while (batch.Count < MaxBatch && line.Reader.TryRead(out var pending)) batch.Add(pending);
                    saved = batch.Count > 0 ? await Apply(centre, batch, stop) : null;
                }
                finally
                {
                    gate.Release();
                }
                if (saved is { } scope) finishing = Finish(finishing, scope, batch, stop);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            // Not expected (Apply and Finish answer their own failures), but a loop that died silently would leave every
            // later command of the centre waiting for ever. This line ends; the centre's next command starts a new one.
            log.LogError(ex, "The command line of {Centre} stopped; its waiting commands fail and are retried", centre);
            failed = ex;
        }
        finally
        {
            // No command joins the line after this; those already in it are answered below.
            lock (_lines)
            {
                if (_lines.TryGetValue(centre, out var current) && current == line) _lines.Remove(centre);
                line.Writer.TryComplete();
            }
        }
        await finishing;
        foreach (var pending in batch) pending.Answer.TrySetException(failed ?? new OperationCanceledException(stop));
        while (line.Reader.TryRead(out var left))
            if (failed is null) left.Answer.TrySetCanceled(stop);
            else left.Answer.TrySetException(failed);
    }

    /// <summary>Applies and saves the batch; returns the scope of the worker that saved it, or null when its commands failed.</summary>
    private async Task<AsyncServiceScope?> Apply(string centre, List<PendingCommand> batch, CancellationToken stop)
    {
        for (var attempt = 1; batch.Count > 0; attempt++)
        {
            var scope = scopes.CreateAsyncScope();
            try
            {
                await scope.ServiceProvider.GetRequiredService<CentreWorker>().Apply(centre, batch, stop);
                return scope;
            }
            catch (CommandFailedException failed)
            {
                await scope.DisposeAsync();
                failed.Pending.Answer.TrySetException(failed.InnerException!);
                batch.Remove(failed.Pending);
                attempt--;
            }
            catch (Exception ex) when (attempt < Attempts && !stop.IsCancellationRequested)
            {
                await scope.DisposeAsync();
                // A version clash (a standby wrote) or a busy store: the centre was forgotten; reload and apply again,
                // in the same order. Commands that did commit are found in the store and answered as before.
                log.LogWarning(ex, "Saving {Count} command(s) at {Centre} failed (attempt {Attempt} of {Attempts}); reloading and applying again",
                    batch.Count, centre, attempt, Attempts);
            }
            catch (Exception ex)
            {
                await scope.DisposeAsync();
                // Each consumer's message retry and, after that, the error queue take it from here.
                foreach (var pending in batch) pending.Answer.TrySetException(ex);
                return null;
            }
        }
        return null;
    }

    /// <summary>
    /// After the previous batch has published and answered, publishes this one's events and answers its commands: a
    /// centre's events go out in the order they happened. A failed publish fails the batch's answers; the events are
    /// in the outbox and the commands' retries find them applied. A publish that is not confirmed within
    /// Router:CommandTimeout counts as failed: a confirm that never comes (a broker node that died under the channel;
    /// RabbitMQ.Client 7.2 can leave a publish waiting for ever after a lost connection, rabbitmq-dotnet-client#1930)
    /// would otherwise hold this batch's answers, every later batch's with them, and so every consumer slot of the
    /// centre's queues: the worker would take nothing more until it restarted.
    /// </summary>
    private async Task Finish(Task previous, AsyncServiceScope scope, List<PendingCommand> batch, CancellationToken stop)
    {
        await using (scope)
        {
            await previous;
            try
            {
                using var timeout = new CancellationTokenSource(hosting.Value.CommandTimeout, time);
                using var publishing = CancellationTokenSource.CreateLinkedTokenSource(stop, timeout.Token);
                // Also stops waiting should the transport not heed the token; what it still does later changes nothing here.
                await scope.ServiceProvider.GetRequiredService<CentreWorker>().Finish(publishing.Token).WaitAsync(publishing.Token);
            }
            catch (Exception ex)
            {
                log.LogWarning(ex, "Publishing what {Count} command(s) at {Centre} changed failed; the outbox relay publishes it", batch.Count, batch[0].Command.Centre);
                foreach (var pending in batch) pending.Answer.TrySetException(ex);
            }
        }
    }

    public void Dispose()
    {
        // Not disposed: a loop may still be looking at its token.
        _stopping.Cancel();
    }
}
