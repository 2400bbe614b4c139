using Sensing.Core.Alerts;
using Sensing.Core.Devices;
using Sensing.Core.Telemetry;
using Sensing.Detection.Internal;
using Sensing.Detection.Water.Internal;

namespace Sensing.Detection.Water;

/// <summary>
/// Pipe burst per district (<see cref="AlertCondition.PipeBurst"/>, source = the district, severity High): a burst
/// drops pressure and raises inflow within minutes (DOMAIN.md), so every pressure sensor and every inlet flow meter
/// (<c>role=inlet</c>) runs a one-sided tabular CUSUM (Page) on its standardised residual z = (x - mean) / sigma from
/// its own time-of-week baseline (<see cref="PipeBurstOptions.Slot"/> slots over <see cref="PipeBurstOptions.Period"/>):
/// S = max(0, S - z - k) on pressure (a drop), S = max(0, S + z - k) on flow (a rise), tripped while S &gt;= h.
/// <list type="bullet">
/// <item>Warm-up: a slot takes part only after <see cref="PipeBurstOptions.WarmupSamples"/> samples.</item>
/// <item>Outliers: z is clipped to +-<see cref="PipeBurstOptions.ResidualCapSigma"/>, so one spike or dip cannot trip a
/// CUSUM alone; the baseline learns the clipped value, and nothing while the sensor's CUSUM is tripped.</item>
/// <item>Stuck sensors (<see cref="PipeBurstOptions.StuckReadings"/> identical readings) are reset and left out.</item>
/// <item>S is capped at 2h, so after a repair it falls below h within about h/k readings.</item>
/// </list>
/// The vote: an inlet flow CUSUM and at least one pressure CUSUM of the district tripped, their trips within
/// <see cref="PipeBurstOptions.AgreementWindow"/> of each other; in a district without an inlet meter,
/// <see cref="PipeBurstOptions.PressureOnlyMinSensors"/> pressure CUSUMs tripped within the window. The vote must hold
/// for the on-delay; the alert lists every sensor that tripped during the incident and clears once no CUSUM of the
/// district is tripped for the off-delay. Owned by one <see cref="DetectionEngine"/>; not thread-safe.
/// </summary>
public sealed partial class PipeBurstDetector
{
    private static readonly string ConditionName = AlertCondition.PipeBurst.Name();

    private readonly WaterNetwork _network;
    private readonly IAlertSink _sink;
    private readonly SlotProfiles _profiles = new();
    private Series[] _pressure = [];
    private Series[] _flow = [];

    internal PipeBurstDetector(WaterNetwork network, IAlertSink sink)
    {
        _network = network;
        _sink = sink;
        PressureInput = new Input(this, DeviceKind.WaterPressure);
        FlowInput = new Input(this, DeviceKind.WaterFlow);
        Resolve();
    }

    /// <summary>Number of districts with an active burst alert.</summary>
    public int ActiveCount { get; private set; }

    internal IDeviceDetector PressureInput { get; }

    internal IDeviceDetector FlowInput { get; }

    /// <summary>
    /// The CUSUM statistic of device <paramref name="deviceNumber"/> in standard deviations (0 for a device that takes
    /// no part: not a pressure sensor or inlet meter, warming up, or stuck).
    /// </summary>
    public double CusumOf(int deviceNumber)
    {
        var pressure = _network.IndexOf(deviceNumber, DeviceKind.WaterPressure);
        if (pressure >= 0)
        {
            return _pressure[pressure].Cusum;
        }

        var flow = _network.IndexOf(deviceNumber, DeviceKind.WaterFlow);
        return flow >= 0 ? _flow[flow].Cusum : 0;
    }

    private void Process(DeviceKind kind, int deviceNumber, TelemetryFrame reading)
    {
        var isFlow = kind == DeviceKind.WaterFlow;
        if (!reading.TryGet(isFlow ? Metric.WaterFlow : Metric.Pressure, out var value) || !double.IsFinite(value))
        {
            return;
        }

        var index = _network.IndexOf(deviceNumber);
        ref var series = ref isFlow ? ref _flow[index] : ref _pressure[index];
        if (series.Slots == 0)
        {
            // A flow meter that is not a district inlet.
            return;
        }

        var timeMs = reading.EventTimeMs;
        ref readonly var settings = ref _settings[series.District];
        var wasTripped = series.Tripped;
        Update(ref series, in settings, isFlow, value, timeMs);
        if (series.Tripped != wasTripped)
        {
            OnTripChanged(ref series, isFlow, timeMs);
        }

        ref var district = ref _districts[series.District];
        if (district.Phase != BurstPhase.Normal || district.TrippedFlow + district.TrippedPressure > 0)
        {
            Vote(series.District, value, timeMs);
        }
    }

    private void Update(ref Series series, in Settings settings, bool isFlow, double value, long timeMs)
    {
        // Stuck-at fault: the same double again and again. Reset, take no part, learn nothing until it moves.
        series.Repeats = value == series.LastValue ? series.Repeats + 1 : 1;
        series.LastValue = value;
        if (series.Repeats >= settings.StuckReadings)
        {
            series.Cusum = 0;
            series.Tripped = false;
            return;
        }

        var slot = TimeMath.FloorMod(TimeMath.FloorDiv(timeMs, series.SlotMs), series.Slots);
        ref var stats = ref _profiles[series.Offset + slot];
        if (stats.Count < settings.WarmupSamples)
        {
            SlotProfiles.Learn(ref stats, value, settings.Smoothing);
            return;
        }

        var floor = isFlow ? settings.FlowSigmaFloorFraction * Math.Abs(stats.Mean) : settings.PressureSigmaFloorMpa;
        var sigma = Math.Max(Math.Sqrt(stats.Variance), floor);
        var z = Math.Clamp((value - stats.Mean) / sigma, -settings.ResidualCap, settings.ResidualCap);
        var step = isFlow ? z - settings.Slack : -z - settings.Slack;
        series.Cusum = Math.Min(Math.Max(0, series.Cusum + step), settings.CusumCeiling);
        series.Tripped = series.Cusum >= settings.Decision;
        if (!series.Tripped)
        {
            SlotProfiles.Learn(ref stats, stats.Mean + (z * sigma), settings.Smoothing);
        }
    }

    private sealed class Input(PipeBurstDetector owner, DeviceKind kind) : IDeviceDetector
    {
        public DeviceKind Kind => kind;

        public void EnsureCapacity(int capacity)
        {
            owner._network.Resolve(capacity);
            owner.Resolve();
        }

        public void Process(int deviceNumber, DeviceInfo device, TelemetryFrame reading) => owner.Process(kind, deviceNumber, reading);
    }
}
