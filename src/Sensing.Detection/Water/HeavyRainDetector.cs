using System.Globalization;
using Sensing.Core.Alerts;
using Sensing.Core.Devices;
using Sensing.Core.Telemetry;
using Sensing.Detection.Internal;
using Sensing.Detection.Water.Internal;

namespace Sensing.Detection.Water;

/// <summary>
/// Heavy rain on <see cref="DeviceKind.RainGauge"/> devices: the rain of the last <see cref="HeavyRainOptions.Window"/>
/// (default 24 h) at or above <see cref="HeavyRainOptions.ThresholdMm"/> (default 50 mm) raises
/// <see cref="AlertCondition.HeavyRain"/> on the gauge, severity Medium; it clears once the window's rain is below the
/// threshold minus the deadband for the off-delay. <see cref="Metric.Rain"/> is the rain since the previous report;
/// each report lands in the ring bucket of its event time, so the window slides in bucket steps, allocation-free.
/// A report older than the window is ignored. Owned by one <see cref="DetectionEngine"/>; not thread-safe.
/// </summary>
public sealed partial class HeavyRainDetector : IDeviceDetector
{
    private readonly WaterNetwork _network;
    private readonly IAlertSink _sink;
    private readonly AlertTrack _track;
    private Gauge[] _gauges = [];
    private double[] _buckets = [];
    private int _bucketsUsed;

    internal HeavyRainDetector(WaterNetwork network, ChatterRule chatter, IAlertSink sink)
    {
        _network = network;
        _sink = sink;
        _track = new AlertTrack(AlertCondition.HeavyRain, chatter, 0);
        Resolve();
    }

    /// <inheritdoc cref="IDeviceDetector.Kind"/>
    public DeviceKind Kind => DeviceKind.RainGauge;

    /// <summary>Number of gauges with an active heavy-rain alert.</summary>
    public int ActiveCount => _track.ActiveCount;

    /// <summary>The rain of the current window of device <paramref name="deviceNumber"/>, mm (0 for a device that is not a rain gauge).</summary>
    public double WindowRainMm(int deviceNumber)
    {
        var index = _network.IndexOf(deviceNumber, Kind);
        return index >= 0 ? _gauges[index].Sum : 0;
    }

    /// <summary>True when device <paramref name="deviceNumber"/> has an active heavy-rain alert; gives its id.</summary>
    public bool TryGetActive(int deviceNumber, out string alertId) => _track.TryGetActive(_network.IndexOf(deviceNumber, Kind), out alertId, out _);

    void IDeviceDetector.EnsureCapacity(int capacity)
    {
        _network.Resolve(capacity);
        Resolve();
    }

    void IDeviceDetector.Process(int deviceNumber, DeviceInfo device, TelemetryFrame reading)
    {
        // A report without rain, or with a negative or non-finite amount, says nothing about the window.
        if (!reading.TryGet(Metric.Rain, out var mm) || !(mm >= 0 && mm < double.PositiveInfinity))
        {
            return;
        }

        var index = _network.IndexOf(deviceNumber);
        ref var gauge = ref _gauges[index];
        gauge.Released = false;
        var timeMs = reading.EventTimeMs;
        var bucket = TimeMath.FloorDiv(timeMs, gauge.BucketMs);
        if (bucket > gauge.LastBucket)
        {
            Slide(ref gauge, bucket);
        }
        else if (bucket <= gauge.LastBucket - gauge.Buckets)
        {
            return;
        }

        _buckets[gauge.Offset + TimeMath.FloorMod(bucket, gauge.Buckets)] += mm;
        gauge.Sum += mm;

        var steps = _track.Step(
            index, gauge.Sum >= gauge.ThresholdMm, gauge.Sum < gauge.ClearBelowMm, AlertSeverity.Medium, gauge.Sum, timeMs, gauge.Timing);
        if (steps != LatchSteps.None)
        {
            Publish(steps, index, device, gauge.Sum, gauge.ThresholdMm, timeMs);
        }
    }

    /// <summary>
    /// Event time moved on to <paramref name="nowMs"/> (<see cref="DetectionEngine.AdvanceTo"/>): the window of every
    /// gauge with an active alert slides even when the gauge sends nothing (a gauge that reports only while it rains),
    /// so the alert clears once the storm has left the window for the off-delay.
    /// </summary>
    internal void Advance(long nowMs)
    {
        for (var index = 0; index < _gauges.Length; index++)
        {
            ref var gauge = ref _gauges[index];
            if (_track[index].Phase != LatchPhase.Active || gauge.Released)
            {
                continue;
            }

            var bucket = TimeMath.FloorDiv(nowMs, gauge.BucketMs);
            if (bucket > gauge.LastBucket)
            {
                Slide(ref gauge, bucket);
            }

            // Only the clearing side is stepped here: a tick is not a reading, so it never confirms the condition.
            if (gauge.Sum >= gauge.ThresholdMm)
            {
                continue;
            }

            var steps = _track.Step(index, false, gauge.Sum < gauge.ClearBelowMm, AlertSeverity.Medium, gauge.Sum, nowMs, gauge.Timing);
            if (steps != LatchSteps.None)
            {
                Publish(steps, index, _network.Registry[_network.DeviceOf(DeviceKind.RainGauge, index)], gauge.Sum, gauge.ThresholdMm, nowMs);
            }
        }
    }

