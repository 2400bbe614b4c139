using System.Globalization;
using Sensing.Core.Alerts;
using Sensing.Core.Devices;
using Sensing.Core.Telemetry;
using Sensing.Detection.Internal;
using Sensing.Detection.Water.Internal;

namespace Sensing.Detection.Water;

/// <summary>
/// Insufficient service pressure on <see cref="DeviceKind.WaterPressure"/> sensors (<see cref="Metric.Pressure"/>,
/// MPa; CJ/T 316 citing CJJ 58: at least 0.14 MPa). A sensor is low once it has read below
/// <see cref="LowPressureOptions.MinimumMpa"/> for the on-delay, and stays low until it reads at or above the limit
/// plus the deadband (2 % of span) for the off-delay. The alert rule groups a district's incidents:
/// <list type="bullet">
/// <item>one low sensor in its district: a device alert <c>water.low-pressure</c> (severity Medium) on that sensor;</item>
/// <item>when <see cref="LowPressureOptions.DistrictMinSensors"/> (default 2) sensors of one district are low at the
/// same time: one district alert (source = the district, severity High, <c>Devices</c> = the low sensors). Device
/// alerts of those sensors clear (their message names the district alert) and no new device alert is raised in the
/// district while it is active; sensors that go low later join its device list (an Updated event, at most once per
/// <see cref="LowPressureOptions.DistrictUpdateInterval"/>). It clears when no sensor of the district is low.</item>
/// </list>
/// Owned by one <see cref="DetectionEngine"/>; not thread-safe.
/// </summary>
public sealed partial class LowPressureDetector : IDeviceDetector
{
    private static readonly string ConditionName = AlertCondition.LowPressure.Name();

    private readonly WaterNetwork _network;
    private readonly IAlertSink _sink;
    private readonly AlertTrack _deviceAlerts;
    private Sensor[] _sensors = [];
    private Limits[] _limits = [];

    internal LowPressureDetector(WaterNetwork network, ChatterRule chatter, IAlertSink sink)
    {
        _network = network;
        _sink = sink;
        _deviceAlerts = new AlertTrack(AlertCondition.LowPressure, chatter, 0);
        Resolve();
    }

    /// <inheritdoc cref="IDeviceDetector.Kind"/>
    public DeviceKind Kind => DeviceKind.WaterPressure;

    /// <summary>Number of sensors with an active device alert.</summary>
    public int ActiveDeviceAlerts => _deviceAlerts.ActiveCount;

    /// <summary>Number of districts with an active district alert.</summary>
    public int ActiveDistrictAlerts { get; private set; }

    /// <summary>True when device <paramref name="deviceNumber"/> is a pressure sensor currently counted as low.</summary>
    public bool IsLow(int deviceNumber)
    {
        var index = _network.IndexOf(deviceNumber, Kind);
        return index >= 0 && _sensors[index].Phase == SensorPhase.Low;
    }

    void IDeviceDetector.EnsureCapacity(int capacity)
    {
        _network.Resolve(capacity);
        Resolve();
    }

    void IDeviceDetector.Process(int deviceNumber, DeviceInfo device, TelemetryFrame reading)
    {
        if (!reading.TryGet(Metric.Pressure, out var mpa) || !double.IsFinite(mpa))
        {
            return;
        }

        var index = _network.IndexOf(deviceNumber);
        ref var sensor = ref _sensors[index];
        ref readonly var limits = ref _limits[sensor.District];
        var timeMs = reading.EventTimeMs;
        var below = mpa < limits.MinimumMpa;
        switch (sensor.Phase)
        {
            case SensorPhase.Normal when below:
                sensor.Phase = SensorPhase.Pending;
                sensor.PendingSinceMs = timeMs;
                sensor.Lowest = mpa;
                goto case SensorPhase.Pending;
            case SensorPhase.Pending:
                if (!below)
                {
                    sensor.Phase = SensorPhase.Normal;
                    return;
                }

                sensor.Lowest = Math.Min(sensor.Lowest, mpa);
                if (timeMs - sensor.PendingSinceMs >= limits.OnDelayMs)
                {
                    sensor.Phase = SensorPhase.Low;
                    sensor.Clearing = false;
                    OnLow(index, device, mpa, timeMs);
                }

                return;
            case SensorPhase.Low:
                sensor.Lowest = Math.Min(sensor.Lowest, mpa);
                if (mpa < limits.ClearAtMpa)
                {
                    // Below the limit or inside the deadband: the off-delay starts over (ISA-18.2).
                    sensor.Clearing = false;
                    OnStillLow(sensor.District, timeMs);
                    return;
                }

                if (!sensor.Clearing)
                {
                    sensor.Clearing = true;
                    sensor.ClearingSinceMs = timeMs;
                }

                if (timeMs - sensor.ClearingSinceMs >= limits.OffDelayMs)
                {
                    sensor.Phase = SensorPhase.Normal;
                    OnRestored(index, device, mpa, timeMs);
                }

                return;
            default:
                return;
        }
    }

