using System.Globalization;
using Sensing.Core.Alerts;
using Sensing.Core.Devices;

namespace Sensing.Detection.Water;

/// <summary>Raising an alert per leak, the operator's repair, options and new devices.</summary>
public sealed partial class InletLeakDetector
{
    /// <summary>
    /// The operator reports district <paramref name="district"/> repaired at <paramref name="timeMs"/> (the feed's
    /// "repaired" action): every open inlet-leak alert of the district clears with <paramref name="note"/>, and each of
    /// its inlet meters learns its base flow b and noise again over <see cref="InletLeakOptions.CalibrationDays"/> from
    /// the next full day on (the profile is kept). False when the district has no inlet meter here.
    /// </summary>
    public bool Repaired(string district, long timeMs, string? note) => Repaired(district, timeMs, note, static _ => true);

    /// <summary>
    /// As <see cref="Repaired(string, long, string?)"/>, for the district's inlet meters (by device number) that
    /// <paramref name="applies"/> selects only: a processor passes those whose state it owns and has not taken the
    /// report yet. False, and nothing changes (no alert clears), when it selects none of them.
    /// </summary>
    public bool Repaired(string district, long timeMs, string? note, Func<int, bool> applies)
    {
        ArgumentNullException.ThrowIfNull(district);
        ArgumentNullException.ThrowIfNull(applies);
        if (!_network.TryFindDistrict(district, out var k) || k >= _metersOfDistrict.Count)
        {
            return false;
        }

        var selected = 0;
        foreach (var index in _metersOfDistrict[k])
        {
            if (!applies(_network.DeviceOf(Kind, index)))
            {
                continue;
            }

            selected++;
            ref var meter = ref _meters[index];
            if (meter.Phase != Phase.Profile)
            {
                StartCalibration(ref meter);
            }
        }

        if (selected == 0)
        {
            return false;
        }

        var open = _openOfDistrict[k];
        foreach (var (id, raisedAtMs) in open)
        {
            _sink.OnAlert(new AlertEvent
            {
                Id = id,
                RaisedAtMs = raisedAtMs,
                Type = AlertEventType.Cleared,
                Source = district,
                Condition = AlertCondition.InletLeak.Name(),
                Severity = AlertSeverity.Medium,
                District = district,
                EventTimeMs = timeMs,
                ClearedAtMs = timeMs,
                Note = note,
                Message = string.Create(CultureInfo.InvariantCulture,
                    $"Leak in district {district} reported repaired; the inlet base flow is learned again from the next day"),
            });
        }

        ActiveCount -= open.Count;
        open.Clear();
        return true;
    }

