using Sensing.Core.Alerts;
using Sensing.Core.Devices;
using Sensing.Core.Telemetry;
using Sensing.Detection.Internal;

namespace Sensing.Detection.Gas;

/// <summary>
/// Gas meter rules (<see cref="DeviceKind.GasMeter"/>) on <see cref="Metric.GasFlow"/>, <see cref="Metric.GasVolume"/>,
/// <see cref="Metric.ValveOpen"/> and <see cref="Metric.AlarmBits"/> (<see cref="GasMeterAlarmBits"/>):
/// <list type="bullet">
/// <item><see cref="AlertCondition.MeterMicroLeak"/>: flow never back to zero for the micro-leak window.</item>
/// <item><see cref="AlertCondition.MeterRupture"/>: flow at or above a fraction of Qmax for the rupture duration;
/// the raise also commands the valve closed.</item>
/// <item><see cref="AlertCondition.MeterLongUse"/>: burner-sized flow without a break for the long-use window.</item>
/// <item><see cref="AlertCondition.MeterTamper"/>: tamper or magnetic-interference bit, raised at once.</item>
/// <item><see cref="AlertCondition.MeterValveFault"/>: valve-fault bit, or the valve still open a while after
/// a close command.</item>
/// </list>
/// A flow reported while the meter's volume register stands still is a stuck sensor, not gas: it neither starts
/// nor continues a micro-leak, long use or rupture. Owned by one <see cref="DetectionEngine"/>; not thread-safe.
/// </summary>
public sealed partial class GasMeterDetector : IDeviceDetector
{
    // At 90 % of the smallest household meter's Qmax (G1.6: 2.5 m3/h) the 0.001 m3 register moves ~37 times a
    // minute, so a register that stood still for a minute rules out a rupture-sized flow.
    private const long RuptureStallMs = 60_000;

    private readonly IAlertSink _alertSink;
    private readonly ICommandSink? _commandSink;
    private DeviceRules _rules;
    private readonly AlertTrack _microLeak;
    private readonly AlertTrack _rupture;
    private readonly AlertTrack _longUse;
    private readonly AlertTrack _tamper;
    private readonly AlertTrack _valveFault;

    // Per-device state, indexed by dense device number.
    private Limits[] _limits;
    private Meter[] _meters;
    private DeviceInfo?[] _resolvedFor;
    private long _commands;
    private long _badParameters;

    internal GasMeterDetector(DeviceRules rules, IAlertSink alertSink, ICommandSink? commandSink, int capacity)
    {
        _rules = rules;
        _alertSink = alertSink;
        _commandSink = commandSink;
        var chatter = rules.Options.Lifecycle.ToRule();
        _microLeak = new AlertTrack(AlertCondition.MeterMicroLeak, chatter, capacity);
        _rupture = new AlertTrack(AlertCondition.MeterRupture, chatter, capacity);
        _longUse = new AlertTrack(AlertCondition.MeterLongUse, chatter, capacity);
        _tamper = new AlertTrack(AlertCondition.MeterTamper, chatter, capacity);
        _valveFault = new AlertTrack(AlertCondition.MeterValveFault, chatter, capacity);
        _limits = new Limits[capacity];
        _meters = new Meter[capacity];
        _resolvedFor = new DeviceInfo?[capacity];
    }

    /// <summary>The options in force (before overrides).</summary>
    public GasMeterDetectorOptions Options => _rules.Options.GasMeter;

    /// <inheritdoc cref="IDeviceDetector.Kind"/>
    public DeviceKind Kind => DeviceKind.GasMeter;

    /// <summary>Valve-close commands issued (also counted when no command sink is attached).</summary>
    public long CommandsIssued => _commands;

    /// <summary>Meter records whose <c>qmax</c> parameter was not a positive number; they use the default Qmax.</summary>
    public long BadParameters => _badParameters;

    /// <summary>Meters with an active alert of <paramref name="condition"/> (a gas-meter condition).</summary>
    public int ActiveCount(AlertCondition condition) => Track(condition).ActiveCount;

    /// <summary>True when meter <paramref name="deviceNumber"/> has an active alert of <paramref name="condition"/>.</summary>
    public bool TryGetActive(int deviceNumber, AlertCondition condition, out string alertId, out AlertSeverity severity) =>
        Track(condition).TryGetActive(deviceNumber, out alertId, out severity);

    void IDeviceDetector.EnsureCapacity(int capacity)
    {
        if (capacity <= _limits.Length)
        {
            return;
        }

        Array.Resize(ref _limits, capacity);
        Array.Resize(ref _meters, capacity);
        Array.Resize(ref _resolvedFor, capacity);
        foreach (var track in (ReadOnlySpan<AlertTrack>)[_microLeak, _rupture, _longUse, _tamper, _valveFault])
        {
            track.EnsureCapacity(capacity);
        }
    }