    private void OnLow(int index, DeviceInfo device, double mpa, long timeMs)
    {
        ref var sensor = ref _sensors[index];
        ref var district = ref _districts[sensor.District];
        district.LowCount++;
        if (district.Active)
        {
            JoinDistrictAlert(index, timeMs);
        }
        else if (district.LowCount >= _limits[sensor.District].DistrictMinSensors)
        {
            RaiseDistrictAlert(sensor.District, mpa, timeMs);
        }
        else
        {
            var steps = _deviceAlerts.ForceRaise(index, AlertSeverity.Medium, mpa, timeMs);
            PublishDevice(steps, index, device, mpa, timeMs, string.Create(CultureInfo.InvariantCulture,
                $"Service pressure {mpa:0.000} MPa at {device.Id}: below {_limits[sensor.District].MinimumMpa:0.000} MPa for the on-delay"));
        }
    }

    private void OnRestored(int index, DeviceInfo device, double mpa, long timeMs)
    {
        ref var sensor = ref _sensors[index];
        ref var district = ref _districts[sensor.District];
        district.LowCount--;
        if (_deviceAlerts[index].IsActive)
        {
            var steps = _deviceAlerts.ForceClear(index, timeMs);
            PublishDevice(steps, index, device, mpa, timeMs, string.Create(CultureInfo.InvariantCulture,
                $"Service pressure {mpa:0.000} MPa at {device.Id}: cleared (lowest {sensor.Lowest:0.000} MPa)"));
        }

        if (district.Active && district.LowCount == 0)
        {
            ClearDistrictAlert(sensor.District, mpa, timeMs);
        }
    }

    private void PublishDevice(LatchSteps steps, int index, DeviceInfo device, double mpa, long timeMs, string message)
    {
        if (steps != LatchSteps.None)
        {
            _deviceAlerts.Publish(_sink, steps, index, device.Id, device.District, device.Kind.Name(), mpa, timeMs, message);
        }
    }

    private enum SensorPhase : byte
    {
        /// <summary>At or above the limit (or never read).</summary>
        Normal,
        /// <summary>Below the limit, waiting out the on-delay.</summary>
        Pending,
        /// <summary>Counted as low until it reads above the limit plus the deadband for the off-delay.</summary>
        Low,
    }

    private struct Sensor
    {
        public SensorPhase Phase;
        public bool Clearing;

        /// <summary>Listed in the district alert that is active.</summary>
        public bool InIncident;
        public int District;
        public double Lowest;
        public long PendingSinceMs;
        public long ClearingSinceMs;
    }

    /// <summary>The options of one district, resolved to the numbers the hot path compares.</summary>
    private readonly record struct Limits(double MinimumMpa, double ClearAtMpa, long OnDelayMs, long OffDelayMs, int DistrictMinSensors, long UpdateIntervalMs)
    {
        public static Limits From(LowPressureOptions options) => new(
            options.MinimumMpa,
            options.MinimumMpa + (options.SpanMpa * options.DeadbandPercentOfSpan / 100),
            (long)options.OnDelay.TotalMilliseconds,
            (long)options.OffDelay.TotalMilliseconds,
            options.DistrictMinSensors,
            (long)options.DistrictUpdateInterval.TotalMilliseconds);
    }
}