    /// <summary>
    /// Raises a new alert for the district, or escalates its latest open one. <paramref name="rise"/> is the flow added
    /// since the meter's reference (m3/h), <paramref name="rate"/> the rate growth added it at (m3/h a day; 0 for a step).
    /// </summary>
    private void Raise(int index, long timeMs, double rise, bool abrupt, double rate)
    {
        ref var meter = ref _meters[index];
        var k = meter.District;
        var name = _network.DistrictName(k);
        var id = AlertId.Create(name, AlertCondition.InletLeak, timeMs);
        var open = _openOfDistrict[k];
        if (open.Count > 0 && open[^1].Id == id)
        {
            // Two inlet meters of one district raising in the same instant: one alert.
            return;
        }

        if (open.Count > 0 && timeMs - open[^1].RaisedAtMs < _options[k].ReraiseHold.TotalMilliseconds)
        {
            // A rise soon after the district's last raise is taken into the reference without a new alert: it is most
            // likely the same incident (the rest of a step the first day under-measured, a leak still growing, a draw
            // on top of it) until a crew has looked; ISA-18.2's one alert per abnormal condition.
            return;
        }

        var device = _network.Registry[_network.DeviceOf(DeviceKind.WaterFlow, index)].Id;
        var percent = rise / meter.MeanFlow * 100;
        // Growth before the meter's last leak has settled is that leak still growing (or the rest of a step the first
        // day under-measured) when it is no more than growthContinuation of what that leak would add by now (its size,
        // for a step; its growth rate over the days since, for growth) plus one standard deviation of b: the district's
        // latest open alert is escalated with it, a visible entry in its history. More than that is a new leak on top
        // (a town of many leaks through one inlet), and raises a new alert. A step is a new leak and raises a new alert.
        var since = Math.Max(0, (timeMs - meter.LastRaiseMs) / 86_400_000.0);
        var going = meter.ExpectedRest + (meter.GrowthRate * since);
        var escalate = !abrupt && open.Count > 0 && _options[k].GrowthSettleDays > 0 && !meter.Settled
            && rise <= (_options[k].GrowthContinuation * going) + TrendSpread(meter);
        // An escalated leak keeps the fastest rate it was seen growing at (one run's slope is noisy); a new one starts
        // from its own.
        meter.ExpectedRest = abrupt ? rise : 0;
        meter.GrowthRate = escalate ? Math.Max(meter.GrowthRate, rate) : rate;
        meter.LastRaiseMs = timeMs;
        meter.Settled = false;
        meter.QuietDays = 0;
        AlertEventType type;
        AlertSeverity severity;
        long raisedAtMs;
        string message;
        if (escalate)
        {
            type = AlertEventType.Updated;
            (id, raisedAtMs) = open[^1];
            // The severity the alert was raised with stays (an update does not lower it).
            severity = meter.RaisedSeverity > AlertSeverity.Medium ? meter.RaisedSeverity : AlertSeverity.Medium;
            message = string.Create(CultureInfo.InvariantCulture,
                $"Leak in district {name} still growing: inlet flow at {device} a further {rise:0.00} m3/h ({percent:0.0}% of mean inflow) above its demand model");
        }
        else
        {
            var earlier = open.Count == 0 ? "" : string.Create(CultureInfo.InvariantCulture, $"; on top of {open.Count} open leak alert(s), latest {open[^1].Id}");
            // Head loss rises with the square of the flow through the mains, so a new leak also lowers pressure: a tripped
            // pressure CUSUM in the district confirms a step seen on the inlet (the burst vote's pairing of flow and pressure).
            var confirmed = abrupt && _pressure.PressureTripped(k);
            var kind = abrupt ? confirmed ? "Leak or burst (abrupt step, confirmed by pressure)" : "Leak or burst (abrupt step)" : "Leak growing";
            type = AlertEventType.Raised;
            raisedAtMs = timeMs;
            severity = meter.RaisedSeverity = confirmed || (abrupt && percent >= 10) ? AlertSeverity.High : AlertSeverity.Medium;
            message = string.Create(CultureInfo.InvariantCulture,
                $"{kind} in district {name}: inlet flow at {device} {rise:0.00} m3/h ({percent:0.0}% of mean inflow) above its demand model{earlier}");
            open.Add((id, timeMs));
            ActiveCount++;
        }

        _sink.OnAlert(new AlertEvent
        {
            Id = id,
            Type = type,
            Source = name,
            Condition = AlertCondition.InletLeak.Name(),
            Severity = severity,
            District = name,
            RaisedAtMs = raisedAtMs,
            EventTimeMs = timeMs,
            Value = rise,
            PeakValue = meter.BRef,
            Count = open.Count,
            Devices = [device],
            Message = message,
        });
    }

    /// <summary>New options: every district takes its new thresholds from the next reading on; learned state is kept.</summary>
    internal void Apply()
    {
        for (var k = 0; k < _options.Length; k++)
        {
            _options[k] = _network.OptionsOf(k).InletLeak;
        }
    }

