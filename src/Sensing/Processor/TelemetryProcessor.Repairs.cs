using System.Text.Json;
using Sensing.Core.Alerts;
using Sensing.Kafka;

namespace Sensing.Processor;

/// <summary>
/// The operator's "repaired" reports (<see cref="AlertEventType.Repaired"/>, written to <c>sensing.alerts</c> by the
/// feed): a detecting processor follows the alerts topic and, between batches as it applies a rules change, hands each
/// report to <see cref="Detection.DetectionEngine.Repaired(string, long, string?, Func{int, bool})"/> for the district's
/// inlet meters it owns. Each owned telemetry partition keeps its repairs position (per alerts partition, the next
/// offset whose report its state has not taken), written in its checkpoint with the state (PartitionCheckpoint): a
/// restart or a new owner reads on from there, so a report is taken once by each partition's state, neither lost
/// nor applied twice. A partition without a checkpoint starts with fresh state and takes the reports from the end of
/// the topic on.
/// </summary>
public sealed partial class TelemetryProcessor
{
    // Reports read per turn of the consume loop at most, so a long backlog does not hold readings back.
    private const int MaxRepairRecordsPerTurn = 512;

    // Per owned telemetry partition: per alerts partition, the offset of the next report its state has not taken.
    private readonly Dictionary<int, Dictionary<int, long>> _repairsFrom = [];
    private readonly List<int> _repairTakers = [];
    private TopicFollower? _repairs;
    private volatile bool _repairsAssignmentChanged;

    // A report changed the state: the batch is sealed (and checkpointed when due) even when no record came in.
    private bool _repairsPending;

    private void StartRepairs()
    {
        if (Detects)
        {
            _repairs = new TopicFollower(_kafka, _kafka.Topics.Alerts, "sensing-processor-repairs", _log);
        }
    }

    private void StopRepairs()
    {
        _repairs?.Dispose();
        _repairs = null;
    }

    // Between batches, on the consume thread: nothing of the engine runs meanwhile.
    private void ApplyRepairs(RecordConsumer consumer)
    {
        if (_repairs is not { } repairs)
        {
            return;
        }

        if (_repairsAssignmentChanged)
        {
            _repairsAssignmentChanged = false;
            FollowFromOwnedPositions(consumer, repairs);
        }

        if (_repairsFrom.Count == 0)
        {
            return;
        }

        for (var i = 0; i < MaxRepairRecordsPerTurn && repairs.Consume(TimeSpan.Zero) is { } record; i++)
        {
            TakeRepair(record);
        }
    }

    // The owned partitions changed: partitions without a position (no checkpoint, or one written before repairs were
    // taken) start at the topic's end; the follower reads from the lowest position of any.
    private void FollowFromOwnedPositions(RecordConsumer consumer, TopicFollower repairs)
    {
        var owned = consumer.AssignedPartitions(_kafka.Topics.Telemetry);
        Dictionary<int, long>? ends = null;
        foreach (var partition in owned)
        {
            if (!_repairsFrom.ContainsKey(partition))
            {
                ends ??= repairs.EndOffsets(_options.CheckpointReadTimeout);
                _repairsFrom[partition] = new Dictionary<int, long>(ends);
            }
        }

        var from = new Dictionary<int, long>();
        foreach (var positions in _repairsFrom.Values)
        {
            foreach (var (partition, next) in positions)
            {
                from[partition] = Math.Min(next, from.GetValueOrDefault(partition, long.MaxValue));
            }
        }

        repairs.Assign(from);
    }

    private void TakeRepair(ConsumedRecord record)
    {
        // The owned partitions whose state has not taken this record; every position moves past it.
        _repairTakers.Clear();
        foreach (var (partition, positions) in _repairsFrom)
        {
            if (record.Offset >= positions.GetValueOrDefault(record.Partition))
            {
                _repairTakers.Add(partition);
                positions[record.Partition] = record.Offset + 1;
            }
        }

        if (_repairTakers.Count == 0 || !TryReadRepair(record.Value, out var report))
        {
            return;
        }

        var applied = _engine.Repaired(report.District, report.EventTimeMs, report.Note, number =>
            (uint)number < (uint)_partitionOf.Length && _partitionOf[number] > 0 && _repairTakers.Contains(_partitionOf[number] - 1));
        if (!applied)
        {
            // No inlet meter of the district is owned here (or none is known yet: its state is fresh).
            return;
        }

        _repairsPending = true;
        Counters.AddRepairApplied();
        _log($"processor: district {report.District} reported repaired by {report.Actor} (alert {report.Id}, alerts {record.Partition}@{record.Offset}): "
            + "its inlet-leak alerts clear and its inlet meters learn their base flow again");
    }

    private static bool TryReadRepair(byte[] value, out AlertEvent report)
    {
        report = null!;
        try
        {
            if (JsonSerializer.Deserialize(value, AlertJsonContext.Default.AlertEvent) is { Type: AlertEventType.Repaired, District.Length: > 0 } read)
            {
                report = read;
                return true;
            }
        }
        catch (JsonException)
        {
            // Not an alert event: the feed counts those; nothing to repair.
        }

        return false;
    }
}
