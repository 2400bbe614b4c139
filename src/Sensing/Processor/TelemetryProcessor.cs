using System.Diagnostics;
using System.Text.Json;
using Sensing.Core.Alerts;
using Sensing.Core.Commands;
using Sensing.Core.Devices;
using Sensing.Core.Telemetry;
using Sensing.Detection;
using Sensing.Kafka;

namespace Sensing.Processor;

/// <summary>
/// Consumes <c>sensing.telemetry</c>, runs detection, publishes alert lifecycle events to <c>sensing.alerts</c>
/// and device commands (a rupture's valve-close) to <c>sensing.commands</c>, and writes readings and alerts to
/// the store. Offsets are committed only after every alert event and command of the batch is acknowledged by
/// Kafka and every line is accepted by the store, so a crash replays the batch (deterministic alert and command
/// ids make the replay harmless). Event time moves on for time-driven conditions (offline, out of service) once
/// per <see cref="ProcessorOptions.AdvanceInterval"/>, to the watermark: the highest time processed, where a
/// reading's time is its event time capped by its ingest time (a device clock running ahead cannot push every
/// other device offline). With <see cref="ProcessorOptions.Checkpoints"/>, each owned partition's detection state
/// is written to <c>sensing.checkpoints</c> with the offset it reflects before offsets are committed, and read back
/// when the partition is assigned (TelemetryProcessor.Checkpoints.cs).
/// </summary>
public sealed partial class TelemetryProcessor : IAlertSink, ICommandSink
{
    private readonly ProcessorOptions _options;
    private readonly KafkaOptions _kafka;
    private readonly DeviceRegistry _registry;
    private readonly DetectionEngine _engine;
    private readonly ProcessorStore _store;
    private readonly Action<string> _log;
    private readonly List<AlertEvent> _batchAlerts = [];
    private readonly List<DeviceCommand> _batchCommands = [];
    private long _watermarkMs = long.MinValue;

    // Telemetry partition + 1 each device was last read from (0: not read yet), by dense device number.
    private int[] _partitionOf = [];
    private long _lastAdvance;
    private ProcessorInstruments? _instruments;
    private readonly Dictionary<int, long> _nextOffsets = [];

    /// <summary>Creates a processor; nothing runs until <see cref="Run"/>.</summary>
    public TelemetryProcessor(
        ProcessorOptions options, KafkaOptions kafka, DeviceRegistry registry, DetectionOptions detection,
        ProcessorStore store, Action<string> log)
    {
        _options = options.Validate();
        _kafka = kafka.Validate();
        _registry = registry;
        _engine = new DetectionEngine(detection, registry, this, this);
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
        using var instruments = new ProcessorInstruments(Counters);
        _instruments = instruments;
        using var producer = new RecordProducer(_kafka, "sensing-processor", _log);
        using var consumer = new RecordConsumer(_kafka, _options.GroupId, "sensing-processor", _log,
            onAssigned: p => _log($"processor: assigned partitions {string.Join(',', p)}"),
            onRevoked: p =>
            {
                _log($"processor: revoked partitions {string.Join(',', p)}");
                Release(p);
            },
            startOffsets: _options.Checkpoints ? partitions => Restore(partitions) : null);
        consumer.Subscribe(_kafka.Topics.Telemetry);
        while (!stoppingToken.IsCancellationRequested)
        {
            FillBatch(consumer, producer, stoppingToken);
            AdvanceEventTime();
            if (_nextOffsets.Count == 0 && _batchAlerts.Count == 0 && _batchCommands.Count == 0)
            {
                continue;
            }

            try
            {
                // Blocking on the batch's acknowledgements is deliberate: this thread owns the consumer and
                // must not read further until the batch is durable.
                CompleteBatchAsync(producer, stoppingToken).GetAwaiter().GetResult();
                WriteCheckpointsIfDue(producer, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return; // uncommitted: the next owner of these partitions replays the batch
            }

            // A batch of alerts raised by the event-time tick alone (no new records) has no offsets to commit.
            if (_nextOffsets.Count > 0)
            {
                if (!consumer.TryCommit(_kafka.Topics.Telemetry, _nextOffsets, out var reason))
                {
                    // Not kept for a retry: the partitions may have moved, and a stale commit would rewind their new
                    // owner. The next commit covers what this one would have; a new owner replays from its checkpoint.
                    _log($"processor: offset commit refused ({reason}); the batch stays uncommitted");
                    Counters.AddCommitRefused();
                }

                _nextOffsets.Clear();
            }

            Counters.AddBatch();
        }
    }

    /// <inheritdoc />
    void IAlertSink.OnAlert(AlertEvent alert) => _batchAlerts.Add(alert);

    /// <inheritdoc />
    void ICommandSink.OnCommand(DeviceCommand command) => _batchCommands.Add(command);

    private void Release(IReadOnlyList<int> partitions)
    {
        // Their devices' readings go to another processor now: time must not declare them offline here.
        for (var n = 0; n < _partitionOf.Length; n++)
        {
            if (_partitionOf[n] > 0 && partitions.Contains(_partitionOf[n] - 1))
            {
                _engine.Release(n);
                _partitionOf[n] = 0;
            }
        }

        foreach (var partition in partitions)
        {
            // The new owner starts from this partition's last checkpoint or committed offset.
            _positions.Remove(partition);
            _nextOffsets.Remove(partition);
            _checkpointed.Remove(partition);
        }
    }

    private void AdvanceEventTime()
    {
        // Alerts this raises join the current batch (which may hold no records when the stream is idle) and are
        // published before its offsets, if any, are committed.
        if (_watermarkMs == long.MinValue || Stopwatch.GetElapsedTime(_lastAdvance) < _options.AdvanceInterval)
        {
            return;
        }

        _lastAdvance = Stopwatch.GetTimestamp();
        _engine.AdvanceTo(_watermarkMs);
    }

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
                // Nothing within the batch wait: hand back even an empty batch, so the event-time tick still runs.
                break;
            }

