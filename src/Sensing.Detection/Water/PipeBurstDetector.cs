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
/// <item>Slack: k is <see cref="PipeBurstOptions.SlackSigma"/>, or half the smallest burst
/// (<see cref="PipeBurstOptions.MinimumBurstFraction"/> of the demand: that share of the expected inflow, the head loss
/// it adds at a pressure sensor) in sigma where that is more, so the baseline's own error of a percent at the demand
/// peaks does not add up to h.</item>
/// <item>Warm-up: a reading is judged only once both slots around it have <see cref="PipeBurstOptions.WarmupSamples"/>
/// samples, and the sensor's pooled residual sigma (the floor of every slot's sigma) has 48 residuals.</item>
/// <item>Outliers: one reading adds at most <see cref="PipeBurstOptions.ResidualCapSigma"/> less
/// <see cref="PipeBurstOptions.SlackSigma"/> to a CUSUM, so one spike or dip cannot trip it alone; the baseline learns
/// the value clipped to +-<see cref="PipeBurstOptions.ResidualCapSigma"/> sigma, and nothing while the sensor's CUSUM is
/// tripped.</item>
/// <item>Stuck sensors (<see cref="PipeBurstOptions.StuckReadings"/> identical readings) are reset and left out.</item>
/// <item>S is capped at 2h, so after a repair it falls below h within about h/k readings.</item>
/// <item>Demand level: the inlet's relative excess over its baseline, followed over
/// <see cref="PipeBurstOptions.DemandLevelMemory"/>, scales the inlet's baseline and adds its head loss to the pressure
/// baselines, so a busier or quieter day than the one the baseline learned is not a burst.</item>
/// <item>Clock and calendar: the baseline is by local time of the week (<see cref="DetectionOptions.TimeZone"/>,
/// daylight saving included), and a weekday whose inlet flow follows Sunday's shape far better than its own (a public
/// holiday) is judged against Sunday's baseline for the rest of the day (<see cref="FollowDayShape"/>).</item>
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

    // Residuals a sensor's pooled variance must have seen before its CUSUM runs: four hours of 5-min readings, a
    // relative error of the pooled sigma near 10 % (1/sqrt(2n)).
    private const int PooledWarmupSamples = 48;

    // Memory of the pooled variance: about two days of 5-min readings, long enough to span the diurnal cycle twice.
    private const int PooledMemorySamples = 576;

    // Hazen-Williams: head loss grows with flow to the power 1.852.
    private const double HeadLossExponent = 1.852;

    private const long DayMs = 86_400_000;

    // The day-shape test (FollowDayShape): Sunday's level-fitted squared error since midnight must be under half the
    // day's own, and 50 pooled variances below it (a holiday's missing weekday morning peak is many readings several
    // sigma off; both sums also hold about one variance per reading of plain noise). A quarter measured within a
    // false alarm of it on the leak-year scenarios.
    private const double DayShapeRatio = 0.5;
    private const double DayShapeMargin = 50;

    // ... and the day's own error must be above this many pooled variances a reading: its baseline fails.
    private const double DayShapeMisfit = 2;

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
            Vote(series.District, timeMs);
        }
    }

    private void Update(ref Series series, in Settings settings, bool isFlow, double value, long timeMs)
    {
        // Stuck-at fault: the same double again and again. Reset, take no part, learn nothing until it moves.
        series.Repeats = value == series.LastValue ? Math.Min(series.Repeats + 1, settings.StuckReadings) : 1;
        series.LastValue = value;
        if (series.Repeats >= settings.StuckReadings)
        {
            series.Cusum = 0;
            series.Tripped = false;
            return;
        }

        // The baseline is by local time of the week: demand follows the city's clocks, daylight saving included.
        var localMs = _network.Clock.LocalMs(timeMs);
        ref var district = ref _districts[series.District];
        if (isFlow)
        {
            FollowDayShape(in series, ref district, in settings, value, localMs);
        }

        // A weekday shaped like a Sunday (a public holiday) is judged against Sunday's baseline and teaches nothing.
        var sundayShaped = district.SundayShaped;
        var positionMs = sundayShaped ? SundayAt(localMs) : localMs;

        // Position between slot centres: centre i sits at (i + 0.5) slots; a and b are the neighbours, w b's weight.
        var (a, b, w) = SlotsAt(in series, positionMs);
        ref var slotA = ref _profiles[series.Offset + a];
        ref var slotB = ref _profiles[series.Offset + b];
        if (slotA.Count < settings.WarmupSamples || slotB.Count < settings.WarmupSamples)
        {
            if (!sundayShaped)
            {
                SlotProfiles.Learn(ref w < 0.5 ? ref slotA : ref slotB, value, settings.Smoothing);
            }

            return;
        }

        var mean = ((1 - w) * slotA.Mean) + (w * slotB.Mean);
        var variance = ((1 - w) * slotA.Variance) + (w * slotB.Variance);
        var expected = isFlow ? mean * (1 + district.Shift) : mean - HeadLossAdded(in series, mean, district.Shift);

        // Sigma is at least the sensor's pooled residual sigma: a slot's variance learned from a handful of samples
        // is often far too small (8 samples: 1 slot in 14 below 0.6 sigma), and a CUSUM over it trips on noise.
        var floor = isFlow ? settings.FlowSigmaFloorFraction * Math.Abs(expected) : settings.PressureSigmaFloorMpa;
        var sigma = Math.Max(Math.Sqrt(Math.Max(variance, series.PooledVariance)), floor);
        var cap = settings.ResidualCap * sigma;
        var z = Math.Clamp((value - expected) / sigma, -settings.ResidualCap, settings.ResidualCap);
        var residual = z * sigma;

        // The baseline learns the reading itself (clipped), not its excess over today's level: the level is measured
        // against the baseline, and a baseline that learned level-corrected readings would trade scale with the level.
        var learned = Math.Clamp(value - mean, -cap, cap);
        if (isFlow && mean > 0 && !series.Tripped && district.Phase == BurstPhase.Normal)
        {
            LearnLevel(ref district, in settings, learned / mean, timeMs);
        }

        if (series.PooledCount < PooledWarmupSamples)
        {
            LearnPooled(ref series, residual);
            LearnCorrelation(ref series, z);
            if (!sundayShaped)
            {
                LearnBaseline(ref series, ref slotA, ref slotB, learned, settings.Smoothing, w);
            }

            return;
        }

        // Demand residuals are correlated from reading to reading (a consumer's draw, the weather of the hour last
        // longer than a 5-min reading), and a CUSUM of correlated residuals scaled by their one-reading sigma trips far
        // more often than its nominal run length: on the leak-year scenarios (demand noise correlated over an hour)
        // the vote raised about two false bursts a week per district (bench/README.md). The CUSUM runs on the residual
        // scaled by the long-run sigma instead, sigma x sqrt((1 + phi) / (1 - phi)) for lag-1 autocorrelation phi, the
        // standard error of a mean of AR(1) readings (Montgomery, Introduction to Statistical Quality Control, 10.4,
        // SPC for autocorrelated data; Timmer, Pignatiello and Longnecker 1998, CUSUM of AR(1) processes). White
        // residuals (phi ~ 0) are judged as before. On inlet meters only: the vote of a district with an inlet needs
        // its trip, so that is enough to keep correlated demand out of it, and a pressure sensor's residual is mostly
        // the baseline's own smooth error between slot centres (correlated, but no demand noise), which the factor
        // would take for noise and so blunt a pressure-only vote (WaterPipeBurstTests).
        var longRun = isFlow ? sigma * LongRunFactor(in series) : sigma;

        // Slack: k sigma, or half the smallest burst (Page's reference value, in sigma of this reading) where that is
        // more. The judged residual's cap grows with it, so a burst still adds cap - k a reading and one outlier no more.
        var minimumShift = isFlow
            ? settings.MinimumBurst * expected
            : settings.BurstHeadLossGrowth * (HeadLoss(in series, mean) + HeadLossAdded(in series, mean, district.Shift));
        var slack = Math.Max(settings.Slack, minimumShift / (2 * longRun));
        var judgedCap = settings.ResidualCap - settings.Slack + slack;
        var judged = Math.Clamp((value - expected) / longRun, -judgedCap, judgedCap);
        var step = isFlow ? judged - slack : -judged - slack;
        series.Cusum = Math.Min(Math.Max(0, series.Cusum + step), settings.CusumCeiling);
        series.Tripped = series.Cusum >= settings.Decision;
        if (!series.Tripped)
        {
            // The baseline learns the clipped residual, and nothing while the CUSUM says the sensor is off it.
            LearnPooled(ref series, residual);
            LearnCorrelation(ref series, z);
            if (!sundayShaped)
            {
                LearnBaseline(ref series, ref slotA, ref slotB, learned, settings.Smoothing, w);
            }
        }
    }

    // The two slots around a position of the period (ms since the period's start, local) and the later one's weight.
    private static (int A, int B, double W) SlotsAt(in Series series, long positionMs)
    {
        var u = ((double)TimeMath.FloorMod(positionMs, series.PeriodMs) / series.SlotMs) - 0.5;
        var first = (int)Math.Floor(u);
        var a = first < 0 ? series.Slots - 1 : first;
        var b = first + 1 == series.Slots ? 0 : first + 1;
        return (a, b, u - first);
    }

    // The same local time of day on the Sunday of the weekly baseline (1970-01-01 was a Thursday: day 3 of the period).
    private static long SundayAt(long localMs) => (3 * DayMs) + TimeMath.FloorMod(localMs, DayMs);

    /// <summary>
    /// Public holidays: a weekday on which people keep Sunday's hours. The inlet's readings since local midnight are
    /// fitted to the day's own baseline and to Sunday's (the same times of day), each scaled by the level that fits
    /// the day best (least squares, a weather or a season apart from the baseline is not a shape); once the own fit
    /// misses by more than <see cref="DayShapeMisfit"/> variances a reading and Sunday's leaves under
    /// <see cref="DayShapeRatio"/> of its squared error (and <see cref="DayShapeMargin"/> below it), the district is
    /// judged against Sunday's baseline for the rest of the day and its baselines learn nothing from it. Short-term water demand models take
    /// public holidays as a day type of their own, like a Sunday (calendar effects: Zhou, McMahon, Walton and Lewis,
    /// "Forecasting daily urban water demand: a case study of Melbourne", J. Hydrology 2000); here the day type is read
    /// from the morning's flow, so no holiday calendar is needed. A burst adds the same flow to both fits and keeps a
    /// weekday a weekday.
    /// </summary>
    private void FollowDayShape(in Series series, ref District district, in Settings settings, double value, long localMs)
    {
        var day = TimeMath.FloorDiv(localMs, DayMs);
        if (day != district.ShapeDay)
        {
            district.ShapeDay = day;
            district.ShapeYY = district.OwnXX = district.OwnXY = district.SundayXX = district.SundayXY = 0;
            district.ShapeReadings = 0;
            district.SundayShaped = false;
        }

        // Saturday (day 2 of the period) and Sunday (3) are judged against themselves; a period other than a week has no Sunday.
        var dayOfPeriod = TimeMath.FloorMod(day, 7);
        if (series.PeriodMs != 7 * DayMs || dayOfPeriod is 2 or 3 || series.PooledCount < PooledWarmupSamples
            || !TryBaseline(in series, in settings, localMs, out var own) || !TryBaseline(in series, in settings, SundayAt(localMs), out var sunday))
        {
            return;
        }

        // In units of the inlet's pooled variance, so the error sums below read as sums of squared sigmas.
        var weight = 1 / Math.Max(series.PooledVariance, 1e-12);
        district.ShapeYY += weight * value * value;
        district.OwnXX += weight * own * own;
        district.OwnXY += weight * own * value;
        district.SundayXX += weight * sunday * sunday;
        district.SundayXY += weight * sunday * value;
        district.ShapeReadings++;
        var ownError = district.OwnXX > 0 ? district.ShapeYY - (district.OwnXY * district.OwnXY / district.OwnXX) : 0;
        var sundayError = district.SundayXX > 0 ? district.ShapeYY - (district.SundayXY * district.SundayXY / district.SundayXX) : 0;
        // Only when the day's own baseline does not fit (more than twice the noise a reading): where it fits, a Sunday
        // that fits better is only a more recent day (a baseline a week old against yesterday's), not another shape.
        var shaped = ownError > DayShapeMisfit * district.ShapeReadings && ownError - sundayError > DayShapeMargin
            && sundayError < DayShapeRatio * ownError;
        if (shaped && !district.SundayShaped)
        {
            // The demand level was learned against the weekday's baseline this morning: it starts again against Sunday's.
            district.LevelShift = district.LevelVariance = district.Shift = 0;
        }

        district.SundayShaped = shaped;
    }

    // The inlet's baseline at a position, false while its slots warm up.
    private bool TryBaseline(in Series series, in Settings settings, long positionMs, out double expected)
    {
        var (a, b, w) = SlotsAt(in series, positionMs);
        ref readonly var slotA = ref _profiles[series.Offset + a];
        ref readonly var slotB = ref _profiles[series.Offset + b];
        expected = ((1 - w) * slotA.Mean) + (w * slotB.Mean);
        return slotA.Count >= settings.WarmupSamples && slotB.Count >= settings.WarmupSamples;
    }

    // Lag-1 autocorrelation of the sensor's standardised residuals, exponentially weighted like the pooled variance
    // and learned with it (so not while the CUSUM is tripped: a burst's own run is not taken for correlation).
    private static void LearnCorrelation(ref Series series, double z)
    {
        var weight = Math.Max(1.0 / PooledMemorySamples, 1.0 / series.PooledCount);
        series.LagProduct += weight * ((z * series.LastZ) - series.LagProduct);
        series.SquareZ += weight * ((z * z) - series.SquareZ);
        series.LastZ = z;
    }

    // sqrt((1 + phi) / (1 - phi)), phi the lag-1 autocorrelation clamped to [0, 0.95]: the long-run sigma of a mean of
    // AR(1) readings over the one-reading sigma (at most 6.2, at phi 0.95, a correlation time of 20 readings).
    private static double LongRunFactor(in Series series)
    {
        var phi = series.SquareZ > 0 ? Math.Clamp(series.LagProduct / series.SquareZ, 0, 0.95) : 0;
        return Math.Sqrt((1 + phi) / (1 - phi));
    }

    private static void LearnBaseline(ref Series series, ref SlotStats slotA, ref SlotStats slotB, double residual, double smoothing, double w)
    {
        SlotProfiles.LearnShared(ref slotA, residual, smoothing * (1 - w));
        SlotProfiles.LearnShared(ref slotB, residual, smoothing * w);
        series.HighestMean = Math.Max(series.HighestMean, Math.Max(slotA.Mean, slotB.Mean));
        series.LowestMean = Math.Min(series.LowestMean, Math.Min(slotA.Mean, slotB.Mean));
    }

    // The district's demand level follows the inlet's relative excess over its baseline with time constant
    // DemandLevelMemory (weight 1 - exp(-dt / memory), so it does not depend on the reporting interval). It learns only
    // while the inlet's CUSUM is at rest and no burst is pending or active, so a burst's inflow is not taken for a busier day.
    private static void LearnLevel(ref District district, in Settings settings, double excess, long timeMs)
    {
        if (district.LevelAtMs != 0 && timeMs > district.LevelAtMs)
        {
            var weight = 1 - Math.Exp(-(timeMs - district.LevelAtMs) / settings.LevelMemoryMs);
            var diff = excess - district.LevelShift;
            district.LevelShift += weight * diff;
            district.LevelVariance = (1 - weight) * (district.LevelVariance + (weight * diff * diff));

            // Only the part of the level beyond two standard errors of its estimate (var x w / (2 - w) for an
            // exponentially weighted mean) counts: a level that is noise would wander every CUSUM of the district.
            var margin = 2 * Math.Sqrt(district.LevelVariance * weight / (2 - weight));
            district.Shift = Math.Sign(district.LevelShift) * Math.Max(0, Math.Abs(district.LevelShift) - margin);
        }

        district.LevelAtMs = Math.Max(district.LevelAtMs, timeMs);
    }

    // Pressure a sensor loses when district demand runs at 1 + shift times its baseline: head loss grows with flow to
    // the power 1.852 (Hazen-Williams), so it becomes (1 + shift)^1.852 times the baseline's head loss at this slot.
    // That head loss is the slot's distance below the highest mean (the night, near no-demand head) plus the head
    // loss still there at night: with minimum night flow about a quarter of the peak, 0.25^1.852 = 8 % of the peak's
    // head loss, about a tenth of the diurnal swing.
    private static double HeadLossAdded(in Series series, double mean, double shift) =>
        shift == 0 ? 0 : (Math.Pow(1 + shift, HeadLossExponent) - 1) * HeadLoss(in series, mean);

    // The baseline's head loss at a slot whose mean is `mean`; 0 before any slot mean is learned.
    private static double HeadLoss(in Series series, double mean) =>
        series.HighestMean >= series.LowestMean
            ? Math.Max(0, series.HighestMean - mean) + (0.1 * (series.HighestMean - series.LowestMean))
            : 0;

    // Pooled residual variance per sensor: the mean square of residuals (their mean is zero by construction), weight
    // max(1/n, 1/PooledMemorySamples): the plain mean square first, exponentially weighted afterwards.
    private static void LearnPooled(ref Series series, double residual)
    {
        series.PooledCount = series.PooledCount < int.MaxValue ? series.PooledCount + 1 : series.PooledCount;
        var weight = Math.Max(1.0 / PooledMemorySamples, 1.0 / series.PooledCount);
        series.PooledVariance += weight * ((residual * residual) - series.PooledVariance);
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
