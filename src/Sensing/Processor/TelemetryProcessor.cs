using System.Diagnostics;
using System.Text.Json;
using Sensing.Core.Alerts;
using Sensing.Core.Devices;
using Sensing.Core.Telemetry;
using Sensing.Detection;
using Sensing.Kafka;

namespace Sensing.Processor;

/// <summary>
/// Consumes <c>sensing.telemetry</c>, runs detection, publishes alert lifecycle events to <c>sensing.alerts</c>
/// and writes readings and alerts to the store. Offsets are committed only after every alert event of the
/// batch is acknowledged by Kafka and every line is accepted by the store, so a crash replays the batch
/// (deterministic alert ids make the replay harmless).
/// </summary>
public sealed class TelemetryProcessor : IAlertSink
{
    private readonly ProcessorOptions _options;
    private readonly KafkaOptions _kafka;
    private readonly DeviceRegistry _registry;
    private readonly DetectionEngine _engine;
    private readonly ProcessorStore _store;
    private readonly Action<string> _log;
    private readonly List<AlertEvent> _batchAlerts = [];
    private readonly Dictionary<int, long> _nextOffsets = [];

    /// <summary>Creates a processor; nothing runs until <see cref="Run"/>.</summary>
    public TelemetryProcessor(
        ProcessorOptions options, KafkaOptions kafka, DeviceRegistry registry, DetectionOptions detection,
        ProcessorStore store, Action<string> log)
    {
        _options = options.Validate();
        _kafka = kafka.Validate();
        _registry = registry;
        _engine = new DetectionEngine(detection, registry, this);
        _store = store;
        _log = log;
    }

    /// <summary>Counters for progress output.</summary>
    public ProcessorCounters Counters { get; } = new();

    /// <summary>
    /// The consume loop. Runs on the calling thread until <paramref name="stoppingToken"/> fires; the Kafka
    /// consumer is not thread-safe, so give it a dedicated thread.
    /// </summary>
    public void Run(CancellationToken stoppingToken)
    {
        using var producer = new RecordProducer(_kafka, "sensing-processor", _log);
        using var consumer = new RecordConsumer(_kafka, _options.GroupId, "sensing-processor", _log,
            onAssigned: p => _log($"processor: assigned partitions {string.Join(',', p)}"),
            onRevoked: p => _log($"processor: revoked partitions {string.Join(',', p)}"));
        consumer.Subscribe(_kafka.Topics.Telemetry);
        while (!stoppingToken.IsCancellationRequested)
        {
            FillBatch(consumer, producer, stoppingToken);
            if (_nextOffsets.Count == 0)
            {
                continue;
            }

            try
            {
                // Blocking on the batch's acknowledgements is deliberate: this thread owns the consumer and
                // must not read further until the batch is durable.
                CompleteBatchAsync(producer, stoppingToken).GetAwaiter().GetResult();
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return; // uncommitted: the next owner of these partitions replays the batch
            }

            consumer.Commit(_kafka.Topics.Telemetry, _nextOffsets);
            _nextOffsets.Clear();
            Counters.AddBatch();
        }
    }

    /// <inheritdoc />
    void IAlertSink.OnAlert(AlertEvent alert) => _batchAlerts.Add(alert);

    private void FillBatch(RecordConsumer consumer, RecordProducer producer, CancellationToken stoppingToken)
    {
        var started = Stopwatch.GetTimestamp();
        var count = 0;
        while (count < _options.MaxBatch && !stoppingToken.IsCancellationRequested)
        {
            var left = _options.MaxBatchWait - Stopwatch.GetElapsedTime(started);
            if (left <= TimeSpan.Zero && count > 0)
            {
                break;
            }

            if (consumer.Consume(left > TimeSpan.Zero ? left : _options.MaxBatchWait) is not { } record)
            {
                if (count > 0)
                {
                    break;
                }

                continue;
            }

            count++;
            Counters.AddConsumed();
            Handle(record, producer, stoppingToken);
            _nextOffsets[record.Partition] = record.Offset + 1;
        }
    }

    private void Handle(ConsumedRecord record, RecordProducer producer, CancellationToken stoppingToken)
    {
        if (!TelemetryFrame.TryDecode(record.Value, out var frame, out var error))
        {
            DeadLetter(record, producer, "frame: " + error, stoppingToken);
            return;
        }

        if (!_registry.TryFind(frame.DeviceId, out var number))
        {
            DeadLetter(record, producer, "unregistered device", stoppingToken);
            return;
        }

        _engine.Process(number, frame);
        Counters.AddProcessed();
        _store.AppendReading(number, _registry[number], frame, raw: _options.StoreRawReadings);
    }

    private void DeadLetter(ConsumedRecord record, RecordProducer producer, string reason, CancellationToken stoppingToken)
    {
        Counters.AddDeadLettered();
        var letter = JsonSerializer.SerializeToUtf8Bytes(
            new ProcessorDeadLetter(reason, record.Topic, record.Partition, record.Offset, record.Value),
            ProcessorJsonContext.Default.ProcessorDeadLetter);
        producer.ProduceAsync(_kafka.Topics.DeadLetter, record.Key, letter, null, stoppingToken).AsTask().GetAwaiter().GetResult();
    }

    private async Task CompleteBatchAsync(RecordProducer producer, CancellationToken stoppingToken)
    {
        var deliveries = new List<Task<DeliveryOutcome>>(_batchAlerts.Count);
        foreach (var alert in _batchAlerts)
        {
            _store.AppendAlert(alert);
            var value = JsonSerializer.SerializeToUtf8Bytes(alert, AlertJsonContext.Default.AlertEvent);
            deliveries.Add(producer.ProduceAndWaitAsync(_kafka.Topics.Alerts, System.Text.Encoding.UTF8.GetBytes(alert.Id), value, stoppingToken));
        }

        foreach (var outcome in await Task.WhenAll(deliveries))
        {
            if (!outcome.Persisted)
            {
                throw new InvalidOperationException("alert event not accepted by Kafka: " + outcome.Error);
            }

            Counters.AddAlertEvent();
        }

        _batchAlerts.Clear();
        await _store.FlushAsync(Counters, stoppingToken);
    }
}

/// <summary>A telemetry record the processor could not use, as written to the dead-letter topic.</summary>
public sealed record ProcessorDeadLetter(string Reason, string Topic, int Partition, long Offset, byte[] Record);
