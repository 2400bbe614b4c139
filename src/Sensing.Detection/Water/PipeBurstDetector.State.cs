using Sensing.Core.Devices;
using Sensing.Detection.Internal;
using Sensing.Detection.Water.Internal;

namespace Sensing.Detection.Water;

/// <summary>Per-sensor and per-district state, and resolving new devices into it.</summary>
public sealed partial class PipeBurstDetector
{
    /// <summary>Throws when <paramref name="next"/> changes the baseline shape (slot, period) of a district with sensors here.</summary>
    internal void CheckApply(WaterOptions[] next)
    {
        for (var k = 0; k < Math.Min(next.Length, _settings.Length); k++)
        {
            var settings = Settings.From(next[k].PipeBurst);
            if ((_pressureOfDistrict[k].Count > 0 || _flowOfDistrict[k].Count > 0)
                && (settings.Slots != _settings[k].Slots || settings.SlotMs != _settings[k].SlotMs))
            {
                ThrowHelper.ThrowBadOption(
                    $"{nameof(DetectionOptions.Water)}.{nameof(WaterOptions.PipeBurst)}.{nameof(PipeBurstOptions.Slot)}",
                    $"cannot change while the engine runs: the baselines learned in district {_network.DistrictName(k)} are laid out in "
                    + $"{_settings[k].Slots} slots of {TimeSpan.FromMilliseconds(_settings[k].SlotMs)}; restart to apply it (they are learned again)");
            }
        }
    }

    /// <summary>New options (checked, resolved by the network): every district takes its new settings; series and votes are kept.</summary>
    internal void Apply()
    {
        for (var k = 0; k < _settings.Length; k++)
        {
            _settings[k] = Settings.From(_network.OptionsOf(k).PipeBurst);
        }
    }

    private void Resolve()
    {
        var districts = _network.DistrictCount;
        if (districts > _districts.Length)
        {
            var first = _districts.Length;
            Array.Resize(ref _districts, districts);
            Array.Resize(ref _ids, districts);
            Array.Resize(ref _settings, districts);
            for (var k = first; k < districts; k++)
            {
                _settings[k] = Settings.From(_network.OptionsOf(k).PipeBurst);
                _pressureOfDistrict.Add([]);
                _flowOfDistrict.Add([]);
            }
        }

        var pressure = _network.CountOf(DeviceKind.WaterPressure);
        var firstPressure = _pressure.Length;
        if (pressure > firstPressure)
        {
            Array.Resize(ref _pressure, pressure);
        }

        for (var index = firstPressure; index < pressure; index++)
        {
            _pressure[index] = NewSeries(_network.DeviceOf(DeviceKind.WaterPressure, index), _pressureOfDistrict, index);
        }

        var flow = _network.CountOf(DeviceKind.WaterFlow);
        var firstFlow = _flow.Length;
        if (flow > firstFlow)
        {
            Array.Resize(ref _flow, flow);
        }

        for (var index = firstFlow; index < flow; index++)
        {
            var number = _network.DeviceOf(DeviceKind.WaterFlow, index);

            // Only a district inlet meter measures the district's inflow; a DMA meter inside it takes no part.
            _flow[index] = _network.Registry[number].Parameters.Get("role", "dma") == "inlet"
                ? NewSeries(number, _flowOfDistrict, index)
                : new Series { District = _network.DistrictOf(number) };
        }
    }

    private Series NewSeries(int deviceNumber, List<List<int>> ofDistrict, int index)
    {
        var k = _network.DistrictOf(deviceNumber);
        ofDistrict[k].Add(index);
        ref readonly var settings = ref _settings[k];
        return new Series
        {
            District = k,
            Slots = settings.Slots,
            SlotMs = settings.SlotMs,
            PeriodMs = settings.SlotMs * settings.Slots,
            Offset = _profiles.Add(settings.Slots),
            LastValue = double.NaN,
            HighestMean = double.NegativeInfinity,
            LowestMean = double.PositiveInfinity,
        };
    }

    private enum BurstPhase : byte
    {
        /// <summary>No vote.</summary>
        Normal,
        /// <summary>The vote holds; waiting out the on-delay.</summary>
        Pending,
        /// <summary>Alert raised, not yet cleared.</summary>
        Active,
    }

    /// <summary>One pressure sensor or inlet meter: its CUSUM and where its baseline lives.</summary>
    private struct Series
    {
        public int District;

