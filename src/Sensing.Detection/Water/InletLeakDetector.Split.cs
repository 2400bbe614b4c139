namespace Sensing.Detection.Water;

/// <summary>Telling a new constant flow (a leak) from a new demand level before a step is raised.</summary>
public sealed partial class InletLeakDetector
{
    // Hours of (y, P) each inlet meter keeps for the split: three days, the SplitHoursBefore hours before the earliest
    // onset the step test tries (Onsets hours back) and every hour since.
    internal const int RecentHours = Onsets + SplitHoursBefore;

    // The split needs this many valid hours before the step's run (the demand level it changed from) ...
    private const int SplitHoursBefore = 12;

    // ... and this many low-demand and as many high-demand (P at least its mean) hours in the run: a constant and a
    // proportional change are told apart only by hours of different demand.
    private const int SplitHoursEach = 3;

    // A candidate change point has at least this many hours after it: c and d of fewer hours fit them exactly.
    private const int MinHoursAfter = 3;

    // A candidate whose weighted residual sum of squares is within this many residual variances of the best one's fits
    // as well: a likelihood ratio of one parameter, the change point, at 3 sigma (chi-square 9).
    private const double SplitTolerance = 9;

    private enum Split : byte
    {
        /// <summary>Not enough hours of each kind in the run yet: judged again next hour.</summary>
        Wait,
        /// <summary>The fit says how much of the change is constant flow.</summary>
        Fitted,
        /// <summary>The hours kept do not follow the profile (a holiday, a day of draws): no raise.</summary>
        Misfit,
        /// <summary>The onset is older than the hours kept (soon after start): the step test's own estimate stands.</summary>
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
    /// Weighted least squares (weights 1/P^2) over the hours kept of y = a P + b + s (c + d P), s = 1 for the hours
    /// from a change point on: c is the new flow that does not scale with demand (a leak), d the change of the demand
    /// level. The change point is the hour that fits best, searched from <paramref name="onset"/> (a HourSerial: the onset
    /// the step test found most likely) on.
    /// </summary>
    // A leak adds the same flow at every hour, a demand level that changed (the end of a holiday month, a heat wave)
    // adds in proportion to demand (the reasoning of minimum night flow analysis, Lambert 2001, and of the day's fit of
    // a and b): one regression with a step in both separates them once the hours after the change have low and high
    // demand (two-phase regression, Quandt 1958). The switch hour is estimated as Quandt does, by maximum likelihood:
    // the candidate with the least weighted residual sum of squares. The step test alone cannot separate them: its
    // model holds the demand level's change to a slow walk, and a demand 15 % higher at night looks like a leak of
    // 15 % of night demand.
    private Split SplitStep(int index, int onset, out double constant)
    {
        ref var meter = ref _meters[index];
        constant = double.NaN;
        var runHours = meter.HourSerial - onset;
        var before = meter.RecentCount - runHours;
        if (before < SplitHoursBefore)
        {
            return runHours >= meter.RecentCount ? Split.TooOld : Split.Wait;
        }

        // Every hour of the run is a candidate change point, latest first.
        var ys = _recentY.AsSpan(index * RecentHours, RecentHours);
        var ps = _recentP.AsSpan(index * RecentHours, RecentHours);
        Span<double> m = stackalloc double[20];
        Span<double> rssOf = stackalloc double[RecentHours + 1];
        int low = 0, high = 0;
        var judgedFrom = int.MaxValue;
        var best = double.PositiveInfinity;
        double bestA = double.NaN, bestC = double.NaN, bestD = double.NaN, bestNoise = double.NaN;
        for (var after = 1; after <= runHours; after++)
        {
            var p = ps[(meter.RecentNext - after + RecentHours) % RecentHours];
            low += p <= LowDemand * meter.ProfileMean ? 1 : 0;
            high += p >= meter.ProfileMean ? 1 : 0;
            if (judgedFrom == int.MaxValue && low >= SplitHoursEach && high >= SplitHoursEach)
            {
                // The earliest candidate (counting back) with hours of both kinds after it; every one before it has them too.
                judgedFrom = after;
            }

            rssOf[after] = double.PositiveInfinity;
            if (after < MinHoursAfter || !TryFitSplit(meter, ys, ps, after, m, out var a, out var c, out var d, out var rss, out var noise))
            {
                continue;
            }

            rssOf[after] = rss;
            if (rss < best)
            {
                best = rss;
                bestA = a;
                bestC = c;
                bestD = d;
                bestNoise = noise;
            }
        }

        if (double.IsPositiveInfinity(best))
        {
            return low < SplitHoursEach || high < SplitHoursEach ? Split.Wait : Split.Misfit;
        }

        // The change is judged only once every candidate that fits about as well as the best (a weighted residual sum
        // of squares within SplitTolerance residual variances of it) has hours of low and of high demand after it. A
        // demand level that changed at midnight, judged at 04:00, has only night hours after its change; the evening
        // before fits the old level and the new one alike, so the run's start fits as well, and from there the
        // evening peak and the night are one line with a constant rise. The morning's hours tell them apart.
        var variance = best / Math.Max(1, meter.RecentCount - 4);
        for (var after = MinHoursAfter; after <= runHours; after++)
        {
            if (rssOf[after] - best <= SplitTolerance * variance)
            {
                // The latest candidate that fits as well: the others are earlier and have more hours after them.
                if (after < judgedFrom)
                {
                    return Split.Wait;
                }

                break;
            }
        }

        // The fit's spread relative to demand, as the day's fit judges a day (TryFit): hours the profile does not
        // describe say nothing about a step.
        if (!(bestA > 0) || bestNoise > 2.5 * meter.HourNoise)
        {
            return Split.Misfit;
        }

        // The profile learned from inflow holds part of the district's base flow b0 (at most its lowest slot: flow never
        // falls below its base, Lambert 2001), so a demand level that fell by |d| moves the fitted constant up by
        // |d| x b0 with no leak at all (residents away for a holiday month): that much is taken off, as the trend test
        // takes it off a day's b (CheckTrend).
        constant = bestC - (Math.Max(0, -bestD) * LowestSlot(index));
        return Split.Fitted;
    }

