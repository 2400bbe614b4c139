using Sensing.Storage.Internal;
using Sensing.Storage.Telemetry;

namespace Sensing.Storage;

/// <content>Sealed batches waiting for the store, sent in order by one background loop; flush and dispose.</content>
public sealed partial class StoreWriter
{
    // Sealed batches not yet accepted, oldest first. It is bounded by MaxBufferedBytes (TryAppend refuses beyond
    // it). The lock guards the queue and every field below it.
    private readonly Queue<PendingBatch> _pending = new();
    private Task _sender = Task.CompletedTask;
    private bool _sending;
    private bool _paused;
    private StoreWriteException? _lastOutage;
    private StoreWriteException? _firstRejection;
    private int _rejectedSinceFlush;
    private long _pendingBytes;
    private long _pointsWritten;
    private long _batchesWritten;
    private long _retries;
    private long _circuitBreaks;
    private long _outages;
    private long _failedBatches;

    /// <summary>Counters since creation.</summary>
    public StoreWriterCounters Counters
    {
        get
        {
            lock (_pending)
            {
                return new(_pointsWritten, _batchesWritten, Interlocked.Read(ref _retries), _outages, _failedBatches,
                    _lines.SkippedNonFiniteFields, _lines.DroppedLines)
                {
                    CircuitBreaks = Interlocked.Read(ref _circuitBreaks),
                };
            }
        }
    }

    /// <summary>
    /// Sends the current batch and every batch still held (resuming after an outage), and waits until the store
    /// accepted them all. Cancelling stops the wait only; sending continues in the background.
    /// </summary>
    /// <exception cref="StoreWriteException">A batch was rejected since the previous flush (<c>IsTransient</c> false,
    /// reported once), or the store is unavailable and batches are kept for the next flush (<c>IsTransient</c> true).</exception>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await ResumeSendingAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        lock (_pending)
        {
            if (_firstRejection is { } rejection)
            {
                var rejected = _rejectedSinceFlush;
                _firstRejection = null;
                _rejectedSinceFlush = 0;
                throw new StoreWriteException(
                    $"{rejected} batch(es) rejected by the store and dropped since the last flush; first: {rejection.Message}",
                    rejection.StatusCode, isTransient: false, rejection);
            }

            if (_paused && _lastOutage is { } outage)
            {
                throw new StoreWriteException(
                    $"{_pending.Count} batch(es) ({Interlocked.Read(ref _pendingBytes)} bytes) are kept and sent again by the next flush: {outage.Message}",
                    outage.StatusCode, isTransient: true, outage);
            }
        }
    }

    /// <summary>
    /// Sends what is buffered and waits up to <see cref="StoreWriterOptions.DisposeTimeout"/>, then cancels what is
    /// left (counted in <see cref="StoreWriterCounters.FailedBatches"/>) and releases buffers. Never throws for
    /// batches: call <see cref="FlushAsync"/> first to know they were written.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        var sender = ResumeSendingAsync();
        try
        {
            await sender.WaitAsync(_options.DisposeTimeout).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await _lifetime.CancelAsync().ConfigureAwait(false);
            await sender.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        finally
        {
            lock (_pending)
            {
                while (_pending.TryDequeue(out var abandoned))
                {
                    _failedBatches++;
                    Release(abandoned);
                }
            }

            _batch.Dispose();
            _lifetime.Dispose();
            if (_ownsHttp)
            {
                _http.Dispose();
            }
        }
    }

    // Seals the current batch, lifts an outage pause and returns the loop that will drain the queue.
    private Task ResumeSendingAsync()
    {
        Seal();
        lock (_pending)
        {
            _paused = false;
            _lastOutage = null;
            StartSenderIfIdle();
            return _sender;
        }
    }

    private void Enqueue(PooledBuffer body, int lines)
    {
        Interlocked.Add(ref _pendingBytes, body.Length);
        lock (_pending)
        {
            _pending.Enqueue(new PendingBatch(body, lines));
            StartSenderIfIdle();
        }
    }

    // Caller holds the lock. One loop at a time keeps batches in append order.
    private void StartSenderIfIdle()
    {
        if (_sending || _paused || _pending.Count == 0)
        {
            return;
        }

        _sending = true;
        _sender = Task.Run(SendPendingAsync);
    }

    private async Task SendPendingAsync()
    {
        while (true)
        {
            PendingBatch batch;
            lock (_pending)
            {
                if (!_pending.TryPeek(out batch))
                {
                    _sending = false;
                    return;
                }
            }

            try
            {
                await SendBatchAsync(batch.Body.Memory, _lifetime.Token).ConfigureAwait(false);
                lock (_pending)
                {
                    _pending.Dequeue();
                    _pointsWritten += batch.Lines;
                    _batchesWritten++;
                }

                PipelineMetrics.StorePoints.Add(batch.Lines);
            }
            catch (StoreWriteException rejected) when (!rejected.IsTransient)
            {
                lock (_pending)
                {
                    _pending.Dequeue();
                    _failedBatches++;
                    _rejectedSinceFlush++;
                    _firstRejection ??= rejected;
                }

                PipelineMetrics.StoreWriteFailed(transient: false);
            }
            catch (Exception ex)
            {
                // Out of retries (or cancelled by dispose): keep the batch at the head and pause until a flush.
                lock (_pending)
                {
                    _outages += _lifetime.IsCancellationRequested ? 0 : 1;
                    _lastOutage = ex as StoreWriteException
                        ?? new StoreWriteException($"Sending to {_writeUri} failed: {ex.Message}", null, isTransient: true, ex);
                    _paused = true;
                    _sending = false;
                }

                PipelineMetrics.StoreWriteFailed(transient: true);

                return;
            }

            Release(batch);
        }
    }

    private void Release(PendingBatch batch)
    {
        Interlocked.Add(ref _pendingBytes, -batch.Body.Length);
        batch.Body.Return();
    }

    private readonly record struct PendingBatch(PooledBuffer Body, int Lines);
}
