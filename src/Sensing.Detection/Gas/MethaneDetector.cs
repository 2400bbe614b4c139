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
/// <see cref="DetectionOverrides"/> set other limits per district or detector (resolved once per device record and
/// when new options are applied). Owned by one <see cref="DetectionEngine"/> and, like it, not thread-safe.
/// </summary>
public sealed partial class MethaneDetector : IDeviceDetector
{
    private readonly IAlertSink _sink;
    private DeviceRules _rules;

    // One latch and one set of limits per device, indexed by dense device number (DeviceRegistry).
    private readonly AlertTrack _alerts;
    private Limits[] _limits;
    private DeviceInfo?[] _resolvedFor;

    internal MethaneDetector(DeviceRules rules, IAlertSink sink, int capacity)
    {
        _rules = rules;
        _sink = sink;
        _alerts = new AlertTrack(AlertCondition.MethaneHigh, rules.Options.Lifecycle.ToRule(), capacity);
        _limits = new Limits[capacity];
        _resolvedFor = new DeviceInfo?[capacity];
    }

    /// <summary>The limits in force (before overrides).</summary>
    public MethaneDetectorOptions Options => _rules.Options.Methane;

    /// <summary>Number of devices with an active methane alert.</summary>
    public int ActiveCount => _alerts.ActiveCount;

    /// <inheritdoc cref="IDeviceDetector.Kind"/>
    public DeviceKind Kind => DeviceKind.MethaneDetector;

    /// <summary>True when device <paramref name="deviceNumber"/> has an active alert; gives its id and severity.</summary>
    public bool TryGetActive(int deviceNumber, out string alertId, out AlertSeverity severity) =>
        _alerts.TryGetActive(deviceNumber, out alertId, out severity);

    void IDeviceDetector.EnsureCapacity(int capacity)
    {
        if (capacity > _limits.Length)
        {
            Array.Resize(ref _limits, capacity);
            Array.Resize(ref _resolvedFor, capacity);
            _alerts.EnsureCapacity(capacity);
        }
    }

    void IDeviceDetector.Process(int deviceNumber, DeviceInfo device, TelemetryFrame reading)
    {
        // A reading without a concentration (fault or battery report only) or with a non-finite one says nothing
        // about the gas; it neither confirms nor clears.
        if (!reading.TryGet(Metric.MethaneLel, out var lel) || !double.IsFinite(lel))
        {
            return;
        }

        if (!ReferenceEquals(_resolvedFor[deviceNumber], device))
        {
            Resolve(deviceNumber, device);
        }

        ref readonly var limits = ref _limits[deviceNumber];
        var level = lel >= limits.Level2 ? 2 : lel >= limits.Level1 ? 1 : 0;

        // Severity only rises while active (latched until clear): a concentration hovering around level 2 gives
        // one Updated event, not one per crossing (EEMUA 191 chattering).
        var severity = level >= 2 ? AlertSeverity.Critical : AlertSeverity.High;
        var steps = _alerts.Step(deviceNumber, level > 0, lel < limits.ClearBelow, severity, lel, reading.EventTimeMs, limits.Timing);
        if (steps != LatchSteps.None)
        {
            Publish(steps, deviceNumber, device, lel, level, reading.EventTimeMs);
        }
    }

    /// <summary>New options: every device resolved so far takes its new limits; latches keep their state.</summary>
    internal void Apply(DeviceRules rules)
    {
        _rules = rules;
        _alerts.Chatter = rules.Options.Lifecycle.ToRule();
        for (var n = 0; n < _resolvedFor.Length; n++)
        {
            if (_resolvedFor[n] is { } device)
            {
                Resolve(n, device);
            }
        }
    }

    private void Resolve(int deviceNumber, DeviceInfo device)
    {
        var o = _rules.For(device).Methane;
        _limits[deviceNumber] = new Limits
        {
            Level1 = o.Level1Lel,
            Level2 = o.Level2Lel,
            ClearBelow = o.Level1Lel - o.DeadbandLel,
            Timing = new LatchTiming((long)o.OnDelay.TotalMilliseconds, (long)o.OffDelay.TotalMilliseconds),
        };
        _resolvedFor[deviceNumber] = device;
    }

    /// <summary>Limits of one detector after overrides.</summary>
    private struct Limits
    {
        public double Level1;
        public double Level2;
        public double ClearBelow;
        public LatchTiming Timing;
    }
}