            count++;
            Counters.AddConsumed();
            Handle(record, producer, stoppingToken);
            _nextOffsets[record.Partition] = record.Offset + 1;
            _positions[record.Partition] = record.Offset + 1;
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
        Counters.AddProcessed(_registry[number].Kind);
        if (number >= _partitionOf.Length)
        {
            Array.Resize(ref _partitionOf, Math.Max(number + 1, _registry.Count));
        }

        _partitionOf[number] = record.Partition + 1;
        var ingestMs = frame.IngestTimeMs;
        _watermarkMs = Math.Max(_watermarkMs, ingestMs > 0 ? Math.Min(frame.EventTimeMs, ingestMs) : frame.EventTimeMs);
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
        var deliveries = new List<Task<DeliveryOutcome>>(_batchAlerts.Count + _batchCommands.Count);
        foreach (var alert in _batchAlerts)
        {
            _store.AppendAlert(alert);
            var value = JsonSerializer.SerializeToUtf8Bytes(alert, AlertJsonContext.Default.AlertEvent);
            deliveries.Add(producer.ProduceAndWaitAsync(_kafka.Topics.Alerts, System.Text.Encoding.UTF8.GetBytes(alert.Id), value, stoppingToken));
        }

        foreach (var command in _batchCommands)
        {
            // Keyed by device id: one device's commands stay in order on one partition, and the gateway holding
            // the device's connection reads them in that order.
            var value = JsonSerializer.SerializeToUtf8Bytes(command, DeviceCommandJsonContext.Default.DeviceCommand);
            deliveries.Add(producer.ProduceAndWaitAsync(_kafka.Topics.Commands, System.Text.Encoding.UTF8.GetBytes(command.Device), value, stoppingToken));
        }

        var outcomes = await Task.WhenAll(deliveries);
        for (var i = 0; i < outcomes.Length; i++)
        {
            var isAlert = i < _batchAlerts.Count;
            if (!outcomes[i].Persisted)
            {
                throw new InvalidOperationException((isAlert ? "alert event" : "device command") + " not accepted by Kafka: " + outcomes[i].Error);
            }

            if (isAlert)
            {
                Counters.AddAlertEvent();
                _instruments?.AlertPublished(_batchAlerts[i]);
            }
            else
            {
                Counters.AddCommand();
            }
        }

        _batchAlerts.Clear();
        _batchCommands.Clear();
        await _store.FlushAsync(Counters, stoppingToken);
    }
}

/// <summary>A telemetry record the processor could not use, as written to the dead-letter topic.</summary>
public sealed record ProcessorDeadLetter(string Reason, string Topic, int Partition, long Offset, byte[] Record);
