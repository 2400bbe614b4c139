namespace Sensing.Detection.Water;

/// <summary>The hourly step test: a Kalman filter on the demand level and a GLR test for a step in b on its innovations.</summary>
public sealed partial class InletLeakDetector
{
    // Hours back a step may have started and still be tested: two and a half days, so a step from the late morning has
    // two nights in its candidate's evidence.
    internal const int Onsets = 60;

    // Each hour's innovation is clipped at this many of its standard deviations: one wild hour (a draw, a glitch)
    // cannot pass the threshold alone.
    private const double InnovationClip = 4;

    /// <summary>
    /// The evidence for a step in b that started at hour <see cref="Onset"/> (a HourSerial), gathered from the
    /// filter's innovations since (Willsky and Jones 1976).
    /// </summary>
    private struct StepCandidate
    {
        /// <summary>The hour the step would have started; int.MinValue for an empty slot.</summary>
        public int Onset;

        /// <summary>Low-demand hours since the onset.</summary>
        public int NightHours;

        /// <summary>How much of a unit step the filter's demand level has taken in by now (the step's "bias" in a).</summary>
        public double Beta;

        /// <summary>Sum of signature x innovation / variance, and of signature^2 / variance, over every hour and over the low-demand hours.</summary>
        public double D;
        public double C;
        public double NightD;
        public double NightC;

        /// <summary>The same for a ramp from the onset (1 m3/h a day): what the filter took in, D and C.</summary>
        public double RampBeta;
        public double RampD;
        public double RampC;
    }