    private void Resolve()
    {
        var districts = _network.DistrictCount;
        if (districts > _options.Length)
        {
            var first = _options.Length;
            Array.Resize(ref _options, districts);
            for (var k = first; k < districts; k++)
            {
                _options[k] = _network.OptionsOf(k).InletLeak;
                _metersOfDistrict.Add([]);
                _openOfDistrict.Add([]);
            }
        }

        var count = _network.CountOf(DeviceKind.WaterFlow);
        var firstMeter = _meters.Length;
        if (count <= firstMeter)
        {
            return;
        }

        Array.Resize(ref _meters, count);
        Array.Resize(ref _profiles, count * Slots);
        Array.Resize(ref _slotCounts, count * Slots);
        Array.Resize(ref _dayHours, count * 24);
        Array.Resize(ref _recentY, count * RecentHours);
        Array.Resize(ref _recentP, count * RecentHours);
        Array.Resize(ref _candidates, count * Onsets);
        _candidates.AsSpan(firstMeter * Onsets).Fill(new StepCandidate { Onset = int.MinValue });
        _profiles.AsSpan(firstMeter * Slots).Fill(double.NaN);
        _dayHours.AsSpan(firstMeter * 24).Fill(double.NaN);
        for (var index = firstMeter; index < count; index++)
        {
            var number = _network.DeviceOf(DeviceKind.WaterFlow, index);
            var k = _network.DistrictOf(number);
            ref var meter = ref _meters[index];
            meter.District = k;
            meter.Hour = long.MinValue;
            meter.LastValue = double.NaN;

            // Only a district inlet meter measures the district's inflow (DeviceParameters: role=inlet).
            meter.Inlet = _network.Registry[number].Parameters.Get("role", "dma") == "inlet";
            if (meter.Inlet)
            {
                _metersOfDistrict[k].Add(index);
            }
        }
    }

    private struct Meter
    {
        public bool Inlet;
        public bool Rebase;

        /// <summary>True once the trend test has seen GrowthSettleDays quiet days in a row since the meter's last raise or escalation.</summary>
        public bool Settled;
        public int QuietDays;

        /// <summary>The severity of the meter's last raise: its escalations keep it.</summary>
        public AlertSeverity RaisedSeverity;
        public Phase Phase;
        public int District;
        public int Repeats;
        public int HourCount;
        public int ProfileDay;
        public int CalibrationDay;
        public long Hour;
        public double LastValue;
        public double HourSum;
        public double ProfileMean;
        public double MeanFlow;
        public double ARef;
        public double BRef;
        public double BSpread;
        public double HourNoise;
        public double ARecent;
        public double AWeek;
        public double BRefLevel;
        public double TrendCusum;

        /// <summary>Forgetting sums of the day's (a_recent - a)^2 and (a_recent - a) x (b - b_ref): the coupling slope's regression.</summary>
        public double CouplingXX;
        public double CouplingXE;
        public double SumA;
        public double SumAA;
        public double AVariance;
        public double AWalk;
        public double SumB;
        public double SumBB;
        public double SumAB;
        public double SumNoise;

        /// <summary>Hours remembered since start (valid hours of the running phase), the ring's next slot and fill.</summary>
        public int HourSerial;
        public int RecentNext;
        public int RecentCount;

        /// <summary>Days in the trend CUSUM's current run, and the sums of excess and day x excess over them for the growth rate.</summary>
        public int RunDays;
        public double RunSumE;
        public double RunSumTE;

        /// <summary>When the meter last raised or escalated, Unix ms.</summary>
        public long LastRaiseMs;

        /// <summary>The growth rate of the meter's last leak (m3/h per day; 0 after a step) ...</summary>
        public double GrowthRate;

        /// <summary>... and the size of its last step (m3/h; 0 after growth): what a leak still going on may add.</summary>
        public double ExpectedRest;

        /// <summary>The sub-hourly jump test's readings, noise and candidate.</summary>
        public JumpState Jump;

        /// <summary>The demand level a of the calibration days (the level BSpread was measured at); 0 before calibration ends.</summary>
        public readonly double CalibratedLevel => Phase == Phase.Running && CalibrationDay > 0 ? SumA / CalibrationDay : 0;
    }
}