    /// <summary>
    /// The fit with the change <paramref name="after"/> hours before the latest: the demand level a, the constant
    /// step c, the demand level's change d, the weighted residual sum of squares and the residuals' spread relative to demand.
    /// </summary>
    private static bool TryFitSplit(in Meter meter, ReadOnlySpan<double> ys, ReadOnlySpan<double> ps, int after, Span<double> m,
        out double a, out double c, out double d, out double rss, out double noise)
    {
        a = c = d = rss = noise = double.NaN;

        // Normal equations of the four unknowns (a, b, c, d) over the regressors (P, 1, s, sP).
        m.Clear();
        Span<double> x = stackalloc double[4];
        for (var back = 0; back < meter.RecentCount; back++)
        {
            var at = (meter.RecentNext - 1 - back + RecentHours) % RecentHours;
            var p = ps[at];
            var s = back < after ? 1.0 : 0.0;
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

                m[(i * 5) + 4] += w * x[i] * ys[at];
            }
        }

        // Gaussian elimination with partial pivoting on the 4 x 5 augmented matrix.
        for (var col = 0; col < 4; col++)
        {
            var pivot = col;
            for (var r = col + 1; r < 4; r++)
            {
                pivot = Math.Abs(m[(r * 5) + col]) > Math.Abs(m[(pivot * 5) + col]) ? r : pivot;
            }

            if (!(Math.Abs(m[(pivot * 5) + col]) > 1e-12 * Math.Abs(m[0])))
            {
                return false;
            }

            for (var j = 0; j < 5; j++)
            {
                (m[(col * 5) + j], m[(pivot * 5) + j]) = (m[(pivot * 5) + j], m[(col * 5) + j]);
            }

            for (var r = 0; r < 4; r++)
            {
                if (r == col)
                {
                    continue;
                }

                var f = m[(r * 5) + col] / m[(col * 5) + col];
                for (var j = col; j < 5; j++)
                {
                    m[(r * 5) + j] -= f * m[(col * 5) + j];
                }
            }
        }

        a = m[4] / m[0];
        var b = m[9] / m[6];
        c = m[14] / m[12];
        d = m[19] / m[18];
        double se = 0, sw = 0;
        for (var back = 0; back < meter.RecentCount; back++)
        {
            var at = (meter.RecentNext - 1 - back + RecentHours) % RecentHours;
            var p = ps[at];
            var s = back < after ? 1.0 : 0.0;
            var e = ys[at] - (a * p) - b - (s * (c + (d * p)));
            sw += e * e / (p * p);
            var r = e / (a * p);
            se += r * r;
        }

        rss = sw;
        noise = Math.Sqrt(se / Math.Max(1, meter.RecentCount - 4));
        return double.IsFinite(rss);
    }
}
