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
/// <para>
/// A report reaches a partition's state once the partition has read up to it: its readings are past the report's time,
/// or it has nothing left to read (measured lag 0, or no record and no known lag for <see cref="IdleAfter"/>, as a
/// partition stops holding event time back). Live, that is at once; a partition replaying a backlog from an
/// older checkpoint takes the report where the report's time is, not on top of readings from before the repair.
/// Reports are taken in the order they are read, and reading stops while <see cref="MaxPendingRepairRecords"/> wait.
/// </para>
/// </summary>
public sealed partial class TelemetryProcessor
{
    // Records of the alerts topic read per turn of the consume loop at most, so a backlog does not hold readings back.
    private const int MaxRepairRecordsPerTurn = 512;

    // Records read but not yet taken by every partition whose state needs them (the bound of the queue).
    private const int MaxPendingRepairRecords = 4096;

    // Per owned telemetry partition: per alerts partition, the offset of the next report its state has not taken.
    private readonly Dictionary<int, Dictionary<int, long>> _repairsFrom = [];
    private readonly Queue<PendingRepair> _pendingRepairs = new();

    // Per owned telemetry partition: when this processor took it over (Stopwatch), for a partition it has read nothing from.
    private readonly Dictionary<int, long> _ownedSince = [];
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

        TakePendingRepairs();
        for (var i = 0; i < MaxRepairRecordsPerTurn && _pendingRepairs.Count < MaxPendingRepairRecords
            && repairs.Consume(TimeSpan.Zero) is { } record; i++)
        {
            ReadRepair(record);
            TakePendingRepairs();
        }
    }

    // The owned partitions changed: partitions without a position (no checkpoint, or one written before repairs were
    // taken) start at the topic's end; the follower reads from the lowest position of any, and what waits is read
    // again from there.
    private void FollowFromOwnedPositions(RecordConsumer consumer, TopicFollower repairs)
    {
        var owned = consumer.AssignedPartitions(_kafka.Topics.Telemetry);
        Dictionary<int, long>? ends = null;
        foreach (var partition in owned)
        {
            _ownedSince.TryAdd(partition, System.Diagnostics.Stopwatch.GetTimestamp());
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

        _pendingRepairs.Clear();
        repairs.Assign(from);
    }

    private void ReadRepair(ConsumedRecord record)
    {
        // The owned partitions whose state has not taken this record.
        List<int>? takers = null;
        foreach (var (partition, positions) in _repairsFrom)
        {
            if (record.Offset >= positions.GetValueOrDefault(record.Partition))
            {
                (takers ??= []).Add(partition);
            }
        }

        if (takers is not null)
        {
            _pendingRepairs.Enqueue(new PendingRepair(record.Partition, record.Offset, TryReadRepair(record.Value, out var report) ? report : null, takers));
        }
    }

    // The queue in order: each partition takes the head when it has read up to it; the head waits for the others.
    private void TakePendingRepairs()
    {
        while (_pendingRepairs.TryPeek(out var head))
        {
            for (var i = head.Takers.Count - 1; i >= 0; i--)
            {
                var partition = head.Takers[i];
                if (!_repairsFrom.TryGetValue(partition, out var positions))
                {
                    // Revoked meanwhile: its new owner takes the report from the partition's checkpoint.
                    head.Takers.RemoveAt(i);
                    continue;
                }

                if (head.Report is { } report && !HasReadUpTo(partition, report.EventTimeMs))
                {
                    continue;
                }

                if (head.Report is { } taken)
                {
                    Repair(taken, partition, head);
                }

                positions[head.AlertsPartition] = head.Offset + 1;
                head.Takers.RemoveAt(i);
            }

            if (head.Takers.Count > 0)
            {
                return;
            }

            _pendingRepairs.Dequeue();
        }
    }

    // Past the report's time in the partition's readings, or nothing left to read in it: no records behind, or none
    // known behind and none read for a while.
    private bool HasReadUpTo(int partition, long timeMs)
    {
        var known = _partitionTimes.TryGetValue(partition, out var time);
        if (known && time.WatermarkMs >= timeMs)
        {
            return true;
        }

        if (Counters.Lag.TryGetValue(partition, out var behind))
        {
            return behind == 0;
        }

        var lastRecord = known ? time.LastRecord : _ownedSince.GetValueOrDefault(partition, System.Diagnostics.Stopwatch.GetTimestamp());
        return System.Diagnostics.Stopwatch.GetElapsedTime(lastRecord) >= IdleAfter;
    }

    private void Repair(AlertEvent report, int partition, PendingRepair at)
    {
        var applied = _engine.Repaired(report.District, report.EventTimeMs, report.Note, number =>
            (uint)number < (uint)_partitionOf.Length && _partitionOf[number] == partition + 1);
        if (!applied)
        {
            // No inlet meter of the district in this partition's state (or none known yet: its state is fresh).
            return;
        }

        _repairsPending = true;
        Counters.AddRepairApplied();
        _log($"processor: district {report.District} reported repaired by {report.Actor} (alert {report.Id}, alerts {at.AlertsPartition}@{at.Offset}), "
            + $"partition {partition}: its inlet-leak alerts clear and its inlet meters learn their base flow again");
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

    // A record of the alerts topic and the owned partitions whose state has not taken it yet; Report is null when it is
    // not a "repaired" report (it only moves their positions on).
    private sealed record PendingRepair(int AlertsPartition, long Offset, AlertEvent? Report, List<int> Takers);
}
