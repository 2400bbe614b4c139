using Sensing.Core.Alerts;
using Sensing.Core.Devices;
using Sensing.Core.Telemetry;
using Sensing.Detection.Internal;

namespace Sensing.Detection.Gas;

/// <summary>
/// Two-level methane alarm for <see cref="DeviceKind.MethaneDetector"/> devices on <see cref="Metric.MethaneLel"/>:
/// level 1 raises <see cref="AlertCondition.MethaneHigh"/> with severity High, level 2 escalates the same alert to
/// Critical (GB/T 50493-2019). One active alert per device (ISA-18.2): repeats update its count and peak without
/// events; it clears after the concentration stays below level 1 minus the deadband for the off-delay.
/// Owned by one <see cref="DetectionEngine"/> and, like it, not thread-safe.
/// </summary>
public sealed partial class MethaneDetector : IDeviceDetector
{
    private readonly IAlertSink _sink;
    private readonly double _level1;
    private readonly double _level2;
    private readonly double _clearBelow;
    private readonly LatchTiming _timing;

    // One latch per device, indexed by dense device number (DeviceRegistry).
    private readonly AlertTrack _alerts;

    internal MethaneDetector(MethaneDetectorOptions options, AlertLifecycleOptions lifecycle, IAlertSink sink, int capacity)
    {
        options.Validate();
        Options = options;
        _sink = sink;
        _level1 = options.Level1Lel;
        _level2 = options.Level2Lel;
        _clearBelow = options.Level1Lel - options.DeadbandLel;
        _timing = new LatchTiming((long)options.OnDelay.TotalMilliseconds, (long)options.OffDelay.TotalMilliseconds);
        _alerts = new AlertTrack(AlertCondition.MethaneHigh, lifecycle.ToRule(), capacity);
    }

    /// <summary>The limits in force.</summary>
    public MethaneDetectorOptions Options { get; }

    /// <summary>Number of devices with an active methane alert.</summary>
    public int ActiveCount => _alerts.ActiveCount;

    /// <inheritdoc cref="IDeviceDetector.Kind"/>
    public DeviceKind Kind => DeviceKind.MethaneDetector;

    /// <summary>True when device <paramref name="deviceNumber"/> has an active alert; gives its id and severity.</summary>
    public bool TryGetActive(int deviceNumber, out string alertId, out AlertSeverity severity) =>
        _alerts.TryGetActive(deviceNumber, out alertId, out severity);

    void IDeviceDetector.EnsureCapacity(int capacity) => _alerts.EnsureCapacity(capacity);

    void IDeviceDetector.Process(int deviceNumber, DeviceInfo device, TelemetryFrame reading)
    {
        // A reading without a concentration (fault or battery report only) or with a non-finite one says nothing
        // about the gas; it neither confirms nor clears.
        if (!reading.TryGet(Metric.MethaneLel, out var lel) || !double.IsFinite(lel))
        {
            return;
        }

        var level = lel >= _level2 ? 2 : lel >= _level1 ? 1 : 0;

        // Severity only rises while active (latched until clear): a concentration hovering around level 2 gives
        // one Updated event, not one per crossing (EEMUA 191 chattering).
        var severity = level >= 2 ? AlertSeverity.Critical : AlertSeverity.High;
        var steps = _alerts.Step(deviceNumber, level > 0, lel < _clearBelow, severity, lel, reading.EventTimeMs, _timing);
        if (steps != LatchSteps.None)
        {
            Publish(steps, deviceNumber, device, lel, level, reading.EventTimeMs);
        }
    }
}