    private void CheckStep(int index, double y, double p, long timeMs)
    {
        ref var meter = ref _meters[index];
        var o = _options[meter.District];

        // The demand level a is tracked hour by hour with a scalar Kalman filter (a random walk of the day-to-day
        // spread learned in calibration); b stays at b_ref. Demand hours (large P) inform a, night hours (small P)
        // inform b. The walk's variance is the calibrated day-to-day variance times stepLevelWalk, spread over the
        // day's hours: demand mostly changes from one day to the next (weather, holidays), which the day's fit and the
        // step split judge.
        meter.AVariance += meter.AWalk * o.StepLevelWalk;
        var floor = o.NoiseFloorFraction * meter.MeanFlow;
        // The profile is itself an estimate (a few weeks of the slot): its error adds half the hour's noise variance.
        var noise = (1.5 * meter.HourNoise * meter.ARef * p * meter.HourNoise * meter.ARef * p) + (floor * floor);
        var residual = y - (meter.ARef * p) - meter.BRef;
        var spread = (p * p * meter.AVariance) + noise;
        var gain = meter.AVariance * p / spread;
        meter.ARef += gain * residual;
        meter.AVariance *= 1 - (gain * p);

        if (meter.Rebase)
        {
            // A step was raised: its size is measured by the next full day's fit, before the test is armed again.
            return;
        }

        // A step of size nu in b from hour theta on shows in the innovations as rho_t nu, not nu: the filter takes part
        // of it into a every hour (a rise of flow looks like more demand), beta_t of a unit step by hour t, so
        // rho_t = 1 - P_t beta_t, and beta grows by the gain times rho each hour. For a known onset the likelihood ratio
        // of "a step of unknown size" against "none" is maximised at nu = D / C, with D = sum rho e / S and
        // C = sum rho^2 / S over the hours since (e the innovation, S its variance), and 2 log LR = D^2 / C: the
        // generalised likelihood ratio test for a jump in a linear system driven through its Kalman filter (Willsky and
        // Jones, "A generalized likelihood ratio approach to the detection and estimation of jumps in linear systems",
        // IEEE Trans. Automatic Control 21(1), 1976), maximised over the onsets of the last Onsets hours. The CUSUM on
        // the standardised innovations it replaced (until 2026-12-07) weighted every hour alike: by the night after a
        // daytime step the filter had taken about half of it into a, and the night saw only the rest (seed 3's dma05:
        // 8.2 % from 11:00, the night CUSUM peaked at 2.6 against h 3). The GLR weights each hour by what the step
        // still shows there.
        var now = meter.HourSerial - 1;
        var ring = _candidates.AsSpan(index * Onsets, Onsets);
        ring[now % Onsets] = new StepCandidate { Onset = now };
        var limit = InnovationClip * Math.Sqrt(spread);
        var e = Math.Clamp(residual, -limit, limit);
        var low = p <= LowDemand * meter.ProfileMean;
        var minRise = o.MinRiseFraction * meter.MeanFlow;
        var best = -1;
        var bestG = 0.0;
        var rampG = 0.0;
        for (var j = 0; j < Onsets; j++)
        {
            ref var c = ref ring[j];
            if (c.Onset <= now - Onsets)
            {
                continue;
            }

            var rho = 1 - (p * c.Beta);
            var d = rho * e / spread;
            var cc = rho * rho / spread;
            c.D += d;
            c.C += cc;
            if (low)
            {
                c.NightD += d;
                c.NightC += cc;
                c.NightHours++;
            }

            c.Beta += gain * rho;

            var ramp = (now - c.Onset + 1) / 24.0;
            var rampRho = ramp - (p * c.RampBeta);
            c.RampD += rampRho * e / spread;
            c.RampC += rampRho * rampRho / spread;
            c.RampBeta += gain * rampRho;
            if (c.RampD > 0)
            {
                rampG = Math.Max(rampG, c.RampD * c.RampD / c.RampC);
            }

            // A leak adds the same flow at every hour, so it must show at night on its own: at least stepNightHours
            // low-demand hours since the onset, whose own estimate of the step is at least the smallest rise. A demand
            // level that was only higher than the profile at its peaks, or a legitimate draw of 1-3 hours (mains
            // flushing, fire fighting), does not (the reasoning of minimum night flow analysis, Lambert 2001, as a
            // persistence test).
            var g = c.D > 0 ? c.D * c.D / c.C : 0;
            if (g > bestG && c.NightHours >= o.StepNightHours && c.D / c.C >= minRise && c.NightD / c.NightC >= minRise)
            {
                bestG = g;
                best = j;
            }
        }

        // While the meter's last raise was growth that has not settled, a step must explain the hours since its onset
        // better than a ramp from any onset does (the same likelihood ratio with a ramp's signature): a leak still
        // growing fast is that leak growing, escalated by the trend test, not a new step every few days.
        if (best < 0 || bestG < o.StepH * o.StepH || (meter.GrowthRate > 0 && !meter.Settled && rampG > bestG))
        {
            return;
        }

        var chosen = ring[best];
        var rise = chosen.D / chosen.C;
        if (o.StepSplit)
        {
            var split = SplitStep(index, chosen.Onset, out var constant);
            if (split == Split.Wait)
            {
                // Judged again next hour, once the hours since the onset have both kinds of demand.
                return;
            }

            // A misfit (a holiday, a day of draws) raises nothing; a leak under it passes the test again afterwards.
            rise = split switch { Split.Fitted => constant, Split.Misfit => 0, _ => rise };
        }

        RaiseStep(index, timeMs, rise);
    }

    /// <summary>A step of <paramref name="rise"/> m3/h found (by the hourly or the jump test): raised when at least the smallest rise, taken into b_ref, and both tests start over.</summary>
    private void RaiseStep(int index, long timeMs, double rise)
    {
        ref var meter = ref _meters[index];
        ClearCandidates(index);
        meter.Jump.FromMs = 0;
        if (rise < _options[meter.District].MinRiseFraction * meter.MeanFlow)
        {
            return;
        }

        meter.BRef += rise;
        meter.TrendCusum = 0;
        meter.Rebase = true;
        meter.AVariance = meter.AWalk * 24;
        Raise(index, timeMs, rise, abrupt: true, rate: 0);
    }

    /// <summary>Empties the meter's step candidates: the test starts over from the next hour.</summary>
    private void ClearCandidates(int index) =>
        _candidates.AsSpan(index * Onsets, Onsets).Fill(new StepCandidate { Onset = int.MinValue });
}