    void IDeviceDetector.Process(int deviceNumber, DeviceInfo device, TelemetryFrame reading)
    {
        if (!ReferenceEquals(_resolvedFor[deviceNumber], device))
        {
            Resolve(deviceNumber, device, countBadParameters: true);
        }

        ref readonly var limits = ref _limits[deviceNumber];
        ref var meter = ref _meters[deviceNumber];
        var timeMs = reading.EventTimeMs;

        // One pass over the reading's metrics instead of one search per metric.
        double volume = double.NaN, flow = double.NaN, valve = double.NaN, bitsValue = double.NaN;
        for (var i = 0; i < reading.MetricCount; i++)
        {
            var m = reading.GetMetric(i);
            switch (m.Metric)
            {
                case Metric.GasVolume: volume = m.Value; break;
                case Metric.GasFlow: flow = m.Value; break;
                case Metric.ValveOpen: valve = m.Value; break;
                case Metric.AlarmBits: bitsValue = m.Value; break;
                default: break;
            }
        }

        // Volume register: remember when it last moved (a smaller value is a replaced or reset meter).
        var volumeReported = double.IsFinite(volume);
        if (volumeReported && (!meter.HasVolume || volume != meter.LastVolume))
        {
            meter.HasVolume = true;
            meter.LastVolume = volume;
            meter.VolumeMovedAtMs = timeMs;
        }

        var sinceVolumeMoved = volumeReported ? timeMs - meter.VolumeMovedAtMs : 0;
        if (double.IsFinite(flow))
        {
            ProcessFlow(deviceNumber, device, in limits, flow, sinceVolumeMoved, timeMs);
        }

        var valveReported = double.IsFinite(valve);
        var bitsReported = GasMeterAlarmBits.TryRead(bitsValue, out var bits);
        if (bitsReported)
        {
            meter.AlarmBits = bits;
            var tampered = (meter.AlarmBits & (GasMeterAlarmBits.Tamper | GasMeterAlarmBits.MagneticInterference)) != 0;
            var steps = _tamper.Step(deviceNumber, tampered, !tampered, AlertSeverity.High, meter.AlarmBits, timeMs, limits.Immediate);
            if (steps != LatchSteps.None)
            {
                PublishTamper(steps, deviceNumber, device, meter.AlarmBits, timeMs);
            }
        }

        if (valveReported || bitsReported)
        {
            ProcessValve(deviceNumber, device, in limits, ref meter, valveReported ? valve : double.NaN, timeMs);
        }
    }

    private void ProcessFlow(int deviceNumber, DeviceInfo device, in Limits limits, double flow, long sinceVolumeMoved, long timeMs)
    {
        var stalled = sinceVolumeMoved >= limits.VolumeStallMs;
        var flowing = flow > limits.ZeroFlow;
        var steps = _microLeak.Step(deviceNumber, flowing && !stalled, !flowing, AlertSeverity.Medium, flow, timeMs, limits.MicroLeak);
        if (steps != LatchSteps.None)
        {
            PublishFlow(_microLeak, steps, deviceNumber, device, flow, timeMs, limits.ZeroFlow);
        }

        steps = _longUse.Step(deviceNumber, flow >= limits.LongUseFlow && !stalled, flow < limits.LongUseClearBelow, AlertSeverity.Medium, flow, timeMs, limits.LongUse);
        if (steps != LatchSteps.None)
        {
            PublishFlow(_longUse, steps, deviceNumber, device, flow, timeMs, limits.LongUseFlow);
        }

        var rupture = flow >= limits.RuptureFlow && sinceVolumeMoved < RuptureStallMs;
        steps = _rupture.Step(deviceNumber, rupture, flow < limits.RuptureClearBelow, AlertSeverity.Critical, flow, timeMs, limits.Rupture);
        if (steps != LatchSteps.None)
        {
            PublishFlow(_rupture, steps, deviceNumber, device, flow, timeMs, limits.RuptureFlow);
            if ((steps & LatchSteps.Raised) != 0 && limits.CloseValve)
            {
                CommandValveClosed(deviceNumber, device, flow, timeMs);
            }
        }
    }

    private void ProcessValve(int deviceNumber, DeviceInfo device, in Limits limits, ref Meter meter, double valve, long timeMs)
    {
        if (valve == 0)
        {
            meter.ValveCommandPending = false;
        }

        var bitFault = (meter.AlarmBits & GasMeterAlarmBits.ValveFault) != 0;
        var stillOpen = meter.ValveCommandPending && valve > 0;
        var commandFault = stillOpen && timeMs - meter.ValveCommandAtMs >= limits.ValveResponseMs;
        var fault = bitFault || commandFault;
        var steps = _valveFault.Step(deviceNumber, fault, !fault && !stillOpen, AlertSeverity.High, double.IsNaN(valve) ? meter.AlarmBits : valve, timeMs, limits.Immediate);
        if (steps != LatchSteps.None)
        {
            PublishValveFault(steps, deviceNumber, device, bitFault, timeMs);
        }
    }

    private AlertTrack Track(AlertCondition condition) => condition switch
    {
        AlertCondition.MeterMicroLeak => _microLeak,
        AlertCondition.MeterRupture => _rupture,
        AlertCondition.MeterLongUse => _longUse,
        AlertCondition.MeterTamper => _tamper,
        AlertCondition.MeterValveFault => _valveFault,
        _ => throw new ArgumentOutOfRangeException(nameof(condition), condition, "not a gas-meter condition"),
    };

    /// <summary>Limits of one meter after overrides and its own parameters.</summary>
    private struct Limits
    {
        public double ZeroFlow;
        public double LongUseFlow;
        public double LongUseClearBelow;
        public double RuptureFlow;
        public double RuptureClearBelow;
        public long VolumeStallMs;
        public long ValveResponseMs;
        public bool CloseValve;
        public LatchTiming MicroLeak;
        public LatchTiming LongUse;
        public LatchTiming Rupture;
        public LatchTiming Immediate;
    }

    /// <summary>What a meter last told us beyond its alerts.</summary>
    private struct Meter
    {
        public bool HasVolume;
        public bool ValveCommandPending;
        public uint AlarmBits;
        public double LastVolume;
        public long VolumeMovedAtMs;
        public long ValveCommandAtMs;
    }
}
