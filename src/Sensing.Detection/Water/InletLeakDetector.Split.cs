namespace Sensing.Detection.Water;

/// <summary>Telling a new constant flow (a leak) from a new demand level before a step is raised.</summary>
public sealed partial class InletLeakDetector
{
    // Hours of (y, P) each inlet meter keeps for the split: two days, one before a step and one after.
    internal const int RecentHours = 48;

    // The split needs this many valid hours before the step's run (the demand level it changed from) ...
    private const int SplitHoursBefore = 12;

    // ... and this many low-demand and as many high-demand (P at least its mean) hours in the run: a constant and a
    // proportional change are told apart only by hours of different demand.
    private const int SplitHoursEach = 3;

    private enum Split : byte
    {
        /// <summary>Not enough hours of each kind in the run yet: judged again next hour.</summary>
        Wait,
        /// <summary>The fit says how much of the change is constant flow.</summary>
        Fitted,
        /// <summary>The two days do not follow the profile (a holiday, a day of draws): no raise.</summary>
        Misfit,
        /// <summary>The run is older than the hours kept: the run's own estimate stands.</summary>
        TooOld,
    }

    private void Remember(int index, double y, double p)
    {
        ref var meter = ref _meters[index];
        var at = (index * RecentHours) + meter.RecentNext;
        _recentY[at] = y;
        _recentP[at] = p;
        meter.RecentNext = (meter.RecentNext + 1) % RecentHours;
        meter.RecentCount = Math.Min(RecentHours, meter.RecentCount + 1);
        meter.HourSerial++;
    }

    /// <summary>
    /// Weighted least squares (weights 1/P^2) over the hours kept of y = a P + b + s (c + d P), s = 1 for the hours of
    /// the step's run: c is the new flow that does not scale with demand (a leak), d the change of the demand level.
    /// </summary>
    // A leak adds the same flow at every hour, a demand level that changed (the end of a holiday month, a heat wave)
    // adds in proportion to demand (the reasoning of minimum night flow analysis, Lambert 2001, and of the day's fit of
    // a and b): one regression with a step in both separates them once the run has hours of low and of high demand
    // (a change-point regression, as in two-phase regression, Quandt 1958). The night CUSUM alone cannot: a demand
    // 15 % higher at night looks like a leak of 15 % of night demand.
    private Split SplitStep(int index, out double constant)
    {
        ref var meter = ref _meters[index];
        constant = double.NaN;
        var runHours = meter.HourSerial - meter.RunStartSerial;
        var before = meter.RecentCount - runHours;
        if (before < SplitHoursBefore)
        {
            return runHours >= meter.RecentCount ? Split.TooOld : Split.Wait;
        }

        // Normal equations of the four unknowns (a, b, c, d) over the regressors (P, 1, s, sP).
        Span<double> m = stackalloc double[20];
        m.Clear();
        Span<double> x = stackalloc double[4];
        var ys = _recentY.AsSpan(index * RecentHours, RecentHours);
        var ps = _recentP.AsSpan(index * RecentHours, RecentHours);
        int low = 0, high = 0;
        for (var back = 0; back < meter.RecentCount; back++)
        {
            var at = (meter.RecentNext - 1 - back + RecentHours) % RecentHours;
            var p = ps[at];
            var y = ys[at];
            var s = back < runHours ? 1.0 : 0.0;
            if (s > 0)
            {
                low += p <= LowDemand * meter.ProfileMean ? 1 : 0;
                high += p >= meter.ProfileMean ? 1 : 0;
            }

            var w = 1 / (p * p);
            x[0] = p;
            x[1] = 1;
            x[2] = s;
            x[3] = s * p;
            for (var i = 0; i < 4; i++)
            {
                for (var j = 0; j < 4; j++)
                {
                    m[(i * 5) + j] += w * x[i] * x[j];
                }

                m[(i * 5) + 4] += w * x[i] * y;
            }
        }

        if (low < SplitHoursEach || high < SplitHoursEach)
        {
            return Split.Wait;
        }

        // Gaussian elimination with partial pivoting on the 4 x 5 augmented matrix.
        for (var c = 0; c < 4; c++)
        {
            var pivot = c;
            for (var r = c + 1; r < 4; r++)
            {
                pivot = Math.Abs(m[(r * 5) + c]) > Math.Abs(m[(pivot * 5) + c]) ? r : pivot;
            }

            if (!(Math.Abs(m[(pivot * 5) + c]) > 1e-12 * Math.Abs(m[0])))
            {
                return Split.Misfit;
            }

            for (var j = 0; j < 5; j++)
            {
                (m[(c * 5) + j], m[(pivot * 5) + j]) = (m[(pivot * 5) + j], m[(c * 5) + j]);
            }

            for (var r = 0; r < 4; r++)
            {
                if (r == c)
                {
                    continue;
                }

                var f = m[(r * 5) + c] / m[(c * 5) + c];
                for (var j = c; j < 5; j++)
                {
                    m[(r * 5) + j] -= f * m[(c * 5) + j];
                }
            }
        }

        var a = m[4] / m[0];
        var b = m[9] / m[6];
        var cc = m[14] / m[12];
        var d = m[19] / m[18];

        // The fit's spread relative to demand, as the day's fit judges a day (TryFit): two days the profile does not
        // describe say nothing about a step.
        double se = 0;
        for (var back = 0; back < meter.RecentCount; back++)
        {
            var at = (meter.RecentNext - 1 - back + RecentHours) % RecentHours;
            var p = ps[at];
            var s = back < runHours ? 1.0 : 0.0;
            var r = (ys[at] - (a * p) - b - (s * (cc + (d * p)))) / (a * p);
            se += r * r;
        }

        if (!(a > 0) || Math.Sqrt(se / Math.Max(1, meter.RecentCount - 4)) > 2.5 * meter.HourNoise)
        {
            return Split.Misfit;
        }

        constant = cc;
        return Split.Fitted;
    }
}
