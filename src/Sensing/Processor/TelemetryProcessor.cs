using System.Diagnostics;
using System.Text.Json;
using Sensing.Core.Alerts;
using Sensing.Core.Commands;
using Sensing.Core.Devices;
using Sensing.Core.Telemetry;
using Sensing.Detection;
using Sensing.Kafka;
using Sensing.Rules;

namespace Sensing.Processor;

/// <summary>
/// Consumes <c>sensing.telemetry</c>, runs detection, publishes alert lifecycle events to <c>sensing.alerts</c>
/// and device commands (a rupture's valve-close) to <c>sensing.commands</c>, and writes readings and alerts to
/// the store. The consume loop hands each completed batch to a bounded background writer
/// (<see cref="BatchWriter"/>) and reads on; a batch's offsets are committed only after every alert event, command
/// and dead letter of it is acknowledged by Kafka, every line is accepted by the store and its checkpoints are
/// written, so a crash replays the batch (deterministic alert and command ids make the replay harmless). When the
/// writer is full (a slow or stopped store) the loop pauses its partitions and keeps polling, which keeps its place
/// in the group (TelemetryProcessor.Backpressure.cs). Event time moves on for time-driven conditions (offline, out of
/// service) once per <see cref="ProcessorOptions.AdvanceInterval"/>, to the watermark: the lowest over the owned
/// partitions of the highest time each has processed, where a reading's time is its event time capped by its ingest
/// time (a device clock running ahead cannot push every other device offline; TelemetryProcessor.EventTime.cs). With <see cref="ProcessorOptions.Checkpoints"/>, each owned partition's detection
/// state is written to <c>sensing.checkpoints</c> with the offset it reflects before offsets are committed, and read
/// back when the partition is assigned (TelemetryProcessor.Checkpoints.cs).
/// </summary>
public sealed partial class TelemetryProcessor : IAlertSink, ICommandSink
{
    // On stop, how long batches already handed over get to become durable (and be committed) before they are left
    // uncommitted for the next owner to replay.
    private static readonly TimeSpan StopDrainTimeout = TimeSpan.FromSeconds(5);

    private readonly ProcessorOptions _options;
    private readonly KafkaOptions _kafka;
    private readonly DeviceRegistry _registry;
    private readonly DetectionEngine _engine;
    private readonly ProcessorStore _store;
    private readonly Action<string> _log;
    private readonly List<AlertEvent> _batchAlerts = [];
    private long _readingIngestMs;
    private RecordProducer? _producer;
    private readonly List<DeviceCommand> _batchCommands = [];
    private long _watermarkMs = long.MinValue;

    // Telemetry partition + 1 each device was last read from (0: not read yet), by dense device number.
    private int[] _partitionOf = [];
    private long _lastAdvance;
    private long _lastLag;
    private ProcessorInstruments? _instruments;
    private readonly Dictionary<int, long> _nextOffsets = [];
    private readonly Dictionary<int, long> _commitOffsets = [];
    private BatchWriter? _writer;
    private CompletedBatch? _open;
    private int _openRecords;

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

    /// <summary>
    /// Creates a processor whose detection options come from a rules file, watched while it runs: a change is applied
    /// between batches without losing detector state (TelemetryProcessor.Rules.cs).
    /// </summary>
    public TelemetryProcessor(
        ProcessorOptions options, KafkaOptions kafka, DeviceRegistry registry, RuleSet rules, ProcessorStore store, Action<string> log)
        : this(options, kafka, registry, rules?.Detection ?? throw new ArgumentNullException(nameof(rules)), store, log) => _rules = rules;

    // A store sink holds no detection state: it starts from its group's committed offsets.
    private bool Checkpointing => _options.Checkpoints && _options.Role != ProcessorRole.Store;

    private bool Detects => _options.Role != ProcessorRole.Store;

    private bool Stores => _options.Role != ProcessorRole.Detect;

    /// <summary>Counters for progress output.</summary>
    public ProcessorCounters Counters { get; } = new();

