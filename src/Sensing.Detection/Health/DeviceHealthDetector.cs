using System.Globalization;
using Sensing.Core.Alerts;
using Sensing.Core.Devices;
using Sensing.Core.Telemetry;
using Sensing.Detection.Internal;

namespace Sensing.Detection.Health;

/// <summary>
/// Rules for every device, whatever its kind (DOMAIN.md, "Every device"):
/// <list type="bullet">
/// <item><see cref="AlertCondition.LowBattery"/>: <see cref="Metric.BatteryVolts"/> below the low level for the
/// on-delay; clears above the level plus the deadband.</item>
/// <item><see cref="AlertCondition.DeviceOffline"/>: no message for k x the device's report interval, found by
/// <see cref="Advance"/> as the event-time watermark moves (raised at the deadline, so the id does not depend on
/// when the watermark moved), or at once on an <see cref="Metric.Online"/> = 0 reading (the gateway's record of
/// a fired will). Clears on the device's next reading. When <see cref="DeviceHealthOptions.DistrictOfflineMinDevices"/>
/// devices of one district are offline at once, they are one district alert listing them instead of a storm of
/// device alerts (DOMAIN.md, "group storms"; see DeviceHealthDetector.District.cs).</item>
/// <item><see cref="AlertCondition.ClockSkew"/>: event time further than the limit from ingest time, for the
/// on-delay measured in ingest time. Readings without an ingest time (0) are not judged.</item>
/// </list>
/// Owned by one <see cref="DetectionEngine"/>; not thread-safe.
/// </summary>
public sealed partial class DeviceHealthDetector
{
    private readonly IAlertSink _sink;
    private DeviceRules _rules;
    private readonly AlertTrack _battery;
    private readonly AlertTrack _offline;
    private readonly AlertTrack _skew;

    // Per-device state, indexed by dense device number; a device is watched for offline once it has been heard.
    private Limits[] _limits;
    private long[] _lastSeenMs;
    private DeviceInfo?[] _resolvedFor;
    private long _badParameters;

    // Offline devices found by one Advance, raised in order of their deadlines; reused, so no allocation once warm.
    private readonly List<(long DueMs, int Device)> _due = [];

    // Earliest event time at which some heard device of no stream may go offline; Advance skips its scan before it.
    private long _nextDueMs = long.MaxValue;

    internal DeviceHealthDetector(DeviceRules rules, IAlertSink sink, int capacity)
    {
        _rules = rules;
        _sink = sink;
        var chatter = rules.Options.Lifecycle.ToRule();
        _battery = new AlertTrack(AlertCondition.LowBattery, chatter, capacity, lowerIsWorse: true);
        _offline = new AlertTrack(AlertCondition.DeviceOffline, chatter, capacity);
        _skew = new AlertTrack(AlertCondition.ClockSkew, chatter, capacity);
        _limits = new Limits[capacity];
        _lastSeenMs = new long[capacity];
        _resolvedFor = new DeviceInfo?[capacity];
        _districtOf = new int[capacity];
        _outageRaisedAtMs = new long[capacity];
    }

    /// <summary>The options in force (before district, class and device overrides).</summary>
    public DeviceHealthOptions Options => _rules.Options.Health;

    /// <summary>Device records whose <c>low_battery_v</c> parameter was not a positive number; they use the class level.</summary>
    public long BadParameters => _badParameters;

    /// <summary>Devices with an active alert of <paramref name="condition"/>.</summary>
    public int ActiveCount(AlertCondition condition) => Track(condition).ActiveCount;

    /// <summary>True when device <paramref name="deviceNumber"/> has an active alert of <paramref name="condition"/>.</summary>
    public bool TryGetActive(int deviceNumber, AlertCondition condition, out string alertId, out AlertSeverity severity) =>
        Track(condition).TryGetActive(deviceNumber, out alertId, out severity);

    internal void EnsureCapacity(int capacity)
    {
        if (capacity > _limits.Length)
        {
            Array.Resize(ref _limits, capacity);
            Array.Resize(ref _lastSeenMs, capacity);
            Array.Resize(ref _resolvedFor, capacity);
            Array.Resize(ref _districtOf, capacity);
            Array.Resize(ref _outageRaisedAtMs, capacity);
            _battery.EnsureCapacity(capacity);
            _offline.EnsureCapacity(capacity);
            _skew.EnsureCapacity(capacity);
        }
    }

