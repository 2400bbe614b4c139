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
    private readonly long _onDelayMs;
    private readonly long _offDelayMs;

    // Per-device state, indexed by dense device number (DeviceRegistry). Ids are kept apart from the
    // unmanaged-only state so the hot array stays free of references.
    private State[] _states;
    private string?[] _alertIds;
    private int _activeCount;

    internal MethaneDetector(MethaneDetectorOptions options, IAlertSink sink, int capacity)
    {
        options.Validate();
        Options = options;
        _sink = sink;
        _level1 = options.Level1Lel;
        _level2 = options.Level2Lel;
        _clearBelow = options.Level1Lel - options.DeadbandLel;
        _onDelayMs = (long)options.OnDelay.TotalMilliseconds;
        _offDelayMs = (long)options.OffDelay.TotalMilliseconds;
        _states = new State[capacity];
        _alertIds = new string?[capacity];
    }

    /// <summary>The limits in force.</summary>
    public MethaneDetectorOptions Options { get; }

    /// <summary>Number of devices with an active methane alert.</summary>
    public int ActiveCount => _activeCount;

    /// <inheritdoc cref="IDeviceDetector.Kind"/>
    public DeviceKind Kind => DeviceKind.MethaneDetector;

    /// <summary>True when device <paramref name="deviceNumber"/> has an active alert; gives its id and severity.</summary>
    public bool TryGetActive(int deviceNumber, out string alertId, out AlertSeverity severity)
    {
        if ((uint)deviceNumber < (uint)_states.Length && _states[deviceNumber].Phase >= Phase.Active)
        {
            alertId = _alertIds[deviceNumber]!;
            severity = _states[deviceNumber].Severity;
            return true;
        }

        alertId = "";
        severity = default;
        return false;
    }

    void IDeviceDetector.EnsureCapacity(int capacity)
    {
        if (capacity > _states.Length)
        {
            Array.Resize(ref _states, capacity);
            Array.Resize(ref _alertIds, capacity);
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

        ref var state = ref _states[deviceNumber];
        var timeMs = reading.EventTimeMs;
        var level = lel >= _level2 ? 2 : lel >= _level1 ? 1 : 0;
        switch (state.Phase)
        {
            case Phase.Normal when level > 0:
                state.Phase = Phase.Pending;
                state.PendingSinceMs = timeMs;
                state.Count = 0;
                state.Peak = lel;
                goto case Phase.Pending;
            case Phase.Pending:
                if (level == 0)
                {
                    state.Phase = Phase.Normal;
                    return;
                }

                state.Count++;
                state.Peak = Math.Max(state.Peak, lel);
                if (timeMs - state.PendingSinceMs >= _onDelayMs)
                {
                    Raise(ref state, deviceNumber, device, lel, level, timeMs);
                }

                return;
            case Phase.Active:
                Track(ref state, deviceNumber, device, lel, level, timeMs);
                return;
            default:
                return;
        }
    }

    private void Track(ref State state, int deviceNumber, DeviceInfo device, double lel, int level, long timeMs)
    {
        if (lel < _clearBelow)
        {
            // Off-delay runs from the first reading below the deadband (ISA-18.2).
            if (!state.Clearing)
            {
                state.Clearing = true;
                state.BelowSinceMs = timeMs;
            }

            if (timeMs - state.BelowSinceMs >= _offDelayMs)
            {
                Clear(ref state, deviceNumber, device, lel, timeMs);
            }

            return;
        }

        // Inside the deadband or above: the off-delay starts over.
        state.Clearing = false;
        if (level == 0)
        {
            return;
        }

        state.Count++;
        state.Peak = Math.Max(state.Peak, lel);

        // Severity only rises while active (latched until clear): a concentration hovering around level 2 gives
        // one Updated event, not one per crossing (EEMUA 191 chattering).
        var severity = SeverityOf(level);
        if (severity > state.Severity)
        {
            state.Severity = severity;
            Publish(AlertEventType.Updated, in state, deviceNumber, device, lel, level, timeMs);
        }
    }

    private void Raise(ref State state, int deviceNumber, DeviceInfo device, double lel, int level, long timeMs)
    {
        state.Phase = Phase.Active;
        state.Clearing = false;
        state.RaisedAtMs = timeMs;
        state.Severity = SeverityOf(level);
        _alertIds[deviceNumber] = AlertId.Create(device.Id, AlertCondition.MethaneHigh, timeMs);
        _activeCount++;
        Publish(AlertEventType.Raised, in state, deviceNumber, device, lel, level, timeMs);
    }

    private void Clear(ref State state, int deviceNumber, DeviceInfo device, double lel, long timeMs)
    {
        state.Phase = Phase.Normal;
        state.Clearing = false;
        _activeCount--;
        Publish(AlertEventType.Cleared, in state, deviceNumber, device, lel, 0, timeMs);
        _alertIds[deviceNumber] = null;
    }

    private static AlertSeverity SeverityOf(int level) => level >= 2 ? AlertSeverity.Critical : AlertSeverity.High;

    private enum Phase : byte
    {
        /// <summary>No alert, nothing pending.</summary>
        Normal,
        /// <summary>At or above level 1, waiting out the on-delay.</summary>
        Pending,
        /// <summary>Alert raised and not yet cleared.</summary>
        Active,
    }

    private struct State
    {
        public Phase Phase;
        public AlertSeverity Severity;
        public bool Clearing;
        public int Count;
        public double Peak;
        public long PendingSinceMs;
        public long RaisedAtMs;
        public long BelowSinceMs;
    }
}
