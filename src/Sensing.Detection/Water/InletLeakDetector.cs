using Sensing.Core.Alerts;
using Sensing.Core.Devices;
using Sensing.Core.Telemetry;
using Sensing.Detection.Internal;
using Sensing.Detection.Water.Internal;

namespace Sensing.Detection.Water;

/// <summary>
/// District leaks from inlet flow alone (<see cref="AlertCondition.InletLeak"/>, source = the district), for districts
/// with an inlet meter and no pressure sensor as much as for those with one. Each inlet meter's readings are averaged
/// per local hour (stuck values and gaps are left out) and modelled as y = a x P(slot) + b: P is a time-of-week demand
/// profile of 168 hourly slots, a the day's demand level, b the flow that does not scale with demand. Leakage is
/// demand-independent, so a leak raises b while seasons, weather and holidays move a (the "night flow is leakage"
/// reasoning of MNF analysis, Lambert 2001, fitted over the whole day instead of one night hour; and a linear model of
/// one sensor against its own learned profile, as LILA, Daniel et al. 2022, fits linear models between sensors).
/// <list type="bullet">
/// <item>Abrupt: every hour, a Kalman filter follows a with b held at b_ref, and a generalised likelihood ratio test for a
/// step in b (Willsky and Jones 1976) over the onsets of the last 60 hours weighs each innovation by what the step
/// still shows in it (the filter takes part of a step into a); a step is raised once the night has shared it.</item>
/// <item>Incipient: every day, the day's a and b by weighted least squares over its hours (weights 1/P^2, as the
/// noise scales with demand), and a CUSUM on (b - b_ref) / sd(b) over days, less what a demand level below b_ref's
/// can explain: growth over weeks accumulates.</item>
/// </list>
/// Where the district has pressure sensors, a step raised while one of their burst CUSUMs is tripped (pressure down
/// against its own baseline) is confirmed by pressure: severity High and said in the message.
/// A raise takes the estimated rise into b_ref (the tests re-arm on top of what is known), so a later step raises a
/// new alert while the earlier one stays open: each step is a separate leak to find and repair. Alerts clear only when
/// an operator reports the district repaired (<see cref="Repaired"/>), which also learns b_ref again. Owned by one
/// <see cref="DetectionEngine"/>; not thread-safe; allocates only when it raises or clears.
/// </summary>
public sealed partial class InletLeakDetector : IDeviceDetector
{
    internal const int Slots = 168;
    private const long HourMs = 3_600_000;

    // Hours whose profile is at most this fraction of its mean are low-demand (night) hours.
    private const double LowDemand = 0.7;

    // The coupling slope's memory (about 180 days) and the weight of its starting value, the profile's lowest slot:
    // that of a week of levels 3 % apart (the day-to-day spread of demand), so a few weeks of data outweigh it.
    private const double CouplingForgetting = 1.0 / 180;
    private const double CouplingPrior = 7 * 0.03 * 0.03;

    // The weight of a new day in the recent demand level a_recent (CheckTrend).
    private const double RecentWeight = 0.5;

    // An hour whose residual from the day's fit is more than this many times the meter's hourly noise is left out of
    // the fit (TryFit).
    private const double OutlierNoises = 3;

    private readonly WaterNetwork _network;
    private readonly IAlertSink _sink;
    private readonly PipeBurstDetector _pressure;
    private readonly List<List<int>> _metersOfDistrict = [];
    private readonly List<List<(string Id, long RaisedAtMs)>> _openOfDistrict = [];
    private Meter[] _meters = [];
    private double[] _profiles = [];
    private int[] _slotCounts = [];
    private double[] _dayHours = [];
    private double[] _recentY = [];
    private double[] _recentP = [];
    private StepCandidate[] _candidates = [];
    private InletLeakOptions[] _options = [];

    internal InletLeakDetector(WaterNetwork network, PipeBurstDetector pressure, IAlertSink sink)
    {
        _network = network;
        _pressure = pressure;
        _sink = sink;
        Resolve();
    }

    /// <inheritdoc cref="IDeviceDetector.Kind"/>
    public DeviceKind Kind => DeviceKind.WaterFlow;

    /// <summary>Inlet-leak alerts open (raised, not yet repaired) over every district.</summary>
    public int ActiveCount { get; private set; }