    /// <summary>
    /// The consume loop. Runs on the calling thread until <paramref name="stoppingToken"/> fires; the Kafka
    /// consumer is not thread-safe, so give it a dedicated thread. On stop, batches already handed to the writer get
    /// a few seconds to become durable and be committed; the rest is replayed by the next owner.
    /// </summary>
    public void Run(CancellationToken stoppingToken)
    {
        using var instruments = new ProcessorInstruments(Counters, aggregates: Stores ? _store.Aggregates : null);
        _instruments = instruments;
        using var producer = _producer = new RecordProducer(_kafka, "sensing-processor", _log);
        RecordConsumer? consumer = null;
        var writer = _writer = new BatchWriter(_options.MaxBatchesInFlight, _store, producer, _kafka.Topics.Checkpoints, Counters, instruments);
        try
        {
            StartRules();
            StartRepairs();
            consumer = new RecordConsumer(_kafka, _options.GroupId, _options.Role == ProcessorRole.Store ? "sensing-store" : "sensing-processor", _log,
                onAssigned: p =>
                {
                    _log($"processor: assigned partitions {string.Join(',', p)}");
                    _assignmentChanged = true;
                    _repairsAssignmentChanged = true;
                },
                onRevoked: p =>
                {
                    _log($"processor: revoked partitions {string.Join(',', p)}");
                    // Their batches in flight become durable and are committed while the partitions are still ours.
                    // The wait is bounded (a store outage): past half the poll interval the client would leave the
                    // group and the next poll throw. Batches still in flight then stay uncommitted for those
                    // partitions (the new owner replays them); a checkpoint the writer sends later only makes a
                    // later restore replay from an older, consistent point.
                    writer.WaitUntilIdle(_kafka.ConsumerMaxPollInterval / 2, stoppingToken);
                    CommitDone(consumer!);
                    Release(p);
                },
                startOffsets: Checkpointing ? partitions => Restore(partitions) : null);
            consumer.Subscribe(_kafka.Topics.Telemetry);
            _open = writer.Rent();
            while (!stoppingToken.IsCancellationRequested)
            {
                writer.ThrowIfFailed();
                CommitDone(consumer);
                if (!writer.HasRoom)
                {
                    HoldBack(consumer, producer, stoppingToken);
                    continue;
                }

                ResumeIfHeldBack(consumer);
                ApplyRulesIfChanged();
                FillBatch(consumer, producer, stoppingToken);

                // After the batch's records: a partition assigned in this poll has its repairs position before its checkpoint.
                ApplyRepairs(consumer);
                AdvanceEventTime();
                MeasureLagIfDue(consumer);
                if (_nextOffsets.Count == 0 && _batchAlerts.Count == 0 && _batchCommands.Count == 0 && !_rulesPointPending && !_repairsPending)
                {
                    continue;
                }

                writer.Enqueue(Seal());
                _open = writer.Rent();
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The host decides (the `sensing processor` command exits and its supervisor restarts it); the log says why.
            _log($"processor: stopped by {e.GetType().Name}: {e.Message}");
            throw;
        }
        finally
        {
            StopRules();
            StopRepairs();
            writer.StopAsync(StopDrainTimeout).GetAwaiter().GetResult();
            if (consumer is not null)
            {
                try
                {
                    CommitDone(consumer);
                }
                finally
                {
                    consumer.Dispose();
                }
            }

            _writer = null;
            _producer = null;
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// Published at once rather than when the batch closes, so an operator sees it within milliseconds of the reading;
    /// the batch writer still awaits its acknowledgement before the batch's offsets are committed. An event raised while
    /// a reading is processed carries that reading's ingest time (the start of the sensor-to-alert latency).
    /// </remarks>
    void IAlertSink.OnAlert(AlertEvent alert)
    {
        var step = _readingIngestMs > 0 ? alert with { IngestTimeMs = _readingIngestMs } : alert;
        _batchAlerts.Add(step);
        var value = JsonSerializer.SerializeToUtf8Bytes(step, AlertJsonContext.Default.AlertEvent);
        _open!.Alerts.Add(step);
        _open.AlertDeliveries.Add(_producer!.ProduceAndWaitAsync(_kafka.Topics.Alerts, System.Text.Encoding.UTF8.GetBytes(step.Id), value, CancellationToken.None));
    }

    /// <inheritdoc />
    /// <remarks>Published at once, like alerts: a valve-close reaches the meter without waiting for the batch to close.</remarks>
    void ICommandSink.OnCommand(DeviceCommand command)
    {
        _batchCommands.Add(command);
        // Keyed by device id: one device's commands stay in order on one partition, and the gateway holding the
        // device's connection reads them in that order.
        var value = JsonSerializer.SerializeToUtf8Bytes(command, DeviceCommandJsonContext.Default.DeviceCommand);
        _open!.CommandDeliveries.Add(_producer!.ProduceAndWaitAsync(_kafka.Topics.Commands, System.Text.Encoding.UTF8.GetBytes(command.Device), value, CancellationToken.None));
    }

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

        Counters.ForgetLag(partitions);
        ForgetTime(partitions);
        foreach (var partition in partitions)
        {
            // The new owner starts from this partition's last checkpoint or committed offset.
            _positions.Remove(partition);
            _nextOffsets.Remove(partition);
            _checkpointed.Remove(partition);
            _paused.Remove(partition);

            // The new owner reads the reports on from the position in the partition's checkpoint.
            _repairsFrom.Remove(partition);
            _ownedSince.Remove(partition);
        }

        _repairsAssignmentChanged = true;
    }

    private void AdvanceEventTime()
    {
        // Alerts this raises join the current batch (which may hold no records when the stream is idle) and are
        // published before its offsets, if any, are committed.
        UpdateWatermark();
        if (_watermarkMs == long.MinValue || Stopwatch.GetElapsedTime(_lastAdvance) < _options.AdvanceInterval)
        {
            return;
        }

        _lastAdvance = Stopwatch.GetTimestamp();
        if (Detects)
        {
            _engine.AdvanceTo(_watermarkMs);

            // A partition gone quiet has no time of its own moving: the watermark stands in for it, so its silent
            // devices are still found (the one case where which silences are raised depends on timing).
            foreach (var partition in QuietPartitions())
            {
                _engine.AdvanceStream(partition, _watermarkMs);
            }
        }
    }

    private void MeasureLagIfDue(RecordConsumer consumer)
    {
        // The consumer is this thread's: measured here, read by the metrics export from the counters.
        if (_lastLag != 0 && Stopwatch.GetElapsedTime(_lastLag) < _options.LagInterval)
        {
            return;
        }

        _lastLag = Stopwatch.GetTimestamp();
        Counters.SetLag(consumer.Lag(_kafka.Topics.Telemetry, _positions));
    }

    private void FillBatch(RecordConsumer consumer, RecordProducer producer, CancellationToken stoppingToken)
    {
        var started = Stopwatch.GetTimestamp();
        while (_openRecords < _options.MaxBatch && !stoppingToken.IsCancellationRequested)
        {
            var left = _options.MaxBatchWait - Stopwatch.GetElapsedTime(started);
            if (left <= TimeSpan.Zero && _openRecords > 0)
            {
                break;
            }

            if (consumer.Consume(left > TimeSpan.Zero ? left : _options.MaxBatchWait) is not { } record)
            {
                // Nothing within the batch wait: hand back even an empty batch, so the event-time tick still runs.
                break;
            }

            Take(record, producer);
        }
    }

    // One record into the open batch.
    private void Take(ConsumedRecord record, RecordProducer producer)
    {
        _openRecords++;
        Counters.AddConsumed();
        Handle(record, producer);
        _nextOffsets[record.Partition] = record.Offset + 1;
        _positions[record.Partition] = record.Offset + 1;
    }

    private void Handle(ConsumedRecord record, RecordProducer producer)
    {
        if (!TelemetryFrame.TryDecode(record.Value, out var frame, out var error))
        {
            // The detecting processors dead-letter it; a store sink leaves it out.
            if (Detects)
            {
                DeadLetter(record, producer, ProcessorDeadLetterReason.BadFrame, "frame: " + error);
            }

            return;
        }

        if (!_registry.TryFind(frame.DeviceId, out var number))
        {
            if (Detects)
            {
                DeadLetter(record, producer, ProcessorDeadLetterReason.UnregisteredDevice, "unregistered device");
            }

            return;
        }

        if (Detects)
        {
            _readingIngestMs = frame.IngestTimeMs;
            _engine.Process(number, frame);
            _readingIngestMs = 0;
        }

        Counters.AddProcessed(_registry[number].Kind);
        if (number >= _partitionOf.Length)
        {
            Array.Resize(ref _partitionOf, Math.Max(number + 1, _registry.Count));
        }

        if (_partitionOf[number] != record.Partition + 1)
        {
            _partitionOf[number] = record.Partition + 1;
            if (Detects)
            {
                _engine.AssignStream(number, record.Partition);
            }
        }

        var ingestMs = frame.IngestTimeMs;
        var partitionTimeMs = ObserveTime(record.Partition, ingestMs > 0 ? Math.Min(frame.EventTimeMs, ingestMs) : frame.EventTimeMs);
        if (Detects)
        {
            // Silence judged by the partition's own time, record by record: a replay of the partition raises the same.
            _engine.AdvanceStream(record.Partition, partitionTimeMs);
        }
        if (Stores)
        {
            _store.AppendReading(number, _registry[number], frame, raw: _options.StoreRawReadings);
        }
    }

    private void DeadLetter(ConsumedRecord record, RecordProducer producer, ProcessorDeadLetterReason kind, string reason)
    {
        Counters.AddDeadLettered(kind);
        var letter = JsonSerializer.SerializeToUtf8Bytes(
            new ProcessorDeadLetter(reason, record.Topic, record.Partition, record.Offset, record.Value),
            ProcessorJsonContext.Default.ProcessorDeadLetter);
        // Acknowledged before the record's offset is committed, by the batch writer; the loop does not wait here.
        // The writer bounds the wait (it stops waiting when the processor stops).
        _open!.DeadLetterDeliveries.Add(producer.ProduceAndWaitAsync(_kafka.Topics.DeadLetter, record.Key, letter, CancellationToken.None));
    }

    /// <summary>
    /// Closes the open batch (its alert events and commands are already published; the writer awaits their
    /// acknowledgements, bounding the wait): encodes its alert lines, seals its store lines, takes its checkpoints
    /// when due and the offsets it covers.
    /// </summary>
    private CompletedBatch Seal()
    {
        var batch = _open!;
        // The batch's alert events and commands were published as they were raised (OnAlert, OnCommand).
        // With a store sink beside this processor (ProcessorRole.Detect), the sink writes the alert events from
        // sensing.alerts and this batch holds no store lines: nothing here waits for the store.
        if (Stores)
        {
            foreach (var alert in _batchAlerts)
            {
                _store.AppendAlert(alert);
            }

            batch.Lines = _store.Seal(_watermarkMs);
        }

        _batchAlerts.Clear();
        _batchCommands.Clear();
        _rulesPointPending = false;
        _repairsPending = false;
        TakeCheckpointsIfDue(batch);
        foreach (var (partition, next) in _nextOffsets)
        {
            batch.Offsets[partition] = next;
        }

        _nextOffsets.Clear();
        _openRecords = 0;
        return batch;
    }

    // Commits the offsets of the batches the writer made durable since the last commit.
    private void CommitDone(RecordConsumer consumer)
    {
        if (_writer is not { } writer)
        {
            return;
        }

        var batches = writer.TakeDone(_commitOffsets);
        foreach (var partition in _commitOffsets.Keys)
        {
            // Finished after its partition was revoked: committing it could rewind the partition's new owner.
            if (!_positions.ContainsKey(partition))
            {
                _commitOffsets.Remove(partition);
            }
        }

        if (_commitOffsets.Count > 0 && !consumer.TryCommit(_kafka.Topics.Telemetry, _commitOffsets, out var reason))
        {
            // Not kept for a retry: the partitions may have moved, and a stale commit would rewind their new
            // owner. The next commit covers what this one would have; a new owner replays from its checkpoint.
            _log($"processor: offset commit refused ({reason}); the batch stays uncommitted");
            Counters.AddCommitRefused();
        }

        _commitOffsets.Clear();
        Counters.AddBatches(batches);
    }
}

/// <summary>A telemetry record the processor could not use, as written to the dead-letter topic.</summary>
public sealed record ProcessorDeadLetter(string Reason, string Topic, int Partition, long Offset, byte[] Record);
