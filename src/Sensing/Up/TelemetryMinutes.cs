using Sensing.Core.Telemetry;
using Sensing.Processor;
using Sensing.Storage.Aggregation;

namespace Sensing.Up;

/// <summary>One metric of one device in one one-minute window (the minute's start, event time, UTC ms).</summary>
/// <param name="Device">The registry's device number (-1 for a device the registry does not know).</param>
/// <param name="MinuteMs">Start of the minute, Unix ms.</param>
/// <param name="Metric">The metric.</param>
public readonly record struct MetricMinute(int Device, long MinuteMs, Metric Metric);

/// <summary>
/// The distinct readings of <c>sensing.telemetry</c> per device, minute and metric, counted as the store sink counts
/// them into <c>sensing_agg_1m</c> (<see cref="MinuteAggregator"/>): by event time, each finite metric value of a
/// reading once, a (device, sequence) seen before not again. Also the latest time of each partition, as the processor
/// takes it for its watermark (event time capped by ingest time), so the minutes the store sink has surely closed are
/// known.
/// </summary>
public sealed class TelemetryMinutes
{
    private readonly Dictionary<MetricMinute, long> _counts = [];
    private readonly Dictionary<int, long> _partitionLatest = [];

    /// <summary>Readings per device, minute and metric.</summary>
    public IReadOnlyDictionary<MetricMinute, long> Counts => _counts;

    /// <summary>
    /// Every minute ending at or before this (Unix ms) was closed by the store sink once it had read every record: its
    /// watermark is the lowest partition time or higher, and it closes the minutes that end
    /// <see cref="ProcessorStoreOptions.AggregateGrace"/> before it. <see cref="long.MinValue"/> when nothing was read.
    /// </summary>
    public long SealedUntilMs => _partitionLatest.Count == 0
        ? long.MinValue
        : _partitionLatest.Values.Min() - (long)ProcessorStoreOptions.Default.AggregateGrace.TotalMilliseconds;

    /// <summary>Takes a record's time into its partition's latest time (every decodable record, as the processor does).</summary>
    public void Observe(int partition, TelemetryFrame record)
    {
        var ingestMs = record.IngestTimeMs;
        var timeMs = ingestMs > 0 ? Math.Min(record.EventTimeMs, ingestMs) : record.EventTimeMs;
        _partitionLatest[partition] = _partitionLatest.TryGetValue(partition, out var latest) ? Math.Max(latest, timeMs) : timeMs;
    }

    /// <summary>Counts a reading of device <paramref name="number"/> seen for the first time.</summary>
    public void Add(int number, TelemetryFrame reading)
    {
        var minute = MinuteAggregator.MinuteOf(reading.EventTimeMs);
        for (var i = 0; i < reading.MetricCount; i++)
        {
            var value = reading.GetMetric(i);
            if (double.IsFinite(value.Value))
            {
                var key = new MetricMinute(number, minute, value.Metric);
                _counts[key] = _counts.GetValueOrDefault(key) + 1;
            }
        }
    }
}
