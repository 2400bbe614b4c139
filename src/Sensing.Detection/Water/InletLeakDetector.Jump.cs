using System.Runtime.CompilerServices;
using Sensing.Detection.Water.Internal;

namespace Sensing.Detection.Water;

/// <summary>The sub-hourly jump test: a step within minutes in the readings themselves, held for hours before it raises.</summary>
public sealed partial class InletLeakDetector
{
    // Readings remembered for the jump's windows, and the longest window: a leak opens within minutes to half an hour.
    internal const int JumpReadings = 8;
    private const long JumpWindowMs = 35 * 60_000;

    // Reading pairs each of an hour's variances learns from before the test is armed in that hour (two days of 5-minute
    // readings, six of 15-minute ones).
    private const int JumpWarmup = 24;

    // A pair's squared change is clipped at this many times the learned variance (3 standard deviations): a leak's own
    // onset or a glitch does not teach the noise.
    private const double JumpClip = 9;

    /// <summary>The last readings, their profile values and times (a ring), for the windows of the jump test.</summary>
    [InlineArray(JumpReadings)]
    private struct JumpValues
    {
        private double _element;
    }

    [InlineArray(JumpReadings)]
    private struct JumpTimes
    {
        private long _element;
    }

    /// <summary>Per local hour of the day and readings back: the variance of the change (a variogram).</summary>
    [InlineArray(24 * JumpReadings)]
    private struct JumpVariances
    {
        private double _element;
    }

    /// <summary>Per local hour of the day and readings back: the pairs its variance has learned from.</summary>
    [InlineArray(24 * JumpReadings)]
    private struct JumpPairs
    {
        private int _element;
    }

    /// <summary>A meter's jump test: its recent readings, its learned variances and the candidate it holds.</summary>
    private struct JumpState
    {
        public JumpValues Y;
        public JumpValues P;
        public JumpTimes Times;
        public int Next;
        public int Count;

        /// <summary>
        /// Per local hour of the day and readings back, the variance of the change between two readings per unit of
        /// demand squared, and the pairs it has learned from: the meter's own noise dominates a change over five
        /// minutes, demand's over half an hour, and the profile follows a morning's rise less closely than a night.
        /// </summary>
        public JumpVariances Variance;
        public JumpPairs Pairs;

        /// <summary>The candidate: the last reading before its jump (Unix ms; 0 for none), when it is judged, its size (m3/h).</summary>
        public long FromMs;
        public long JudgeMs;
        public double Size;

        /// <summary>The demand model when the jump was seen, the residual before it, and the sum and count of residuals over the hold's last hour.</summary>
        public double A0;
        public double B0;
        public double Before;
        public double SumAfter;
        public int CountAfter;
    }

