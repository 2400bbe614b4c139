using Sensing.Detection.Internal;

namespace Sensing.Detection.Water;

/// <summary>
/// Pipe burst detection per district: a tabular CUSUM on each sensor's standardised residual from a learned
/// time-of-week baseline, downward on pressure sensors, upward on district inlet flow meters. The vote that turns
/// tripped CUSUMs into one district alert is described on <see cref="PipeBurstDetector"/>.
/// </summary>
public sealed record PipeBurstOptions
{
    /// <summary>The defaults described on each property.</summary>
    public static PipeBurstOptions Default { get; } = new();

    /// <summary>
    /// Width of one baseline slot; the baseline is linear between slot centres. Default 30 min (336 slots a week).
    /// </summary>
    // Linear interpolation errs by about slot^2/8 x the curvature of the demand curve: with 1 h slots the morning
    // peak leaves a residual near 1 sigma on flow and pressure alike, for an hour, which a k = 0.5 CUSUM accumulates;
    // 30 min slots cut it four-fold. A consumer that switches on as a step inside a slot still leaves a residual for
    // up to a slot: use 15 min slots where such steps are common.
    public TimeSpan Slot { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>Period of the baseline; must be a whole number of slots (at most 2,016). Default 7 days.</summary>
    // Demand repeats by time of the week (weekday and weekend profiles differ), as in the BattLeDIM baselines.
    public TimeSpan Period { get; init; } = TimeSpan.FromDays(7);

    /// <summary>Weight of a new sample in its slot's exponentially weighted mean and variance. Default 0.05.</summary>
    // 1/0.05 = 20 samples of memory: about three weekly visits of a slot for a 5-min sensor.
    public double Smoothing { get; init; } = 0.05;

    /// <summary>
    /// A reading is judged only once both slots it lies between have learned this many samples (warm-up). Default 12:
    /// two weekly visits of a 5-min sensor with 30 min slots.
    /// </summary>
    // 12 samples put a slot's mean within about 0.3 sigma (1/sqrt(12)), under the slack k = 0.5, so the CUSUM does
    // not accumulate a slot's estimation error.
    public int WarmupSamples { get; init; } = 12;

    /// <summary>CUSUM slack k, in standard deviations. Default 0.5.</summary>
    // Page's CUSUM tuned for a 1-sigma shift uses k = delta/2 = 0.5 (BattLeDIM practice, DOMAIN.md).
    public double SlackSigma { get; init; } = 0.5;

    /// <summary>CUSUM decision interval h, in standard deviations. Default 5.</summary>
    // h = 4-5 sigma in published BattLeDIM entries (DOMAIN.md); 5 with k = 0.5 gives an in-control run length of
    // about 900 samples per sensor before the vote and on-delay filter it further.
    public double DecisionSigma { get; init; } = 5;

    /// <summary>
    /// A single residual adds at most this many standard deviations less <see cref="SlackSigma"/> to a CUSUM.
    /// Default 4, so one spike or dip (at most 4 - k = 3.5) can never reach <see cref="DecisionSigma"/> alone.
    /// </summary>
    // Winsorised CUSUM: the increment is clipped so one outlier cannot decide, while a sustained shift still does.
    public double ResidualCapSigma { get; init; } = 4;

    /// <summary>
    /// The smallest burst the CUSUMs are tuned for, as a fraction of the district's current demand. The slack is
    /// half of that shift where it exceeds <see cref="SlackSigma"/>: half this fraction of the expected inflow on an
    /// inlet meter, half the head loss this much more demand adds at a pressure sensor. Default 0.05; 0 leaves the
    /// slack at <see cref="SlackSigma"/>.
    /// </summary>
    // Page's reference value is half the shift to detect. With k = 0.5 sigma alone the CUSUMs are tuned for a 1 sigma
    // shift (1.5 % of inflow), the size of the demand baseline's own daily error at the peaks: a day's level only
    // partly followed, and the curvature of the peak between slot centres, leave the inflow 0.7-1.3 % above and
    // pressure 0.2-0.8 sigma below the baseline for an hour, an error the district's sensors share, and a k = 0.5
    // CUSUM sums that into h (bench/README.md, "Pipe burst with the district demand level and a minimum burst size").
    // Bursts are larger: half of 5 % of demand is a slack of 1.7 sigma of a 1.5 % meter, above those errors, and leaks
    // below it are the night-flow rule's job. At 3 % an inlet CUSUM of the seed-42 city still tripped outside the burst.
    public double MinimumBurstFraction { get; init; } = 0.05;

    /// <summary>Pressure residuals use at least this standard deviation, MPa. Default 0.002.</summary>
    // Sensor resolution: 0.2 % accuracy of a 1 MPa transmitter. Keeps a very quiet slot from turning noise into sigmas.
    public double PressureSigmaFloorMpa { get; init; } = 0.002;

    /// <summary>Flow residuals use at least this fraction of the slot's mean as standard deviation. Default 0.01.</summary>
    // Electromagnetic district meters are accuracy class 0.5-1 %.
    public double FlowSigmaFloorFraction { get; init; } = 0.01;

    /// <summary>
    /// A sensor repeating exactly the same value this many readings in a row is stuck: its CUSUM is reset and it
    /// neither learns nor votes until its value changes. Default 6.
    /// </summary>
    // A live analogue sensor never repeats a double exactly six times; a frozen one does (stuck-at fault).
    public int StuckReadings { get; init; } = 6;

    /// <summary>The inlet flow CUSUM and a pressure CUSUM must trip within this of each other to agree. Default 30 min.</summary>
    // A burst raises inflow and drops pressure within minutes; half an hour spans two readings of 15-min sensors.
    public TimeSpan AgreementWindow { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// In a district without an inlet flow meter, this many pressure CUSUMs tripped within
    /// <see cref="AgreementWindow"/> make a burst. Default 2.
    /// </summary>
    public int PressureOnlyMinSensors { get; init; } = 2;

    /// <summary>How long the vote must hold, in event time, before the district alert is raised. Default 15 min.</summary>
    // A noise excursion takes a CUSUM just past h and back within a reading or two; a burst keeps it there.
    public TimeSpan OnDelay { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>How long every CUSUM of the district must stay below h before the alert clears. Default 30 min.</summary>
    public TimeSpan OffDelay { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// Memory of the district's demand level: the inlet flow's ratio to its baseline, exponentially weighted over this
    /// time constant while the inlet's CUSUM is at rest and the district has no burst pending or active. Inlet flow is
    /// judged against the baseline times the level, pressure against the baseline less the head loss the level adds.
    /// Default 1 h.
    /// </summary>
    // Daily demand differs from the same day last week by a few percent (weather, day of the week): a day 2 % above a
    // one-week baseline is 1.3 sigma of a 1.5 % flow meter on every reading, past the slack k = 0.5, and pressure falls
    // with it at the peaks, so a bare time-of-week baseline trips the inflow and pressure CUSUMs of a district together
    // all day. Against the level, such a day leaves the inflow CUSUM at rest and a lone pressure CUSUM cannot vote. A
    // burst trips the inflow CUSUM within two readings, which freezes the level after it has taken up at most 2 x 3.3 %
    // of the burst (2-min readings, 1 h). A longer memory lags the demand's own slow changes further: 2 h and 4 h
    // raised false bursts among the twenty test districts of WaterPipeBurstTests, 1 h none.
    public TimeSpan DemandLevelMemory { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first option that is out of range.</summary>
    public void Validate()
    {
        OptionChecks.Positive(nameof(Slot), Slot);
        OptionChecks.Positive(nameof(Period), Period);
        if (Slot.Ticks % TimeSpan.TicksPerMillisecond != 0 || Period.Ticks % Slot.Ticks != 0 || Period.Ticks / Slot.Ticks > MaxSlots)
        {
            ThrowHelper.ThrowBadOption(nameof(Slot), $"must be whole milliseconds dividing {nameof(Period)} ({Period}) into at most {MaxSlots} slots, was {Slot}");
        }

        if (!(Smoothing > 0 && Smoothing < 1))
        {
            ThrowHelper.ThrowBadOption(nameof(Smoothing), $"must be in (0, 1), was {Smoothing}");
        }

        OptionChecks.AtLeast(nameof(WarmupSamples), WarmupSamples, 2);
        OptionChecks.NonNegative(nameof(SlackSigma), SlackSigma, "sigma");
        OptionChecks.Positive(nameof(DecisionSigma), DecisionSigma, "sigma");
        OptionChecks.Positive(nameof(ResidualCapSigma), ResidualCapSigma, "sigma");
        OptionChecks.NonNegative(nameof(MinimumBurstFraction), MinimumBurstFraction, "");
        OptionChecks.Below(nameof(MinimumBurstFraction), MinimumBurstFraction, 1, "1 (all of the demand)");
        OptionChecks.Positive(nameof(PressureSigmaFloorMpa), PressureSigmaFloorMpa, "MPa");
        OptionChecks.Positive(nameof(FlowSigmaFloorFraction), FlowSigmaFloorFraction, "");
        OptionChecks.AtLeast(nameof(StuckReadings), StuckReadings, 2);
        OptionChecks.NonNegative(nameof(AgreementWindow), AgreementWindow);
        OptionChecks.AtLeast(nameof(PressureOnlyMinSensors), PressureOnlyMinSensors, 2);
        OptionChecks.NonNegative(nameof(OnDelay), OnDelay);
        OptionChecks.NonNegative(nameof(OffDelay), OffDelay);
        OptionChecks.Positive(nameof(DemandLevelMemory), DemandLevelMemory);
    }

    // Fifteen-minute slots over three weeks; a weekly profile of 5-min slots is 2,016.
    internal const int MaxSlots = 2_016;
}
