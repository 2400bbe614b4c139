using Confluent.Kafka;

namespace Sensing.Kafka;

/// <summary>The broker's answer for one produced record.</summary>
/// <param name="Persisted">True when the broker acknowledged the record (acks=all).</param>
/// <param name="Partition">Partition the record went to (-1 on failure).</param>
/// <param name="Offset">Offset of the record (-1 on failure).</param>
/// <param name="Error">Why it failed; null on success.</param>
public readonly record struct DeliveryOutcome(bool Persisted, int Partition, long Offset, string? Error)
{
    /// <summary>The record failed only because the client took its topic for absent (a broker restarting): worth another try.</summary>
    public bool UnknownTopic { get; init; }
}

/// <summary>
/// Produces raw records (key and value bytes) to the Sensing topics. Delivery callbacks run on the client's
/// delivery thread and must be short. When the client's buffer is full, <see cref="ProduceAsync"/> waits: the
/// caller (a gateway connection) stops reading its socket, which pushes back on the device over TCP.
/// </summary>
public sealed class RecordProducer : IDisposable, IProducerHealth
{
    private readonly IProducer<byte[], byte[]> _producer;
    private readonly TimeSpan _deliveryTimeout;
    private readonly Action<string>? _log;
    private long _failed;
    private long _handed;
    private long _reported;
    private long _lastProgressMs;

    /// <summary>
    /// Connects a producer; <paramref name="log"/> receives client errors and warnings. Its outcomes feed
    /// <see cref="Circuit"/> (<paramref name="circuit"/>: when it opens and closes).
    /// </summary>
    public RecordProducer(KafkaOptions options, string clientId, Action<string>? log = null, ProducerCircuitOptions? circuit = null)
    {
        options.Validate();
        _deliveryTimeout = options.DeliveryTimeout;
        _log = log;
        Circuit = new ProducerCircuit(circuit ?? ProducerCircuitOptions.Default, this);
        _producer = new ProducerBuilder<byte[], byte[]>(KafkaClientConfig.Producer(options, clientId))
            .SetErrorHandler((_, e) =>
            {
                // Broker-level failures count against the circuit; the client keeps reconnecting on its own.
                if (e.Code is ErrorCode.Local_AllBrokersDown or ErrorCode.Local_Transport or ErrorCode.Local_Resolve)
                {
                    Circuit.Report(success: false);
                }

                log?.Invoke($"kafka producer: {e.Code}: {e.Reason}");
            })
            .SetLogHandler((_, m) => KafkaClientConfig.Log(m, "kafka producer", log))
            .Build();
    }

    /// <summary>The circuit breaker fed by this producer's deliveries and broker errors.</summary>
    public ProducerCircuit Circuit { get; }

