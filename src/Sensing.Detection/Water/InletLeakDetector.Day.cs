using Sensing.Detection.Water.Internal;

namespace Sensing.Detection.Water;

/// <summary>The day's fit of demand level and base flow, calibration, and the trend CUSUM.</summary>
public sealed partial class InletLeakDetector
{
    private void CloseDay(int index, long timeMs)
    {
        ref var meter = ref _meters[index];
        var o = _options[meter.District];
        var day = _dayHours.AsSpan(index * 24, 24);
        var firstSlot = SlotOf(TimeMath.FloorDiv(meter.Hour, 24) * 24);
        try
        {
            if (meter.Phase == Phase.Profile)
            {
                if (++meter.ProfileDay >= o.ProfileDays)
                {
                    meter.ProfileMean = CloseProfile(index);
                    StartCalibration(ref meter);
                }

                return;
            }

            if (!TryFit(index, day, firstSlot, o.MinDayHours, out var a, out var b, out var noise))
            {
                return;
            }

            if (meter.Phase == Phase.Calibration)
            {
                Calibrate(ref meter, o, a, b, noise, LowestSlot(index));
                if (meter.Phase == Phase.Running)
                {
                    // The step test starts over on the calibrated model.
                    ClearCandidates(index);
                }

                LearnProfile(index, day, firstSlot, a, b, o.ProfileSmoothing);
                return;
            }

            if (noise > 2.5 * meter.HourNoise)
            {
                // A day the profile does not fit (a holiday on a weekday, a day of draws): it neither judges b nor
                // teaches the profile.
                return;
            }

            if (meter.Rebase)
            {
                // The first full day after a step: its b is the new reference (what the step test and the split
                // estimated from the hours since the onset can fall short), so the remainder raises nothing a second
                // time.
                meter.Rebase = false;
                meter.BRef = Math.Max(meter.BRef, b - (Coupling(meter, LowestSlot(index)) * RecentDistance(meter, a)));
                meter.TrendCusum = 0;
                ClearCandidates(index);
            }
            else
            {
                CheckTrend(index, a, b, timeMs);
            }

            LearnProfile(index, day, firstSlot, a, b, o.ProfileSmoothing);
        }
        finally
        {
            day.Fill(double.NaN);
        }
    }

    /// <summary>
    /// Weighted least squares of the day's hourly means on the profile: y_h = a P_h + b, weights 1/P_h^2 (demand noise
    /// is proportional to demand). <paramref name="noise"/> is the root mean square of the residuals relative to a P_h.
    /// Once the meter's hourly noise is known, the day is fitted again without the hours whose residual is more than
    /// <see cref="OutlierNoises"/> times it: a draw of one to three hours (mains flushing, fire fighting) or a glitch
    /// is not the day's demand, and at night, where the weights are largest, it moved b by the draw's whole size
    /// (sigma clipping: hard rejection of outliers, the simplest of the robust regressions of Huber, Robust Statistics,
    /// 1981).
    /// </summary>
    private bool TryFit(int index, ReadOnlySpan<double> day, int firstSlot, int minHours, out double a, out double b, out double noise)
    {
        var profile = _profiles.AsSpan(index * Slots, Slots);
        if (!Fit(profile, day, firstSlot, minHours, double.NaN, double.NaN, double.PositiveInfinity, out a, out b, out noise))
        {
            return false;
        }

        ref var meter = ref _meters[index];
        if (meter.Phase == Phase.Running && meter.HourNoise > 0
            && Fit(profile, day, firstSlot, minHours, a, b, OutlierNoises * meter.HourNoise, out var a2, out var b2, out var noise2))
        {
            (a, b, noise) = (a2, b2, noise2);
        }

        return true;
    }

