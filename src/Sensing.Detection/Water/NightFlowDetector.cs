using Sensing.Core.Alerts;
using Sensing.Core.Devices;
using Sensing.Core.Telemetry;
using Sensing.Detection.Internal;
using Sensing.Detection.Water.Internal;

namespace Sensing.Detection.Water;

/// <summary>
/// District minimum-night-flow rise (<see cref="AlertCondition.NightFlowRise"/>, source = the district, severity
/// Medium), the LeakDB MNF rule on each district inlet meter (<see cref="DeviceKind.WaterFlow"/> with <c>role=inlet</c>,
/// <see cref="Metric.WaterFlow"/>, m3/h). A day's MNF is the lowest flow read inside the night window (local time in
/// the city's zone, <see cref="DetectionOptions.TimeZone"/>, daylight saving included); the day is judged at the first reading after the window (or of a later
/// day): flagged when MNF - B &gt; gamma x B, B the minimum MNF of the last <see cref="NightFlowOptions.BaselineDays"/>
/// unflagged days. Flagged days stay out of the baseline; the first days only fill it. A night with too few readings
/// is skipped. The district alert lists the flagged inlet meters and clears when none of them is flagged any more
/// (the first unflagged day of the last one). Owned by one <see cref="DetectionEngine"/>; not thread-safe.
/// </summary>
public sealed partial class NightFlowDetector : IDeviceDetector
{
    private const long DayMs = 86_400_000;

    private readonly WaterNetwork _network;
    private readonly IAlertSink _sink;
    private readonly List<List<int>> _metersOfDistrict = [];
    private Meter[] _meters = [];
    private double[] _baselines = [];
    private Night[] _nights = [];
    private District[] _districts = [];
    private string?[] _ids = [];
    private InletLeakDetector? _inletLeak;

    internal NightFlowDetector(WaterNetwork network, IAlertSink sink)
    {
        _network = network;
        _sink = sink;
        Resolve();
    }

    /// <summary>The inlet-leak detector new alerts defer to (<see cref="NightFlowOptions.DeferToInletLeak"/>).</summary>
    internal void DeferTo(InletLeakDetector inletLeak) => _inletLeak = inletLeak;

    /// <inheritdoc cref="IDeviceDetector.Kind"/>
    public DeviceKind Kind => DeviceKind.WaterFlow;

    /// <summary>Number of districts with an active night-flow alert.</summary>
    public int ActiveCount { get; private set; }

    /// <summary>The last judged MNF of device <paramref name="deviceNumber"/>, m3/h (NaN before the first or for a device that is not an inlet meter).</summary>
    public double LastMinimumNightFlow(int deviceNumber)
    {
        var index = _network.IndexOf(deviceNumber, Kind);
        return index >= 0 && _meters[index].Inlet ? _meters[index].LastMnf : double.NaN;
    }

    void IDeviceDetector.EnsureCapacity(int capacity)
    {
        _network.Resolve(capacity);
        Resolve();
    }

    void IDeviceDetector.Process(int deviceNumber, DeviceInfo device, TelemetryFrame reading)
    {
        if (!reading.TryGet(Metric.WaterFlow, out var flow) || !double.IsFinite(flow))
        {
            return;
        }

        var index = _network.IndexOf(deviceNumber);
        ref var meter = ref _meters[index];
        if (!meter.Inlet)
        {
            return;
        }

        ref readonly var night = ref _nights[meter.District];
        var timeMs = reading.EventTimeMs;
        var local = _network.Clock.LocalMs(timeMs);
        var day = TimeMath.FloorDiv(local, DayMs);
        if (day < meter.Day)
        {
            // A late reading of a day already judged changes nothing.
            return;
        }

        if (day > meter.Day)
        {
            if (!meter.Judged)
            {
                Judge(index, timeMs);
            }

            meter.Day = day;
            meter.NightMin = double.PositiveInfinity;
            meter.NightReadings = 0;
            meter.Judged = false;
        }

        var msOfDay = local - (day * DayMs);
        if (msOfDay >= night.StartMs && msOfDay < night.EndMs)
        {
            meter.NightMin = Math.Min(meter.NightMin, flow);
            meter.NightReadings++;
        }
        else if (msOfDay >= night.EndMs && !meter.Judged)
        {
            Judge(index, timeMs);
        }
    }

    private void Judge(int index, long timeMs)
    {
        ref var meter = ref _meters[index];
        ref readonly var night = ref _nights[meter.District];
        meter.Judged = true;
        if (meter.NightReadings < night.MinNightReadings)
        {
            return;
        }

        var mnf = meter.NightMin;
        meter.LastMnf = mnf;
        var ring = _baselines.AsSpan(meter.BaselineOffset, night.BaselineDays);
        if (meter.BaselineCount < night.BaselineDays)
        {
            // Filling the baseline: the first days are taken as normal (warm-up).
            ring[meter.BaselineCount++] = mnf;
            return;
        }

        var baseline = double.PositiveInfinity;
        foreach (var value in ring)
        {
            baseline = Math.Min(baseline, value);
        }

        var flagged = mnf - baseline > night.Gamma * baseline;
        if (!flagged)
        {
            ring[meter.BaselineNext] = mnf;
            meter.BaselineNext = (meter.BaselineNext + 1) % night.BaselineDays;
        }

        // A flagged night counts towards the alert once ConfirmNights of them came in a row (NightFlowOptions).
        meter.FlaggedNights = flagged ? meter.FlaggedNights + 1 : 0;
        meter.LastBaseline = baseline;
        OnJudged(index, flagged && meter.FlaggedNights >= night.ConfirmNights, timeMs);
    }

    private struct Meter
    {
        public bool Inlet;
        public bool Judged;

        /// <summary>The last judged day was flagged.</summary>
        public bool Flagged;
        public int District;

        /// <summary>Flagged nights in a row up to the last judged one.</summary>
        public int FlaggedNights;
        public int NightReadings;
        public int BaselineOffset;
        public int BaselineCount;
        public int BaselineNext;
        public long Day;
        public double NightMin;
        public double LastMnf;
        public double LastBaseline;
    }

    /// <summary>The options of one district, resolved to the numbers the hot path uses.</summary>
    private readonly record struct Night(long StartMs, long EndMs, double Gamma, int BaselineDays, int MinNightReadings, int ConfirmNights, bool DeferToInletLeak)
    {
        public static Night From(NightFlowOptions o) => new(
            (long)o.NightStart.TotalMilliseconds,
            (long)o.NightEnd.TotalMilliseconds,
            o.Gamma,
            o.BaselineDays,
            o.MinNightReadings,
            o.ConfirmNights,
            o.DeferToInletLeak);
    }
}