    /// <summary>
    /// One reading of a running inlet meter. A leak opens within minutes; demand moves smoothly from one reading to the
    /// next (its hour-to-hour noise is correlated over about an hour), so a change between two readings at most 35
    /// minutes apart, less what the profile predicts, is compared with the changes the meter itself shows over as many
    /// readings at that hour of the day (an empirical variogram per demand squared: the meter's own noise dominates five
    /// minutes, demand's half an hour, and the profile follows a morning's rise less closely than a night). A rise of
    /// jumpZ of those standard deviations and at least minRiseFraction of inflow, out of two hours that the demand model
    /// fitted, is held for jumpHold: a fall of half its size in that time (a draw of 1-3 hours ending, a glitch) drops
    /// it, and the flow over the hold's last hour must still be at least half the jump above the model of before the
    /// jump. Then it raises as a step of what held (that hour's mean). The hourly test needs the night to share a step;
    /// this one sees a step against the noise of minutes, before demand has had time to move (a change in
    /// the mean of an autocorrelated series tested on its innovations, Basseville and Nikiforov, Detection of Abrupt
    /// Changes, 1993, section 2.2: the differences of readings are nearly those innovations when the correlation time
    /// is long against the reading interval; the hold is the persistence window with which burst detection on DMA
    /// inflow confirms an alarm, as in Mounce, Boxall and Machell, J. Water Resour. Plann. Manage. 136(3), 2010).
    /// </summary>
    private void CheckJump(int index, double y, long timeMs, long localMs)
    {
        ref var meter = ref _meters[index];
        ref var j = ref meter.Jump;
        var o = _options[meter.District];
        if (meter.Rebase || !(meter.ARef > 0))
        {
            // Just raised: the model is judged again at the next full day; the test starts over then.
            j.Count = 0;
            j.FromMs = 0;
            return;
        }

        var last = (j.Next - 1 + JumpReadings) % JumpReadings;
        if (j.Count > 0 && timeMs <= j.Times[last])
        {
            return;
        }

        if (j.Count > 0 && timeMs - j.Times[last] > JumpWindowMs)
        {
            // A gap: the windows start again from this reading.
            j.Count = 0;
        }

        var p = ProfileAt(index, localMs);
        var hourOfDay = (int)TimeMath.FloorMod(meter.Hour, 24L);
        var armed = true;
        var floor = o.NoiseFloorFraction * meter.MeanFlow;
        double up = 0, upJump = 0, down = 0, downJump = 0;
        var upFrom = -1;
        for (var k = 0; k < j.Count; k++)
        {
            var at = (j.Next - 1 - k + JumpReadings) % JumpReadings;
            var apart = timeMs - j.Times[at];
            if (apart > JumpWindowMs)
            {
                break;
            }

            var hours = apart / (double)HourMs;
            var jump = y - j.Y[at] - (meter.ARef * (p - j.P[at]));
            var demand = meter.ARef * (p + j.P[at]) / 2;
            ref var variance = ref j.Variance[(hourOfDay * JumpReadings) + k];
            ref var pairs = ref j.Pairs[(hourOfDay * JumpReadings) + k];
            var z = jump / Math.Sqrt((variance * demand * demand) + (floor * floor));

            // The change's variance for this hour and this many readings back, per demand squared: a plain mean over its
            // first pairs, then a memory of about two weeks of that hour.
            var u = jump * jump / (demand * demand);
            variance = pairs < JumpWarmup ? variance + ((u - variance) / (pairs + 1)) : variance + ((Math.Min(u, JumpClip * variance) - variance) * Math.Max(hours / (k + 1), 1.0 / 288) / 14);
            armed &= pairs >= JumpWarmup;
            pairs = pairs < int.MaxValue ? pairs + 1 : pairs;

            if (z > up)
            {
                (up, upJump, upFrom) = (z, jump, at);
            }

            if (z < down)
            {
                (down, downJump) = (z, jump);
            }
        }

        var from = upFrom >= 0 ? (Y: j.Y[upFrom], P: j.P[upFrom], Ms: j.Times[upFrom]) : default;
        j.Y[j.Next] = y;
        j.P[j.Next] = p;
        j.Times[j.Next] = timeMs;
        j.Next = (j.Next + 1) % JumpReadings;
        j.Count = Math.Min(j.Count + 1, JumpReadings);
        if (o.JumpZ <= 0 || !armed)
        {
            return;
        }

        var minRise = o.MinRiseFraction * meter.MeanFlow;
        if (j.FromMs != 0)
        {
            if (down <= -o.JumpZ / 2 && -downJump >= j.Size / 2)
            {
                // The flow fell back: a draw that ended, not a leak.
                j.FromMs = 0;
                return;
            }

            var r0 = y - (j.A0 * p) - j.B0;
            if (timeMs - j.FromMs <= JumpWindowMs)
            {
                // A leak opening over half an hour is still growing: its size is what it reached.
                j.Size = Math.Max(j.Size, r0 - j.Before);
            }

            if (timeMs >= j.JudgeMs - HourMs)
            {
                j.SumAfter += r0;
                j.CountAfter++;
            }

            if (timeMs < j.JudgeMs)
            {
                return;
            }

            var level = (j.SumAfter / j.CountAfter) - j.Before;
            var size = j.Size;
            j.FromMs = 0;
            if (level >= Math.Max(minRise, size / 2))
            {
                RaiseStep(index, timeMs, level);
            }

            return;
        }

        // The reading the jump rose from must itself be within 3 hourly noises of the model, and the hours before it
        // must have fitted: a jump out of a morning that had left the profile is that day's demand.
        var before = from.Y - (meter.ARef * from.P) - meter.BRef;
        if (up >= o.JumpZ && upJump >= minRise && Math.Abs(before) <= (3 * meter.HourNoise * meter.ARef * from.P) + floor
            && FitsRecentHours(index, floor))
        {
            j.FromMs = from.Ms;
            j.JudgeMs = timeMs + (long)o.JumpHold.TotalMilliseconds;
            j.Size = upJump;
            j.A0 = meter.ARef;
            j.B0 = meter.BRef;
            j.Before = RecentResidual(index);
            j.SumAfter = 0;
            j.CountAfter = 0;
        }
    }

    /// <summary>
    /// True when the last two hours' means were where the model at the recent demand level a_recent puts them, within 2.5
    /// hourly noises each: a jump out of a morning that had already left the profile (a public holiday's later peak,
    /// which the hourly filter's level has partly followed by then) is that day's demand, not a leak.
    /// </summary>
    private bool FitsRecentHours(int index, double floor)
    {
        ref var meter = ref _meters[index];
        if (meter.RecentCount < 2)
        {
            return false;
        }

        var ys = _recentY.AsSpan(index * RecentHours, RecentHours);
        var ps = _recentP.AsSpan(index * RecentHours, RecentHours);
        for (var back = 0; back < 2; back++)
        {
            var at = (meter.RecentNext - 1 - back + RecentHours) % RecentHours;
            var e = ys[at] - (meter.ARecent * ps[at]) - meter.BRef;
            if (Math.Abs(e) > (2.5 * meter.HourNoise * meter.ARecent * ps[at]) + floor)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The mean residual of the last two hours' means from the meter's model now: the level a jump rose from.</summary>
    private double RecentResidual(int index)
    {
        ref var meter = ref _meters[index];
        var ys = _recentY.AsSpan(index * RecentHours, RecentHours);
        var ps = _recentP.AsSpan(index * RecentHours, RecentHours);
        double residual = 0;
        for (var back = 0; back < 2; back++)
        {
            var at = (meter.RecentNext - 1 - back + RecentHours) % RecentHours;
            residual += ys[at] - (meter.ARef * ps[at]) - meter.BRef;
        }

        return residual / 2;
    }

    /// <summary>The profile at a local instant: linear between the centres of its hourly slots.</summary>
    private double ProfileAt(int index, long localMs)
    {
        var profile = _profiles.AsSpan(index * Slots, Slots);
        var x = (localMs - (HourMs / 2)) / (double)HourMs;
        var hour = (long)Math.Floor(x);
        var f = x - hour;
        return (profile[SlotOf(hour)] * (1 - f)) + (profile[SlotOf(hour + 1)] * f);
    }
}
