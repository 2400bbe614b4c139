using System.Globalization;
using Sensing.Core.Alerts;
using Sensing.Core.Devices;
using Sensing.Core.Payloads;
using Sensing.Core.Telemetry;
using Sensing.Detection.Internal;

namespace Sensing.Detection.Charging;

/// <summary>
/// EV charger rules (<see cref="DeviceKind.EvCharger"/>, OCPP 1.6 StatusNotification):
/// <list type="bullet">
/// <item><see cref="AlertCondition.ChargerSafety"/>: a safety error code (GroundFailure, OverCurrentFailure,
/// HighTemperature, OverVoltage, UnderVoltage, PowerSwitchFailure) raises at once; it clears when the charger
/// reports NoError again (other error codes neither raise nor clear).</item>
/// <item><see cref="AlertCondition.ChargerOutOfService"/>: Faulted or Unavailable for longer than the allowed
/// time. Chargers report status on change only, so the time runs out in <see cref="Advance"/> as the event-time
/// watermark moves, not only on a reading.</item>
/// </list>
/// Heartbeat loss is the every-device offline rule. Owned by one <see cref="DetectionEngine"/>; not thread-safe.
/// </summary>
public sealed partial class ChargerDetector : IDeviceDetector
{
    private readonly IAlertSink _sink;
    private DeviceRules _rules;
    private readonly AlertTrack _safety;
    private readonly AlertTrack _outOfService;
    private LatchTiming[] _timings;
    private DeviceInfo?[] _resolvedFor;

    // Earliest event time at which a pending out-of-service may come due; Advance skips its scan before it.
    private long _nextDueMs = long.MaxValue;

    internal ChargerDetector(DeviceRules rules, IAlertSink sink, int capacity)
    {
        _rules = rules;
        _sink = sink;
        var chatter = rules.Options.Lifecycle.ToRule();
        _safety = new AlertTrack(AlertCondition.ChargerSafety, chatter, capacity);
        _outOfService = new AlertTrack(AlertCondition.ChargerOutOfService, chatter, capacity);
        _timings = new LatchTiming[capacity];
        _resolvedFor = new DeviceInfo?[capacity];
    }

    /// <summary>The options in force (before overrides).</summary>
    public ChargerDetectorOptions Options => _rules.Options.Charger;

    /// <inheritdoc cref="IDeviceDetector.Kind"/>
    public DeviceKind Kind => DeviceKind.EvCharger;

    /// <summary>Chargers with an active alert of <paramref name="condition"/>.</summary>
    public int ActiveCount(AlertCondition condition) => Track(condition).ActiveCount;

    /// <summary>True when charger <paramref name="deviceNumber"/> has an active alert of <paramref name="condition"/>.</summary>
    public bool TryGetActive(int deviceNumber, AlertCondition condition, out string alertId, out AlertSeverity severity) =>
        Track(condition).TryGetActive(deviceNumber, out alertId, out severity);

    /// <summary>True for the OCPP 1.6 error codes that are a hazard and alert at once (DOMAIN.md, EV chargers).</summary>
    public static bool IsSafetyError(ChargerError error) => error is ChargerError.GroundFailure or ChargerError.OverCurrentFailure
        or ChargerError.HighTemperature or ChargerError.OverVoltage or ChargerError.UnderVoltage or ChargerError.PowerSwitchFailure;

    void IDeviceDetector.EnsureCapacity(int capacity)
    {
        if (capacity > _timings.Length)
        {
            Array.Resize(ref _timings, capacity);
            Array.Resize(ref _resolvedFor, capacity);
            _safety.EnsureCapacity(capacity);
            _outOfService.EnsureCapacity(capacity);
        }
    }

    void IDeviceDetector.Process(int deviceNumber, DeviceInfo device, TelemetryFrame reading)
    {
        if (!ReferenceEquals(_resolvedFor[deviceNumber], device))
        {
            Resolve(deviceNumber, device);
        }

        var timeMs = reading.EventTimeMs;

        // Values outside the OCPP enumerations (ChargerStatus 0-8, ChargerError 0-15) say nothing; they are skipped.
        if (reading.TryGet(Metric.ChargerErrorCode, out var code) && code is >= 0 and <= (double)ChargerError.WeakSignal && code == Math.Floor(code))
        {
            var error = (ChargerError)(byte)code;
            var steps = _safety.Step(deviceNumber, IsSafetyError(error), error == ChargerError.NoError, AlertSeverity.High, code, timeMs, default);
            if (steps != LatchSteps.None)
            {
                Publish(_safety, steps, deviceNumber, device, code, timeMs,
                    (steps & LatchSteps.Cleared) != 0 ? $"Charger {device.Id}: error cleared (NoError)" : $"Charger {device.Id}: safety error {error} (OCPP 1.6)");
            }
        }

        if (reading.TryGet(Metric.ConnectorStatus, out var value) && value is >= 0 and <= (double)ChargerStatus.Faulted && value == Math.Floor(value))
        {
            var status = (ChargerStatus)(byte)value;
            var down = status is ChargerStatus.Faulted or ChargerStatus.Unavailable;
            var timing = _timings[deviceNumber];
            var steps = _outOfService.Step(deviceNumber, down, !down, AlertSeverity.Medium, value, timeMs, timing);
            if (steps != LatchSteps.None)
            {
                PublishStatus(steps, deviceNumber, device, status, timeMs);
            }

            ref var latch = ref _outOfService[deviceNumber];
            if (latch.Phase == LatchPhase.Pending)
            {
                _nextDueMs = Math.Min(_nextDueMs, latch.PendingSinceMs + timing.OnDelayMs);
            }
        }
    }