    internal void Process(int deviceNumber, DeviceInfo device, TelemetryFrame reading)
    {
        if (!ReferenceEquals(_resolvedFor[deviceNumber], device))
        {
            Resolve(deviceNumber, device, countBadParameters: true);
        }

        ref readonly var limits = ref _limits[deviceNumber];
        var timeMs = reading.EventTimeMs;

        // One pass over the reading's metrics instead of one search per metric.
        double online = double.NaN, volts = double.NaN;
        for (var i = 0; i < reading.MetricCount; i++)
        {
            var m = reading.GetMetric(i);
            if (m.Metric == Metric.Online)
            {
                online = m.Value;
            }
            else if (m.Metric == Metric.BatteryVolts)
            {
                volts = m.Value;
            }
        }

        ProcessPresence(deviceNumber, device, in limits, online, timeMs);
        if (double.IsFinite(volts))
        {
            var steps = _battery.Step(deviceNumber, volts < limits.LowVolts, volts >= limits.ClearVolts, AlertSeverity.Low, volts, timeMs, limits.Battery);
            if (steps != LatchSteps.None)
            {
                PublishBattery(steps, deviceNumber, device, volts, timeMs);
            }
        }

        var ingestMs = reading.IngestTimeMs;
        if (ingestMs > 0)
        {
            var skewMs = timeMs - ingestMs;
            var skewed = Math.Abs(skewMs) > limits.SkewLimitMs;
            var steps = _skew.Step(deviceNumber, skewed, !skewed, AlertSeverity.Low, skewMs / 1000.0, ingestMs, limits.Skew);
            if (steps != LatchSteps.None)
            {
                PublishSkew(steps, deviceNumber, device, skewMs, ingestMs);
            }
        }
    }

    /// <summary>
    /// The event-time watermark reached <paramref name="nowMs"/>: raises offline for every heard device silent for
    /// k x its report interval, of the devices given no input stream (those given one are judged by
    /// <see cref="AdvanceStream"/>). Costs one comparison until some device's deadline has passed, then one pass over
    /// the devices.
    /// </summary>
    internal void Advance(long nowMs)
    {
        if (nowMs >= _nextDueMs)
        {
            RaiseDue(nowMs);
        }

        if (_dirtyOutages)
        {
            PublishDirtyOutages(nowMs, NoStream);
        }
    }

    // Raises offline for every heard device past its deadline at nowMs: of the devices no stream was assigned to
    // (NoStream), or of one stream (DeviceHealthDetector.Streams.cs). Recomputes the deadline bound of what it scanned.
    private void RaiseDue(long nowMs, int stream = NoStream)
    {
        var next = long.MaxValue;
        for (var n = 0; n < _resolvedFor.Length; n++)
        {
            if (_resolvedFor[n] is null || _offline[n].Phase == LatchPhase.Active || _outageRaisedAtMs[n] != 0 || !InScan(n, stream))
            {
                continue;
            }

            var dueMs = _lastSeenMs[n] + _limits[n].OfflineAfterMs;
            if (nowMs >= dueMs)
            {
                _due.Add((dueMs, n));
            }
            else
            {
                next = Math.Min(next, dueMs);
            }
        }

        // In deadline order, so how far the watermark jumped at once does not change which alerts are raised.
        _due.Sort();
        foreach (var (dueMs, n) in _due)
        {
            if (_dirtyOutages)
            {
                PublishDirtyOutages(dueMs, stream);
            }

            RaiseOffline(n, _resolvedFor[n]!, dueMs, _limits[n].OfflineAfterMs / 1000.0, byWill: false);
        }

        _due.Clear();
        if (stream == NoStream)
        {
            _nextDueMs = next;
        }
        else
        {
            _streams.SetNext(stream, next);
        }
    }

    /// <summary>
    /// Stops watching device <paramref name="deviceNumber"/> for offline until its next reading here (its readings
    /// now go to another engine). An active offline alert stays as it is.
    /// </summary>
    internal void Release(int deviceNumber) => _resolvedFor[deviceNumber] = null;

    private void ProcessPresence(int deviceNumber, DeviceInfo device, in Limits limits, double online, long timeMs)
    {
        if (online == 0)
        {
            // The gateway's record of a fired will or a dropped connection, stamped with the time the connection was
            // lost: offline now, no waiting for k intervals. Unless the device was heard from after that (it connected
            // to another gateway while this one waited out the will delay): then the record is stale.
            if (timeMs < _lastSeenMs[deviceNumber])
            {
                return;
            }

            RaiseOffline(deviceNumber, device, timeMs, 0, byWill: true);
            return;
        }

        // Any other reading is the device heard from: a late one (older event time) still proves it is alive.
        ClearOffline(deviceNumber, device, timeMs);
        var lastSeen = Math.Max(_lastSeenMs[deviceNumber], timeMs);
        _lastSeenMs[deviceNumber] = lastSeen;

        // Deadlines only move later, so a smaller bound stays a valid lower bound.
        NoteDeadline(deviceNumber, lastSeen + limits.OfflineAfterMs);
    }

    private AlertTrack Track(AlertCondition condition) => condition switch
    {
        AlertCondition.LowBattery => _battery,
        AlertCondition.DeviceOffline => _offline,
        AlertCondition.ClockSkew => _skew,
        _ => throw new ArgumentOutOfRangeException(nameof(condition), condition, "not a device-health condition"),
    };

    /// <summary>Limits of one device after district, class and device overrides.</summary>
    private struct Limits
    {
        public double LowVolts;
        public double ClearVolts;
        public long OfflineAfterMs;
        public long SkewLimitMs;
        public LatchTiming Battery;
        public LatchTiming Skew;
    }
}