    /// <summary>
    /// One weighted least-squares fit of the day (<see cref="TryFit"/>) over the hours whose residual from
    /// <paramref name="a0"/> P + <paramref name="b0"/>, relative to <paramref name="a0"/> P, is at most
    /// <paramref name="limit"/> (every hour with an infinite limit).
    /// </summary>
    private static bool Fit(ReadOnlySpan<double> profile, ReadOnlySpan<double> day, int firstSlot, int minHours, double a0, double b0,
        double limit, out double a, out double b, out double noise)
    {
        double sw = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
        var hours = 0;
        for (var h = 0; h < 24; h++)
        {
            var p = profile[(firstSlot + h) % Slots];
            var y = day[h];
            if (LeftOut(y, p, a0, b0, limit))
            {
                continue;
            }

            var w = 1 / (p * p);
            sw += w;
            sx += w * p;
            sy += w * y;
            sxx += w * p * p;
            sxy += w * p * y;
            hours++;
        }

        a = b = noise = double.NaN;
        var det = (sw * sxx) - (sx * sx);
        if (hours < minHours || !(det > 1e-12 * sw * sxx))
        {
            return false;
        }

        a = ((sw * sxy) - (sx * sy)) / det;
        b = (sy - (a * sx)) / sw;
        double se = 0;
        for (var h = 0; h < 24; h++)
        {
            var p = profile[(firstSlot + h) % Slots];
            var y = day[h];
            if (LeftOut(y, p, a0, b0, limit))
            {
                continue;
            }

            var r = (y - (a * p) - b) / (a * p);
            se += r * r;
        }

        noise = Math.Sqrt(se / Math.Max(1, hours - 2));
        return a > 0 && double.IsFinite(b);
    }

    /// <summary>True for an hour <see cref="Fit"/> leaves out: no mean, no profile, or off a0 P + b0 by more than limit x a0 P.</summary>
    private static bool LeftOut(double y, double p, double a0, double b0, double limit) =>
        double.IsNaN(y) || !(p > 0) || (double.IsFinite(limit) && Math.Abs(y - (a0 * p) - b0) > limit * a0 * p);

    /// <summary>Slots never seen (gaps) take the mean of the others; returns that mean (NaN when no slot was seen).</summary>
    private double CloseProfile(int index)
    {
        var profile = _profiles.AsSpan(index * Slots, Slots);
        double sum = 0;
        var seen = 0;
        foreach (var p in profile)
        {
            if (!double.IsNaN(p))
            {
                sum += p;
                seen++;
            }
        }

        var mean = seen == 0 ? double.NaN : sum / seen;
        foreach (ref var p in profile)
        {
            p = double.IsNaN(p) ? mean : p;
        }

        return mean;
    }

    private static void StartCalibration(ref Meter meter)
    {
        meter.Phase = Phase.Calibration;
        meter.CalibrationDay = 0;
        meter.SumA = meter.SumAA = meter.SumB = meter.SumBB = meter.SumAB = meter.SumNoise = 0;
        meter.TrendCusum = 0;
        meter.Rebase = false;
        meter.Jump.FromMs = 0;
    }

    private void Calibrate(ref Meter meter, InletLeakOptions o, double a, double b, double noise, double lowest)
    {
        meter.SumA += a;
        meter.SumAA += a * a;
        meter.SumB += b;
        meter.SumBB += b * b;
        meter.SumAB += a * b;
        meter.SumNoise += noise * noise;
        if (++meter.CalibrationDay < o.CalibrationDays)
        {
            return;
        }

        var n = meter.CalibrationDay;
        meter.ARef = meter.SumA / n;
        meter.BRef = meter.SumB / n;
        meter.HourNoise = Math.Sqrt(meter.SumNoise / n);
        meter.MeanFlow = (meter.ARef * meter.ProfileMean) + meter.BRef;
        var variance = Math.Max(0, (meter.SumBB / n) - (meter.BRef * meter.BRef)) * n / (n - 1);
        // The trend test judges b at the recent demand level, b - beta (a_recent - a) (CheckTrend), not b itself: a day's
        // fitted b moves against its a by about the profile's lowest slot per unit (the coupling's prior), so the spread
        // that matters is that of b + lowest x a. On the leak-year scenarios it is about a third of b's own (seed 2,
        // dma06: 4 m3/h against 11.7), and a step the hourly test missed took two weeks to trip the trend at b's spread.
        var varA = Math.Max(0, (meter.SumAA / n) - (meter.ARef * meter.ARef)) * n / (n - 1);
        var covAB = ((meter.SumAB / n) - (meter.ARef * meter.BRef)) * n / (n - 1);
        variance = Math.Max(0, variance + (lowest * lowest * varA) + (2 * lowest * covAB));
        meter.BSpread = Math.Max(Math.Sqrt(variance), o.NoiseFloorFraction * meter.MeanFlow);

        // The demand level's day-to-day spread (at least 2 %) as a random walk per hour.
        var aSpread = Math.Max(0.02 * meter.ARef, Math.Sqrt(varA));
        meter.AWalk = aSpread * aSpread / 24;
        meter.AVariance = aSpread * aSpread;
        meter.BRefLevel = meter.ARecent = meter.AWeek = meter.SumA / n;
        meter.CouplingXX = meter.CouplingXE = 0;
        meter.Phase = Phase.Running;
    }

