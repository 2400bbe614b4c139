using System.Collections.Concurrent;
using System.Threading.Channels;
using Sensing.Kafka;

namespace Sensing.Processor;

/// <summary>
/// Makes completed batches durable in the background, one at a time and in the order they were handed over, while
/// the consume loop reads the next ones: waits for the batch's Kafka deliveries, writes its lines to the store
/// (waiting out an outage), then writes its checkpoints. Only then are its offsets reported as done
/// (<see cref="TakeDone"/>), so a committed offset or a checkpoint never runs ahead of what is stored.
/// </summary>
/// <remarks>
/// Bounded: at most <see cref="ProcessorOptions.MaxBatchesInFlight"/> batches are handed over and not yet durable;
/// the consume loop asks <see cref="HasRoom"/> before it reads a batch and holds back (pausing its partitions, so it
/// keeps polling and stays in the group) while there is none. A delivery Kafka refuses or a store rejection ends the
/// writer; the consume loop rethrows it.
/// </remarks>
internal sealed class BatchWriter
{
    private readonly Channel<CompletedBatch> _queue;
    private readonly ConcurrentQueue<CompletedBatch> _free = new();
    private readonly int _capacity;
    private readonly ProcessorStore _store;
    private readonly RecordProducer _producer;
    private readonly string _checkpointTopic;
    private readonly ProcessorCounters _counters;
    private readonly ProcessorInstruments? _instruments;
    private readonly CancellationTokenSource _stop = new();
    private readonly object _gate = new();
    private readonly Dictionary<int, long> _done = [];
    private readonly Task _loop;
    private int _doneBatches;
    private int _inFlight;

    public BatchWriter(
        int capacity, ProcessorStore store, RecordProducer producer, string checkpointTopic, ProcessorCounters counters,
        ProcessorInstruments? instruments)
    {
        _capacity = capacity;
        _store = store;
        _producer = producer;
        _checkpointTopic = checkpointTopic;
        _counters = counters;
        _instruments = instruments;
        // The consume loop checks HasRoom before each batch, so a write never finds the channel full.
        _queue = Channel.CreateBounded<CompletedBatch>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _loop = Task.Run(WriteLoopAsync);
    }

    /// <summary>True while fewer than the capacity's batches are handed over and not yet durable.</summary>
    public bool HasRoom => Volatile.Read(ref _inFlight) < _capacity;

    /// <summary>True once the writer stopped; faulted when a batch could not be made durable.</summary>
    public bool IsStopped => _loop.IsCompleted;

    /// <summary>An empty batch to fill (reused once the writer is done with it).</summary>
    public CompletedBatch Rent() => _free.TryDequeue(out var batch) ? batch : new CompletedBatch();

    /// <summary>Hands a sealed batch over. Call only when <see cref="HasRoom"/>.</summary>
    public void Enqueue(CompletedBatch batch)
    {
        Interlocked.Increment(ref _inFlight);
        if (!_queue.Writer.TryWrite(batch))
        {
            Interlocked.Decrement(ref _inFlight);
            throw new InvalidOperationException(IsStopped ? "the batch writer has stopped" : "the batch writer is full");
        }
    }

    /// <summary>
    /// Moves the offsets of the batches made durable since the last call into <paramref name="offsets"/> (highest
    /// per partition) and returns how many batches they cover.
    /// </summary>
    public int TakeDone(Dictionary<int, long> offsets)
    {
        lock (_gate)
        {
            foreach (var (partition, next) in _done)
            {
                offsets[partition] = Math.Max(next, offsets.GetValueOrDefault(partition));
            }

            _done.Clear();
            var batches = _doneBatches;
            _doneBatches = 0;
            return batches;
        }
    }

    /// <summary>Throws what stopped the writer, if a batch could not be made durable.</summary>
    public void ThrowIfFailed()
    {
        if (_loop.IsFaulted)
        {
            _loop.GetAwaiter().GetResult();
        }
    }

    /// <summary>Waits up to <paramref name="timeout"/> for room; true when there is.</summary>
    public bool WaitForRoom(TimeSpan timeout, CancellationToken cancellationToken) =>
        WaitUntil(() => _inFlight < _capacity, timeout, cancellationToken);