    /// <summary>Records the broker refused or that timed out.</summary>
    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>
    /// Hands one record to the client; <paramref name="onDelivery"/> runs once the broker acknowledged it or
    /// it failed. Waits (without blocking a thread) while the client's buffer is full.
    /// </summary>
    public async ValueTask ProduceAsync(string topic, byte[] key, byte[] value, Action<DeliveryOutcome>? onDelivery, CancellationToken cancellationToken)
    {
        var message = new Message<byte[], byte[]> { Key = key, Value = value };
        var handler = onDelivery is null ? (Action<DeliveryReport<byte[], byte[]>>)CountFailure : report =>
        {
            var ok = report.Error.Code == ErrorCode.NoError && report.Status == PersistenceStatus.Persisted;
            if (!ok)
            {
                Interlocked.Increment(ref _failed);
            }

            Reported(ok);
            onDelivery(ok
                ? new DeliveryOutcome(true, report.Partition.Value, report.Offset.Value, null)
                : new DeliveryOutcome(false, -1, -1, report.Error.Code == ErrorCode.NoError ? report.Status.ToString() : report.Error.Reason)
                {
                    UnknownTopic = report.Error.Code is ErrorCode.Local_UnknownTopic or ErrorCode.Local_UnknownPartition or ErrorCode.UnknownTopicOrPart,
                });
        };

        var backoff = 1;
        long? unknownSince = null;
        var toldUnknown = false;
        while (true)
        {
            try
            {
                _producer.Produce(topic, message, handler);
                if (Interlocked.Increment(ref _handed) - 1 == Volatile.Read(ref _reported))
                {
                    // Nothing was waiting: the stall clock starts now.
                    Volatile.Write(ref _lastProgressMs, Environment.TickCount64);
                }

                return;
            }
            catch (ProduceException<byte[], byte[]> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
            {
                await Task.Delay(backoff, cancellationToken);
                backoff = Math.Min(backoff * 2, 50);
            }
            catch (ProduceException<byte[], byte[]> e) when (e.Error.Code is ErrorCode.Local_UnknownTopic or ErrorCode.Local_UnknownPartition
                && Environment.TickCount64 - (unknownSince ??= Environment.TickCount64) < _deliveryTimeout.TotalMilliseconds)
            {
                // A broker that restarts answers metadata requests before it has loaded its topics, and the client then
                // marks an existing topic as absent and fails every record for it at once (librdkafka issues #889, #3513)
                // until its next metadata refresh (KafkaClientConfig: every 10 s). The Sensing topics are created before
                // anything produces to them, so "unknown" is taken as that passing state and retried, up to the delivery
                // timeout, after which it is an error as any other.
                if (!toldUnknown)
                {
                    toldUnknown = true;
                    _log?.Invoke($"kafka producer: {topic}: {e.Error.Reason}; retrying until the broker knows the topic again");
                }

                await Task.Delay(Math.Max(backoff, 100), cancellationToken);
                backoff = Math.Min(Math.Max(backoff * 2, 100), 1000);
            }
        }
    }

    /// <summary>
    /// Produces one record and waits for the broker's answer. A record the client failed because it took the topic
    /// for absent (a restarting broker, see <see cref="ProduceAsync"/>) is produced again, up to the delivery timeout.
    /// </summary>
    public async Task<DeliveryOutcome> ProduceAndWaitAsync(string topic, byte[] key, byte[] value, CancellationToken cancellationToken)
    {
        var started = Environment.TickCount64;
        while (true)
        {
            var done = new TaskCompletionSource<DeliveryOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
            await ProduceAsync(topic, key, value, outcome => done.TrySetResult(outcome), cancellationToken);
            var result = await done.Task.WaitAsync(cancellationToken);
            if (result.Persisted || !result.UnknownTopic || Environment.TickCount64 - started >= _deliveryTimeout.TotalMilliseconds)
            {
                return result;
            }

            await Task.Delay(500, cancellationToken);
        }
    }

    /// <summary>Waits until every record handed over so far is acknowledged or failed; false on timeout.</summary>
    public bool Flush(TimeSpan timeout) => _producer.Flush(timeout) == 0;

    /// <inheritdoc />
    public void Dispose()
    {
        _producer.Flush(TimeSpan.FromSeconds(10));
        Circuit.Dispose();
        _producer.Dispose();
    }

    private void Reported(bool ok)
    {
        Interlocked.Increment(ref _reported);
        Volatile.Write(ref _lastProgressMs, Environment.TickCount64);
        Circuit.Report(ok);
    }

    private void CountFailure(DeliveryReport<byte[], byte[]> report)
    {
        var ok = report.Error.Code == ErrorCode.NoError;
        if (!ok)
        {
            Interlocked.Increment(ref _failed);
        }

        Reported(ok);
    }

    /// <inheritdoc />
    bool IProducerHealth.IsStalled(TimeSpan timeout) =>
        Volatile.Read(ref _handed) > Volatile.Read(ref _reported)
        && Environment.TickCount64 - Volatile.Read(ref _lastProgressMs) > (long)timeout.TotalMilliseconds;

    /// <inheritdoc />
    bool IProducerHealth.Probe(TimeSpan timeout)
    {
        try
        {
            using var admin = new DependentAdminClientBuilder(_producer.Handle).Build();
            return admin.GetMetadata(timeout).Brokers.Count > 0;
        }
        catch (KafkaException)
        {
            return false;
        }
    }
}
