using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Sensing.Processor;

/// <content>
/// Event time across partitions. Each owned partition has its own watermark (the highest time of its records, a
/// reading's time being its event time capped by its ingest time); the processor's watermark, which moves time-driven
/// conditions on and closes the store's minutes, is the lowest of them, as a stream processor's watermark is the
/// minimum over its inputs. Partitions are read unevenly when there is a backlog (one fetch can bring tens of seconds
/// of one partition's records), and the highest time of all would declare the devices of a partition that is behind
/// silent. A partition that is idle (nothing left to read, no record for <see cref="IdleAfter"/>) does not hold time
/// back. "Nothing left to read" is a measured lag of 0: a partition just assigned, whose first fetch has not come back
/// (a broker restarted a few seconds ago, a rebalance), has no known lag and is not idle, however long that takes. Taken
/// for idle, it was judged by the other partitions' time, and the devices whose readings were still to be fetched were
/// raised offline. Seed-3 fault runs raised 68 and 76 device and district silences that an uninterrupted processor
/// over the same input did not, all with deadlines in the seconds after the broker restart, when the processors were
/// given their partitions again; the run after this change, none.
/// </content>
public sealed partial class TelemetryProcessor
{
    // How long a partition with nothing left to read may go without a record before it stops holding time back.
    private static readonly TimeSpan IdleAfter = TimeSpan.FromSeconds(10);

    private readonly Dictionary<int, PartitionTime> _partitionTimes = [];

    // Returns the partition's watermark after this record.
    private long ObserveTime(int partition, long timeMs)
    {
        ref var time = ref CollectionsMarshal.GetValueRefOrAddDefault(_partitionTimes, partition, out var exists);
        time.WatermarkMs = exists ? Math.Max(time.WatermarkMs, timeMs) : timeMs;
        time.LastRecord = Stopwatch.GetTimestamp();
        return time.WatermarkMs;
    }

    private void ForgetTime(IReadOnlyList<int> partitions)
    {
        foreach (var partition in partitions)
        {
            _partitionTimes.Remove(partition);
        }
    }

    // The lowest watermark of the partitions that hold time back; the highest of all when every one is idle. Never
    // moves backwards.
    private void UpdateWatermark()
    {
        var lag = Counters.Lag;
        long holding = long.MaxValue, highest = long.MinValue;
        foreach (var (partition, time) in _partitionTimes)
        {
            highest = Math.Max(highest, time.WatermarkMs);
            if (!IsIdle(partition, time, lag))
            {
                holding = Math.Min(holding, time.WatermarkMs);
            }
        }

        if (highest != long.MinValue)
        {
            _watermarkMs = Math.Max(_watermarkMs, holding != long.MaxValue ? holding : highest);
        }
    }

    // Partitions with nothing left to read and no record for IdleAfter, while another partition still has records;
    // reused list. When every partition is quiet the processor hears nothing at all: an ingest outage (the broker, the
    // gateways), which the pipeline-health panels show, not a city of silent devices; their silence is judged again
    // by each partition's own time once records arrive, the same whatever the outage's timing.
    private List<int> QuietPartitions()
    {
        _quiet.Clear();
        var lag = Counters.Lag;
        var live = false;
        foreach (var (partition, time) in _partitionTimes)
        {
            if (IsIdle(partition, time, lag))
            {
                _quiet.Add(partition);
            }
            else
            {
                live = true;
            }
        }

        if (!live)
        {
            _quiet.Clear();
        }

        return _quiet;
    }

    private readonly List<int> _quiet = [];

    // Nothing left to read (a measured lag of 0, not an unknown one) and no record for IdleAfter.
    private static bool IsIdle(int partition, in PartitionTime time, IReadOnlyDictionary<int, long> lag) =>
        lag.TryGetValue(partition, out var records) && records == 0 && Stopwatch.GetElapsedTime(time.LastRecord) >= IdleAfter;

    private struct PartitionTime
    {
        public long WatermarkMs;
        public long LastRecord;
    }
}