    private void CheckTrend(int index, double a, double b, long timeMs)
    {
        ref var meter = ref _meters[index];
        var o = _options[meter.District];
        var lowest = LowestSlot(index);

        // A day's fitted b moves against its fitted a: on the leak-year scenarios a day of demand 10 % above the week's
        // level moved b down by about 4 % of inflow, near the profile's lowest slot per unit of a, which is what the
        // fit's own error covariance gives (b = mean of y - a x mean of P under the weights 1/P^2, dominated by the low
        // slots) and far more than the base flow can. So the day's b is taken at the recent demand level,
        // b_w = b - beta (a_recent - a), with beta the slope of the day's excess on its distance from the recent level,
        // learned from the days themselves (least squares through the origin with exponential forgetting, a recursive
        // least squares estimator: Ljung and Soderstrom, Theory and Practice of Recursive Identification, 1983; the
        // linear model of LILA, Daniel et al. 2022, fitted between a sensor's own intercept and level). It starts at,
        // and is held within, the profile's lowest slot.
        var distance = RecentDistance(meter, a);
        var beta = Coupling(meter, lowest);
        if (!meter.Rebase)
        {
            meter.CouplingXX = (meter.CouplingXX * (1 - CouplingForgetting)) + (distance * distance);
            meter.CouplingXE = (meter.CouplingXE * (1 - CouplingForgetting)) + (distance * (b - meter.BRef));
        }

        var atRecent = b - (beta * distance);

        // The profile learned from inflow holds the district's base flow b0, so a demand level a below the one b_ref
        // was measured at moves the fitted b up by (a_ref - a) x b0 with no leak at all (seasons, a holiday month). b0
        // is not known, but it is at most the profile's lowest slot (flow never falls below its base: minimum night
        // flow, Lambert 2001), so that much, at the week's demand level a_week (the day's a averaged with weight 1/7:
        // seasons and holidays move slowly), is taken off the day's excess before it counts (a conservative correction:
        // a leak under it in a low-demand month waits for the level).
        // The day's b itself is taken to the recent level a_recent, the day's a averaged with weight 1/2 (about two
        // days). Taken to a_week, as it was until 2026-12-07, it followed a rising demand (spring, the end of the
        // holiday month) days late, and b moved up by beta over that lag, more than a real change of level moves b,
        // stood about one sd(b) high for weeks, where one odd day tripped the CUSUM (seed 1's dma08 in March: the CUSUM
        // at 6-7.7 for two weeks, h 8). With a_recent, the day's fit without its outlier hours (TryFit) and a CUSUM held
        // at h below the smallest rise (below), over seeds 1-20: 16-39 fewer false alarms per district family of 200
        // district-years for -1 to +13 leaks, and 18-36 more leaks per town family of 60 town-years for -6 to +8 false
        // alarms (bench/README.md).
        meter.ARecent = meter.ARecent > 0 ? meter.ARecent + ((a - meter.ARecent) * RecentWeight) : a;
        meter.AWeek = meter.AWeek > 0 ? meter.AWeek + ((a - meter.AWeek) / 7) : a;
        var coupling = Math.Max(0, meter.BRefLevel - meter.AWeek) * lowest;
        var excess = atRecent - meter.BRef;
        var judged = excess - coupling;

        // One day's b is clipped at 3 standard deviations (a robust CUSUM): one odd day cannot trip h alone.
        var spread = TrendSpread(meter);
        var cusum = Math.Max(0, meter.TrendCusum + Math.Min(3, judged / spread) - o.TrendK);
        // A day that leaves the CUSUM below a quarter of h has no growth building; GrowthSettleDays of them in a row
        // settle the last leak. (Days within the slack k alone settled almost nothing: with no leak at all about 30 % of
        // days are past k, so a week all within it came about one week in thirteen, and in a town every later leak was
        // escalated on the first one's alert, a third of the town's leaks raised by no alert; bench/README.md.)
        if (cusum < SettledCusumShare * o.TrendH)
        {
            if (++meter.QuietDays >= o.GrowthSettleDays)
            {
                meter.Settled = true;
            }
        }
        else
        {
            meter.QuietDays = 0;
        }
        if (cusum > 0)
        {
            // The run's days and their excess: the slope of a least-squares line through them is the rate the leak
            // grows at, kept with a raise to judge later growth by (Raise).
            if (meter.TrendCusum == 0)
            {
                meter.RunDays = 0;
                meter.RunSumE = meter.RunSumTE = 0;
            }

            meter.RunSumE += judged;
            meter.RunSumTE += meter.RunDays++ * judged;
        }

        meter.TrendCusum = cusum;
        if (cusum == 0 && excess < 0)
        {
            // Base flow below the reference (less background leakage, a drift, or demand above b_ref's level): follow
            // it down slowly, so a later rise is measured from where the flow is; the level it was measured at moves
            // with it.
            meter.BRef += excess / 30;
            meter.BRefLevel += (meter.AWeek - meter.BRefLevel) / 30;
            return;
        }

        if (cusum < o.TrendH)
        {
            return;
        }

        if (judged < o.MinRiseFraction * meter.MeanFlow)
        {
            // Growth past h but below the smallest rise that raises: the CUSUM is held at h and the run goes on, judged
            // again tomorrow. (Reset to 0, a slow leak tripped it every few days and each new run of three or four
            // days gave the growth rate a later rise is judged by: noise, as fast as five times the leak's own.)
            meter.TrendCusum = o.TrendH;
            return;
        }

        meter.TrendCusum = 0;

        // The growth rate over the run (m3/h a day): the least-squares slope of the day's excess on the day, or the
        // excess over the run's days while it has fewer than three. The days are 0 .. n - 1, so their sum and sum of
        // squares follow from n.
        double n = meter.RunDays;
        var sumT = n * (n - 1) / 2;
        var sumTT = (n - 1) * n * ((2 * n) - 1) / 6;
        var denominator = (n * sumTT) - (sumT * sumT);
        // The slope is that of a few noisy days, so the rate kept is one standard error above it: the fastest the run
        // is consistent with (the slope's standard error is sd(b) sqrt(n / denominator)). A leak growing on at its own
        // pace is then not taken for a second one because its first run was short.
        var rate = n >= 3 && denominator > 0
            ? Math.Max(0, ((n * meter.RunSumTE) - (sumT * meter.RunSumE)) / denominator) + (spread * Math.Sqrt(n / denominator))
            : (excess + spread) / Math.Max(1, n);

        // A growing leak is as large as the last day shows: that is what the next rise is measured from.
        meter.BRef = atRecent;
        meter.BRefLevel = meter.AWeek;
        ClearCandidates(index);
        Raise(index, timeMs, excess, abrupt: false, rate);
    }