    /// <summary>Waits up to <paramref name="timeout"/> until every batch handed over is durable; true when so.</summary>
    public bool WaitUntilIdle(TimeSpan timeout, CancellationToken cancellationToken) =>
        WaitUntil(() => _inFlight == 0, timeout, cancellationToken);

    /// <summary>
    /// Takes no more batches, gives those handed over up to <paramref name="drainTimeout"/> to become durable, then
    /// cancels what is left (its offsets stay uncommitted) and waits for the writer to end.
    /// </summary>
    public async Task StopAsync(TimeSpan drainTimeout)
    {
        _queue.Writer.TryComplete();
        await _loop.WaitAsync(drainTimeout).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await _stop.CancelAsync();
        await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }

    private bool WaitUntil(Func<bool> condition, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = timeout == Timeout.InfiniteTimeSpan ? long.MaxValue : Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        lock (_gate)
        {
            while (!condition() && !_loop.IsCompleted && !cancellationToken.IsCancellationRequested)
            {
                var left = deadline - Environment.TickCount64;
                if (left <= 0)
                {
                    return false;
                }

                // Woken by every batch made durable; the slice bounds how late cancellation or a stop is seen.
                Monitor.Wait(_gate, (int)Math.Min(left, 50));
            }

            return condition();
        }
    }

    private async Task WriteLoopAsync()
    {
        try
        {
            await foreach (var batch in _queue.Reader.ReadAllAsync(_stop.Token))
            {
                await MakeDurableAsync(batch, _stop.Token);
                lock (_gate)
                {
                    foreach (var (partition, next) in batch.Offsets)
                    {
                        _done[partition] = next;
                    }

                    _doneBatches++;
                    _inFlight--;
                    Monitor.PulseAll(_gate);
                }

                batch.Clear();
                _free.Enqueue(batch);
            }
        }
        finally
        {
            lock (_gate)
            {
                Monitor.PulseAll(_gate);
            }
        }
    }

    private async Task MakeDurableAsync(CompletedBatch batch, CancellationToken cancellationToken)
    {
        for (var i = 0; i < batch.AlertDeliveries.Count; i++)
        {
            var outcome = await batch.AlertDeliveries[i].WaitAsync(cancellationToken);
            if (!outcome.Persisted)
            {
                throw new InvalidOperationException("alert event not accepted by Kafka: " + outcome.Error);
            }

            _counters.AddAlertEvent();
            _instruments?.AlertPublished(batch.Alerts[i]);
        }

        foreach (var delivery in batch.CommandDeliveries)
        {
            var outcome = await delivery.WaitAsync(cancellationToken);
            if (!outcome.Persisted)
            {
                throw new InvalidOperationException("device command not accepted by Kafka: " + outcome.Error);
            }

            _counters.AddCommand();
        }

        foreach (var delivery in batch.DeadLetterDeliveries)
        {
            var outcome = await delivery.WaitAsync(cancellationToken);
            if (!outcome.Persisted)
            {
                throw new InvalidOperationException("dead letter not accepted by Kafka: " + outcome.Error);
            }
        }

        var lines = batch.Lines;
        batch.Lines = default;
        if (lines.Length > 0)
        {
            // A detecting processor beside a store sink has none: nothing waits for the store.
            await _store.WriteAsync(lines, _counters, cancellationToken);
        }

        if (batch.Checkpoints.Count == 0)
        {
            return;
        }

        // A checkpoint is written only after the lines of every record before its offset are stored: whoever restores
        // it reads on from that offset and must not skip a reading the store never got.
        var deliveries = new Task<DeliveryOutcome>[batch.Checkpoints.Count];
        for (var i = 0; i < deliveries.Length; i++)
        {
            var (key, value) = batch.Checkpoints[i];
            deliveries[i] = _producer.ProduceAndWaitAsync(_checkpointTopic, key, value, cancellationToken);
        }

        foreach (var outcome in await Task.WhenAll(deliveries))
        {
            if (!outcome.Persisted)
            {
                throw new InvalidOperationException("checkpoint not accepted by Kafka: " + outcome.Error);
            }
        }

        _counters.AddCheckpoints(deliveries.Length);
    }
}