        /// <summary>Slots of its baseline; 0 for a flow meter that takes no part.</summary>
        public int Slots;
        public int Offset;
        public long SlotMs;
        public long PeriodMs;
        public double Cusum;
        public bool Tripped;

        /// <summary>Tripped during the district's pending or active incident: listed in the alert.</summary>
        public bool InIncident;
        public long TrippedAtMs;
        public double LastValue;
        public int Repeats;

        /// <summary>Exponentially weighted mean square of the sensor's residuals over all slots.</summary>
        public double PooledVariance;
        public int PooledCount;

        /// <summary>Exponentially weighted means of z_t x z_(t-1) and z_t^2 (standardised residuals): their lag-1 autocorrelation.</summary>
        public double LagProduct;
        public double SquareZ;
        public double LastZ;

        /// <summary>Highest and lowest slot mean learned: a pressure sensor's near no-demand head and its diurnal swing.</summary>
        public double HighestMean;
        public double LowestMean;
    }

    private struct District
    {
        public BurstPhase Phase;
        public bool Clearing;
        public int TrippedFlow;
        public int TrippedPressure;

        /// <summary>Readings of the district's sensors while the alert is active with a CUSUM tripped.</summary>
        public int Count;
        public double PeakCusum;
        public long PendingSinceMs;
        public long RaisedAtMs;
        public long ClearingSinceMs;

        /// <summary>Demand level minus 1: the inlet flow's exponentially weighted relative excess over its baseline.</summary>
        public double LevelShift;

        /// <summary>Exponentially weighted variance of the inlet's relative excess around <see cref="LevelShift"/>.</summary>
        public double LevelVariance;

        /// <summary>The level shift the CUSUMs use: <see cref="LevelShift"/> beyond the noise of its estimate.</summary>
        public double Shift;

        /// <summary>Event time the level last learned; 0 before the first.</summary>
        public long LevelAtMs;

        /// <summary>The local day (days since 1970-01-01 local) the day-shape sums are of.</summary>
        public long ShapeDay;

        /// <summary>
        /// Today's sums for the day-shape test, in the inlet's pooled variance: the readings squared, and per baseline
        /// (the day's own, Sunday's) its expectation squared and times the reading.
        /// </summary>
        public double ShapeYY;
        public double OwnXX;
        public double OwnXY;
        public double SundayXX;
        public double SundayXY;

        /// <summary>Inlet readings in today's sums.</summary>
        public int ShapeReadings;

        /// <summary>True while today, a weekday, has followed Sunday's shape far better than its own: judged against Sunday.</summary>
        public bool SundayShaped;
    }

    /// <summary>The options of one district, resolved to the numbers the hot path uses.</summary>
    private readonly record struct Settings(
        int Slots, long SlotMs, double Smoothing, int WarmupSamples, double Slack, double Decision, double CusumCeiling,
        double ResidualCap, double MinimumBurst, double BurstHeadLossGrowth, double PressureSigmaFloorMpa, double FlowSigmaFloorFraction,
        int StuckReadings, long AgreementMs, int PressureOnlyMinSensors, long OnDelayMs, long OffDelayMs, double LevelMemoryMs)
    {
        public static Settings From(PipeBurstOptions o) => new(
            (int)(o.Period.Ticks / o.Slot.Ticks),
            (long)o.Slot.TotalMilliseconds,
            o.Smoothing,
            o.WarmupSamples,
            o.SlackSigma,
            o.DecisionSigma,

            // Ceiling 2h: a CUSUM pinned by a long incident falls back below h within h/k readings of normal
            // residuals once the pipe is repaired, instead of unwinding hours of accumulated drop.
            2 * o.DecisionSigma,
            o.ResidualCapSigma,
            o.MinimumBurstFraction,

            // Head loss grows with flow^1.852: demand 1 + m times today's multiplies it by (1 + m)^1.852.
            Math.Pow(1 + o.MinimumBurstFraction, HeadLossExponent) - 1,
            o.PressureSigmaFloorMpa,
            o.FlowSigmaFloorFraction,
            o.StuckReadings,
            (long)o.AgreementWindow.TotalMilliseconds,
            o.PressureOnlyMinSensors,
            (long)o.OnDelay.TotalMilliseconds,
            (long)o.OffDelay.TotalMilliseconds,
            o.DemandLevelMemory.TotalMilliseconds);
    }
}