    // The share of the trend CUSUM's h under which a day counts as one without growth (GrowthSettleDays).
    private const double SettledCusumShare = 0.25;

    /// <summary>
    /// sd(b) at the week's demand level: the calibration's, scaled up with the demand level (the day's fit errors come
    /// from demand noise, which is proportional to demand; calibration runs in the first weeks, often in the low-demand
    /// season).
    /// </summary>
    private static double TrendSpread(in Meter meter) =>
        meter.BSpread * (meter.CalibratedLevel > 0 ? Math.Max(1, meter.AWeek / meter.CalibratedLevel) : 1);

    /// <summary>How far the day's demand level <paramref name="a"/> is below the recent one, a_recent - a (0 before there is one).</summary>
    private static double RecentDistance(in Meter meter, double a) => meter.ARecent > 0 ? meter.ARecent - a : 0;

    /// <summary>The learned slope of the day's b on its demand level (see <see cref="CheckTrend"/>), within [0, lowest slot].</summary>
    private static double Coupling(in Meter meter, double lowest) =>
        Math.Clamp((meter.CouplingXE + (CouplingPrior * lowest)) / (meter.CouplingXX + CouplingPrior), 0, lowest);

    private double LowestSlot(int index)
    {
        var lowest = double.PositiveInfinity;
        foreach (var p in _profiles.AsSpan(index * Slots, Slots))
        {
            lowest = Math.Min(lowest, p);
        }

        return double.IsFinite(lowest) ? lowest : 0;
    }

    /// <summary>Moves each slot of the day towards the day's shape (y - b) / a with weight <paramref name="smoothing"/>.</summary>
    private void LearnProfile(int index, ReadOnlySpan<double> day, int firstSlot, double a, double b, double smoothing)
    {
        var profile = _profiles.AsSpan(index * Slots, Slots);
        for (var h = 0; h < 24; h++)
        {
            var y = day[h];
            if (double.IsNaN(y))
            {
                continue;
            }

            ref var p = ref profile[(firstSlot + h) % Slots];
            var shape = (y - b) / a;
            if (shape > 0)
            {
                p += smoothing * (shape - p);
            }
        }
    }
}