    private void Slide(ref Gauge gauge, long bucket)
    {
        // Empty every bucket the window moved past, then re-add the ring: the sum is rebuilt once per bucket step
        // (at most once per 15 min per gauge by default), so rounding never accumulates.
        var ring = _buckets.AsSpan(gauge.Offset, gauge.Buckets);
        var moved = bucket - gauge.LastBucket;
        if (moved >= gauge.Buckets)
        {
            ring.Clear();
        }
        else
        {
            for (var b = gauge.LastBucket + 1; b <= bucket; b++)
            {
                ring[TimeMath.FloorMod(b, gauge.Buckets)] = 0;
            }
        }

        var sum = 0.0;
        foreach (var value in ring)
        {
            sum += value;
        }

        gauge.Sum = sum;
        gauge.LastBucket = bucket;
    }

    private void Publish(LatchSteps steps, int index, DeviceInfo device, double sum, double threshold, long timeMs)
    {
        var message = (steps & LatchSteps.Cleared) != 0
            ? string.Create(CultureInfo.InvariantCulture, $"Rain {sum:0.0} mm in the window at {device.Id}: cleared (below {threshold:0.#} mm less the deadband)")
            : string.Create(CultureInfo.InvariantCulture, $"Heavy rain at {device.Id}: {sum:0.0} mm in the window (>= {threshold:0.#} mm)");
        _track.Publish(_sink, steps, index, device.Id, device.District, device.Kind.Name(), sum, timeMs, message);
    }

    /// <summary>Throws when <paramref name="next"/> changes the window ring (window, bucket) of a gauge here.</summary>
    internal void CheckApply(WaterOptions[] next)
    {
        for (var index = 0; index < _gauges.Length; index++)
        {
            var k = _network.DistrictOf(_network.DeviceOf(DeviceKind.RainGauge, index));
            var options = next[k].HeavyRain;
            ref readonly var gauge = ref _gauges[index];
            if (options.Window.Ticks / options.Bucket.Ticks != gauge.Buckets || (long)options.Bucket.TotalMilliseconds != gauge.BucketMs)
            {
                ThrowHelper.ThrowBadOption(
                    $"{nameof(DetectionOptions.Water)}.{nameof(WaterOptions.HeavyRain)}.{nameof(HeavyRainOptions.Window)}",
                    $"cannot change while the engine runs: the rain windows of district {_network.DistrictName(k)} are {gauge.Buckets} buckets of "
                    + $"{TimeSpan.FromMilliseconds(gauge.BucketMs)}; restart to apply it (the windows start empty again)");
            }
        }
    }

    /// <summary>New options (checked, resolved by the network): every gauge takes its new threshold and off-delay; windows and alerts are kept.</summary>
    internal void Apply(ChatterRule chatter)
    {
        _track.Chatter = chatter;
        for (var index = 0; index < _gauges.Length; index++)
        {
            var options = _network.OptionsOf(_network.DistrictOf(_network.DeviceOf(DeviceKind.RainGauge, index))).HeavyRain;
            ref var gauge = ref _gauges[index];
            gauge.ThresholdMm = options.ThresholdMm;
            gauge.ClearBelowMm = options.ThresholdMm - options.DeadbandMm;
            gauge.Timing = new LatchTiming(0, (long)options.OffDelay.TotalMilliseconds);
        }
    }

    private void Resolve()
    {
        var count = _network.CountOf(DeviceKind.RainGauge);
        if (count <= _gauges.Length)
        {
            return;
        }

        var first = _gauges.Length;
        Array.Resize(ref _gauges, count);
        _track.EnsureCapacity(count);
        for (var index = first; index < count; index++)
        {
            var options = _network.OptionsOf(_network.DistrictOf(_network.DeviceOf(DeviceKind.RainGauge, index))).HeavyRain;
            var buckets = (int)(options.Window.Ticks / options.Bucket.Ticks);
            if (_bucketsUsed + buckets > _buckets.Length)
            {
                Array.Resize(ref _buckets, Math.Max(_bucketsUsed + buckets, _buckets.Length * 2));
            }

            _gauges[index] = new Gauge
            {
                Offset = _bucketsUsed,
                Buckets = buckets,
                BucketMs = (long)options.Bucket.TotalMilliseconds,
                LastBucket = long.MinValue / 2,
                ThresholdMm = options.ThresholdMm,
                ClearBelowMm = options.ThresholdMm - options.DeadbandMm,
                Timing = new LatchTiming(0, (long)options.OffDelay.TotalMilliseconds),
            };
            _bucketsUsed += buckets;
        }
    }

    private struct Gauge
    {
        public int Offset;
        public int Buckets;
        public long BucketMs;
        public long LastBucket;
        public double Sum;
        public double ThresholdMm;
        public double ClearBelowMm;
        public LatchTiming Timing;

        /// <summary>Its readings go to another engine now (<see cref="Release"/>): its window no longer slides here.</summary>
        public bool Released;
    }
}