    /// <summary>
    /// The event-time watermark reached <paramref name="nowMs"/>: raises out-of-service for every charger whose
    /// Faulted or Unavailable status has lasted the allowed time, with the raise time at the moment it ran out.
    /// Costs one comparison until something is due.
    /// </summary>
    internal void Advance(long nowMs)
    {
        if (nowMs < _nextDueMs)
        {
            return;
        }

        var next = long.MaxValue;
        for (var n = 0; n < _resolvedFor.Length; n++)
        {
            ref var latch = ref _outOfService[n];
            if (latch.Phase != LatchPhase.Pending && !latch.Chattering)
            {
                continue;
            }

            var device = _resolvedFor[n]!;
            var steps = _outOfService.Advance(n, nowMs, _timings[n]);
            if (steps != LatchSteps.None)
            {
                PublishStatus(steps, n, device, (ChargerStatus)(byte)latch.Peak, (steps & LatchSteps.Raised) != 0 ? latch.RaisedAtMs : nowMs);
            }

            if (latch.Phase == LatchPhase.Pending)
            {
                next = Math.Min(next, latch.PendingSinceMs + _timings[n].OnDelayMs);
            }
        }

        _nextDueMs = next;
    }

    /// <summary>
    /// New options: every charger resolved so far takes its new out-of-service time, and the next
    /// <see cref="Advance"/> looks at every pending one again (its deadline may have moved either way).
    /// </summary>
    internal void Apply(DeviceRules rules)
    {
        _rules = rules;
        var chatter = rules.Options.Lifecycle.ToRule();
        _safety.Chatter = chatter;
        _outOfService.Chatter = chatter;
        for (var n = 0; n < _resolvedFor.Length; n++)
        {
            if (_resolvedFor[n] is { } device)
            {
                Resolve(n, device);
            }
        }

        _nextDueMs = long.MinValue;
    }

    private void Resolve(int deviceNumber, DeviceInfo device)
    {
        _timings[deviceNumber] = new LatchTiming((long)_rules.For(device).Charger.OutOfServiceAfter.TotalMilliseconds, 0);
        _resolvedFor[deviceNumber] = device;
    }

    /// <summary>
    /// Forgets a pending out-of-service of charger <paramref name="deviceNumber"/> (its readings now go to another
    /// engine, which may see it back in service). An active alert stays as it is.
    /// </summary>
    internal void Release(int deviceNumber)
    {
        ref var latch = ref _outOfService[deviceNumber];
        if (latch.Phase == LatchPhase.Pending)
        {
            latch.Phase = LatchPhase.Normal;
        }
    }

    private void PublishStatus(LatchSteps steps, int deviceNumber, DeviceInfo device, ChargerStatus status, long timeMs)
    {
        ref var latch = ref _outOfService[deviceNumber];
        var message = (steps & LatchSteps.Cleared) != 0
            ? $"Charger {device.Id}: back in service ({OcppNames.Name(status)})"
            : string.Create(CultureInfo.InvariantCulture,
                $"Charger {device.Id}: Faulted or Unavailable for {(timeMs - latch.PendingSinceMs) / 60_000.0:0.#} min");
        Publish(_outOfService, steps, deviceNumber, device, (double)status, timeMs, message);
    }

    private void Publish(AlertTrack track, LatchSteps steps, int deviceNumber, DeviceInfo device, double value, long timeMs, string message) =>
        track.Publish(_sink, steps, deviceNumber, device.Id, device.District, device.Kind.Name(), value, timeMs, message);

    private AlertTrack Track(AlertCondition condition) => condition switch
    {
        AlertCondition.ChargerSafety => _safety,
        AlertCondition.ChargerOutOfService => _outOfService,
        _ => throw new ArgumentOutOfRangeException(nameof(condition), condition, "not a charger condition"),
    };
}
