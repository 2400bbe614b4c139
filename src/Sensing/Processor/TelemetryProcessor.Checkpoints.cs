using System.Buffers;
using System.Diagnostics;
using System.Text;
using Sensing.Kafka;

namespace Sensing.Processor;

/// <summary>
/// Checkpoints: the detection state of each owned partition's devices, written with the offset it reflects, so
/// whoever owns the partition next (this processor after a SIGKILL, or another one after a rebalance) restores
/// exactly that state and reads on from exactly that offset.
/// </summary>
public sealed partial class TelemetryProcessor
{
    // Next offset to read per owned partition: from the records read, or from the checkpoint restored.
    private readonly Dictionary<int, long> _positions = [];
    private readonly ArrayBufferWriter<byte> _checkpoint = new(4096);

    // Per owned partition: the generation and slot of its last checkpoint written or restored (PartitionCheckpoint).
    private readonly Dictionary<int, (long Generation, int Slot)> _checkpointed = [];
    // Stopwatch time of the last checkpoint; 0: none yet, the first batch is checkpointed whatever the interval.
    private long _lastCheckpoint;

    // Per partition: the devices last read from it (one scan of the dense numbers), reused batch to batch.
    private readonly Dictionary<int, List<int>> _devicesOf = [];

    /// <summary>
    /// Snapshots each owned partition's detection state, with the offset it reflects, into <paramref name="batch"/>
    /// when due. The snapshot is taken now, on the consume thread; the writer sends it only after the batch's lines
    /// are stored, and offsets are committed only after every checkpoint is acknowledged: a committed offset never
    /// runs ahead of the state a restart would restore without a checkpoint behind it.
    /// </summary>
    private void TakeCheckpointsIfDue(CompletedBatch batch)
    {
        if (!Checkpointing || _positions.Count == 0
            || (_options.CheckpointInterval > TimeSpan.Zero && _lastCheckpoint != 0 && Stopwatch.GetElapsedTime(_lastCheckpoint) < _options.CheckpointInterval))
        {
            return;
        }

        foreach (var devices in _devicesOf.Values)
        {
            devices.Clear();
        }

        foreach (var partition in _positions.Keys)
        {
            if (!_devicesOf.ContainsKey(partition))
            {
                _devicesOf[partition] = [];
            }
        }

        for (var n = 0; n < _partitionOf.Length; n++)
        {
            if (_partitionOf[n] > 0 && _devicesOf.TryGetValue(_partitionOf[n] - 1, out var devices))
            {
                devices.Add(n);
            }
        }

        var started = Stopwatch.GetTimestamp();
        long snapshotBytes = 0, storedBytes = 0;
        foreach (var (partition, next) in _positions)
        {
            _checkpoint.ResetWrittenCount();
            _engine.WriteSnapshot(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_devicesOf[partition]), _checkpoint);

            // The other slot than the last checkpoint's, so that one stays whole until this one is acknowledged (the
            // writer sends a batch's checkpoints only after the previous batch's are acknowledged).
            var (generation, slot) = _checkpointed.GetValueOrDefault(partition, (0, 1));
            generation++;
            slot = 1 - slot;
            var prefix = PartitionCheckpoint.PrefixOf(_options.GroupId, _kafka.Topics.Telemetry, partition);
            foreach (var (key, value) in PartitionCheckpoint.Split(prefix, slot, generation, next, _watermarkMs, _checkpoint.WrittenSpan, _options.CheckpointChunkBytes,
                _repairsFrom.GetValueOrDefault(partition)))
            {
                batch.Checkpoints.Add((Encoding.UTF8.GetBytes(key), value));
                storedBytes += value.Length;
            }

            snapshotBytes += _checkpoint.WrittenCount;
            _checkpointed[partition] = (generation, slot);
        }

        _lastCheckpoint = Stopwatch.GetTimestamp();
        Counters.AddCheckpointTaken(snapshotBytes, storedBytes, Stopwatch.GetElapsedTime(started, _lastCheckpoint));
    }

    /// <summary>
    /// Newly assigned <paramref name="partitions"/>: restores each one's newest consistent checkpoint (every chunk of
    /// one generation) into the engine and returns the offsets to start from; a partition without a usable checkpoint
    /// starts at the committed offset.
    /// Runs inside the consumer's poll, on the processor's thread. A checkpoint that cannot be read from Kafka
    /// stops the processor (starting without the state would miss clears): the exception leaves Run.
    /// </summary>
    private Dictionary<int, long> Restore(IReadOnlyList<int> partitions)
    {
        var starts = new Dictionary<int, long>();
        var latest = CompactedTopicReader.ReadLatest(_kafka, _kafka.Topics.Checkpoints, _options.CheckpointReadTimeout, _log);
        var restored = new List<int>();
        foreach (var partition in partitions)
        {
            var prefix = PartitionCheckpoint.PrefixOf(_options.GroupId, _kafka.Topics.Telemetry, partition);
            if (!PartitionCheckpoint.TryRestore(latest, prefix, out var checkpoint, out var highest, out var problem))
            {
                // Written above every leftover generation, into slot 0.
                _checkpointed[partition] = (highest, 1);
                _log(problem is null
                    ? $"processor: partition {partition}: no checkpoint, starting at the committed offset"
                    : $"processor: partition {partition}: checkpoint unusable ({problem}), starting at the committed offset");
                continue;
            }

            _checkpointed[partition] = (highest, checkpoint.Slot);
            var next = checkpoint.NextOffset;
            var watermarkMs = checkpoint.WatermarkMs;
            try
            {
                restored.Clear();
                var devices = _engine.RestoreSnapshot(checkpoint.Snapshot, restored);
                foreach (var number in restored)
                {
                    if (number >= _partitionOf.Length)
                    {
                        Array.Resize(ref _partitionOf, Math.Max(number + 1, _registry.Count));
                    }

                    _partitionOf[number] = partition + 1;
                    _engine.AssignStream(number, partition);
                }

                _watermarkMs = Math.Max(_watermarkMs, watermarkMs);

                // The partition is known from now on, so it counts as quiet (and its restored devices are judged by the
                // watermark) if nothing more ever arrives on it. Its own time starts at its first record: the checkpoint
                // holds the processor's watermark, which may be ahead of this partition, and would judge its devices
                // silent at other records than the processor that wrote the checkpoint did.
                ObserveTime(partition, long.MinValue);
                _positions[partition] = next;
                starts[partition] = next;
                if (checkpoint.Repairs is { } repairs)
                {
                    // The "repaired" reports this state has taken; without a position (an earlier format) the
                    // partition takes them from the end of the alerts topic on (TelemetryProcessor.Repairs.cs).
                    _repairsFrom[partition] = new Dictionary<int, long>(repairs);
                }

                _log($"processor: partition {partition}: restored {devices} devices from checkpoint {checkpoint.Generation} ({checkpoint.Chunks} chunks, {checkpoint.Snapshot.Length} bytes, {checkpoint.StoredBytes} stored), reading on from offset {next}");
            }
            catch (InvalidDataException e)
            {
                // Written by another format (an upgrade): the state is lost for this partition, not the records.
                _log($"processor: partition {partition}: checkpoint unusable ({e.Message}), starting at the committed offset");
            }
        }

        return starts;
    }
}