    /// <summary>The demand-independent flow b_ref (m3/h) device <paramref name="deviceNumber"/>'s CUSUMs are armed on; NaN while learning or for a device that is not an inlet meter.</summary>
    public double KnownBaseFlow(int deviceNumber)
    {
        var index = _network.IndexOf(deviceNumber, Kind);
        return index >= 0 && _meters[index].Inlet && _meters[index].Phase == Phase.Running ? _meters[index].BRef : double.NaN;
    }

    /// <summary>True while device <paramref name="deviceNumber"/> is learning (profile, or b after start or a repair).</summary>
    public bool IsLearning(int deviceNumber)
    {
        var index = _network.IndexOf(deviceNumber, Kind);
        return index >= 0 && _meters[index].Inlet && _meters[index].Phase != Phase.Running;
    }

    /// <summary>True when the meter of water-flow index <paramref name="index"/> is an inlet meter this detector runs on (enabled, learned).</summary>
    internal bool Models(int index) =>
        index < _meters.Length && _meters[index].Inlet && _meters[index].Phase == Phase.Running && _options[_meters[index].District].Enabled;

    void IDeviceDetector.EnsureCapacity(int capacity)
    {
        _network.Resolve(capacity);
        Resolve();
    }

    void IDeviceDetector.Process(int deviceNumber, DeviceInfo device, TelemetryFrame reading)
    {
        if (!reading.TryGet(Metric.WaterFlow, out var flow) || !double.IsFinite(flow) || flow < 0)
        {
            return;
        }

        var index = _network.IndexOf(deviceNumber);
        ref var meter = ref _meters[index];
        if (!meter.Inlet || !_options[meter.District].Enabled)
        {
            return;
        }

        // A meter that repeats one value exactly is stuck (frozen register or a lost link the RTU fills): those
        // readings are no measurement.
        if (flow == meter.LastValue)
        {
            meter.Repeats++;
        }
        else
        {
            meter.Repeats = 1;
            meter.LastValue = flow;
        }

        var timeMs = reading.EventTimeMs;
        var localMs = _network.Clock.LocalMs(timeMs);
        var hour = TimeMath.FloorDiv(localMs, HourMs);
        if (hour < meter.Hour)
        {
            // A late reading of an hour already closed changes nothing.
            return;
        }

        if (hour > meter.Hour)
        {
            if (meter.Hour != long.MinValue)
            {
                CloseHour(index, timeMs);
                if (TimeMath.FloorDiv(hour, 24) != TimeMath.FloorDiv(meter.Hour, 24))
                {
                    CloseDay(index, timeMs);
                }
            }

            meter.Hour = hour;
            meter.HourSum = 0;
            meter.HourCount = 0;
        }

        if (meter.Repeats < _options[meter.District].StuckReadings)
        {
            meter.HourSum += flow;
            meter.HourCount++;
            if (meter.Phase == Phase.Running)
            {
                CheckJump(index, flow, timeMs, localMs);
            }
        }
    }

    private void CloseHour(int index, long timeMs)
    {
        ref var meter = ref _meters[index];
        var hourOfDay = (int)TimeMath.FloorMod(meter.Hour, 24L);
        var day = _dayHours.AsSpan(index * 24, 24);
        if (meter.HourCount == 0)
        {
            day[hourOfDay] = double.NaN;
            return;
        }

        var y = meter.HourSum / meter.HourCount;
        day[hourOfDay] = y;
        var slot = SlotOf(meter.Hour);
        ref var p = ref _profiles[(index * Slots) + slot];
        if (meter.Phase == Phase.Profile)
        {
            // The plain mean of the slot's hours over the profile days.
            ref var count = ref _slotCounts[(index * Slots) + slot];
            count++;
            p = count == 1 ? y : p + ((y - p) / count);
            return;
        }

        if (meter.Phase != Phase.Running)
        {
            return;
        }

        Remember(index, y, p);
        CheckStep(index, y, p, timeMs);
    }

    // Hours since 1970-01-01 00:00 local are a Thursday's midnight at 0; 168-hour slots keep weekdays apart.
    private static int SlotOf(long localHour) => (int)(localHour - (TimeMath.FloorDiv(localHour, Slots) * Slots));

    private enum Phase : byte
    {
        Profile,
        Calibration,
        Running,
    }
}
