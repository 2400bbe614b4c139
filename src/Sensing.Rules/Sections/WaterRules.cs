using Sensing.Detection.Water;
using Sensing.Rules.Schema;

namespace Sensing.Rules.Sections;

/// <summary>Keys of <see cref="WaterOptions"/> and the records in it: section <c>water</c>.</summary>
internal static class WaterRules
{
    private const string Restart = " Restart to change it: learned state is laid out by it.";

    public static RuleRecord<LowPressureOptions> LowPressure { get; } =
        new RuleRecord<LowPressureOptions>("lowPressure",
            "Low service pressure on water-pressure sensors, MPa (CJ/T 316 citing CJJ 58: at least 0.14 MPa at the network's far ends).",
            static o => o.Validate())
        .Number("minimumMpa", o => o.MinimumMpa, (o, v) => o with { MinimumMpa = v },
            "Service pressure below this is low, MPa; above 0, below spanMpa.")
        .Number("spanMpa", o => o.SpanMpa, (o, v) => o with { SpanMpa = v },
            "Measuring span of the pressure sensors, MPa (the deadband is a percentage of it); above 0.")
        .Number("deadbandPercentOfSpan", o => o.DeadbandPercentOfSpan, (o, v) => o with { DeadbandPercentOfSpan = v },
            "A low sensor clears only at the limit plus this percentage of spanMpa (ISA-18.2 practice for pressure: 2); 0 or more, below 100.")
        .Duration("onDelay", o => o.OnDelay, (o, v) => o with { OnDelay = v },
            "A sensor must read below the limit this long before it counts as low (one dip never does); 0 or more.")
        .Duration("offDelay", o => o.OffDelay, (o, v) => o with { OffDelay = v },
            "It must read above the limit plus the deadband this long before it stops counting as low; 0 or more.")
        .WholeNumber("districtMinSensors", o => o.DistrictMinSensors, (o, v) => o with { DistrictMinSensors = v },
            "This many low sensors of one district at once are one district alert instead of device alerts; at least 2.")
        .Duration("districtUpdateInterval", o => o.DistrictUpdateInterval, (o, v) => o with { DistrictUpdateInterval = v },
            "While a district alert is active, its list of low sensors is republished at most once per this; 0 or more.");

    public static RuleRecord<PipeBurstOptions> PipeBurst { get; } =
        new RuleRecord<PipeBurstOptions>("pipeBurst",
            "Pipe burst per district: a CUSUM on each pressure sensor's and inlet meter's residual from a learned time-of-week baseline; "
            + "inlet flow and pressure must agree.",
            static o => o.Validate())
        .Duration("slot", o => o.Slot, (o, v) => o with { Slot = v },
            "Width of one baseline slot; whole milliseconds, dividing period into at most 2016 slots." + Restart)
        .Duration("period", o => o.Period, (o, v) => o with { Period = v },
            "Period of the baseline (demand repeats weekly); a whole number of slots." + Restart)
        .Number("smoothing", o => o.Smoothing, (o, v) => o with { Smoothing = v },
            "Weight of a new sample in its slot's mean and variance; above 0, below 1.")
        .WholeNumber("warmupSamples", o => o.WarmupSamples, (o, v) => o with { WarmupSamples = v },
            "A reading is judged only once both slots around it learned this many samples; at least 2.")
        .Number("slackSigma", o => o.SlackSigma, (o, v) => o with { SlackSigma = v },
            "CUSUM slack k, in standard deviations (BattLeDIM practice: 0.5); 0 or more.")
        .Number("decisionSigma", o => o.DecisionSigma, (o, v) => o with { DecisionSigma = v },
            "CUSUM decision interval h, in standard deviations (BattLeDIM practice: 4-5); above 0.")
        .Number("residualCapSigma", o => o.ResidualCapSigma, (o, v) => o with { ResidualCapSigma = v },
            "One residual adds at most this many standard deviations less the slack to a CUSUM, so one spike cannot trip it; above 0.")
        .Number("minimumBurstFraction", o => o.MinimumBurstFraction, (o, v) => o with { MinimumBurstFraction = v },
            "The smallest burst the CUSUMs are tuned for, as a fraction of the district's demand (0: the slack is slackSigma); 0 or more, below 1.")
        .Number("pressureSigmaFloorMpa", o => o.PressureSigmaFloorMpa, (o, v) => o with { PressureSigmaFloorMpa = v },
            "Pressure residuals use at least this standard deviation, MPa (sensor resolution); above 0.")
        .Number("flowSigmaFloorFraction", o => o.FlowSigmaFloorFraction, (o, v) => o with { FlowSigmaFloorFraction = v },
            "Flow residuals use at least this fraction of the slot's mean as standard deviation (meter accuracy); above 0.")
        .WholeNumber("stuckReadings", o => o.StuckReadings, (o, v) => o with { StuckReadings = v },
            "The same value this many readings in a row is a stuck sensor, left out until its value changes; at least 2.")
        .Duration("agreementWindow", o => o.AgreementWindow, (o, v) => o with { AgreementWindow = v },
            "The inlet flow CUSUM and a pressure CUSUM must trip within this of each other to agree; 0 or more.")
        .WholeNumber("pressureOnlyMinSensors", o => o.PressureOnlyMinSensors, (o, v) => o with { PressureOnlyMinSensors = v },
            "In a district without an inlet meter, this many pressure CUSUMs tripped within agreementWindow are a burst; at least 2.")
        .Duration("onDelay", o => o.OnDelay, (o, v) => o with { OnDelay = v },
            "The vote must hold this long before the district alert is raised; 0 or more.")
        .Duration("offDelay", o => o.OffDelay, (o, v) => o with { OffDelay = v },
            "Every CUSUM of the district must stay below h this long before the alert clears; 0 or more.")
        .Duration("demandLevelMemory", o => o.DemandLevelMemory, (o, v) => o with { DemandLevelMemory = v },
            "Time constant of the district's demand level (its inlet flow over the baseline); above 0.");

    public static RuleRecord<NightFlowOptions> NightFlow { get; } =
        new RuleRecord<NightFlowOptions>("nightFlow",
            "Minimum night flow (the LeakDB rule) on district inlet meters (kind water-flow with role=inlet), m3/h.",
            static o => o.Validate())
        .Duration("nightStart", o => o.NightStart, (o, v) => o with { NightStart = v },
            "Start of the night window, local time of day in timeZone (2h is 02:00); 0 or more, below 24h.")
        .Duration("nightEnd", o => o.NightEnd, (o, v) => o with { NightEnd = v },
            "End of the night window (exclusive), local time of day; after nightStart, at most 24h.")
        .Number("gamma", o => o.Gamma, (o, v) => o with { Gamma = v },
            "A night whose minimum flow is more than this fraction above the baseline is flagged (LeakDB: 0.1-0.3); above 0.")
        .WholeNumber("baselineDays", o => o.BaselineDays, (o, v) => o with { BaselineDays = v },
            "The baseline is the lowest minimum of this many last unflagged nights; no night is judged before there are that many; at least 1." + Restart)
        .WholeNumber("minNightReadings", o => o.MinNightReadings, (o, v) => o with { MinNightReadings = v },
            "A night with fewer readings than this inside the window is a gap, not a minimum; at least 1.")
        .WholeNumber("confirmNights", o => o.ConfirmNights, (o, v) => o with { ConfirmNights = v },
            "Flagged nights in a row a meter needs before it raises: one high night is more often a draw (mains flushing, fire fighting) than a leak; at least 1.")
        .Boolean("deferToInletLeak", o => o.DeferToInletLeak, (o, v) => o with { DeferToInletLeak = v },
            "true: no new alert from an inlet meter the inlet-leak detector has learned (it judges the same leaks); false: raise on its own.");

    public static RuleRecord<InletLeakOptions> InletLeak { get; } =
        new RuleRecord<InletLeakOptions>("inletLeak",
            "Leaks and bursts from district inlet flow alone (kind water-flow with role=inlet): hourly means modelled as "
            + "a x profile(time of week) + b; a step test every hour, a trend CUSUM on b every day; one alert per leak.",
            static o => o.Validate())
        .Boolean("enabled", o => o.Enabled, (o, v) => o with { Enabled = v },
            "false switches the detector off.")
        .WholeNumber("profileDays", o => o.ProfileDays, (o, v) => o with { ProfileDays = v },
            "Days that only learn the time-of-week profile (168 hourly slots); at least 7.")
        .WholeNumber("calibrationDays", o => o.CalibrationDays, (o, v) => o with { CalibrationDays = v },
            "Days after the profile, and after a repair, that learn the base flow b, its spread and the hourly noise; at least 2.")
        .Number("profileSmoothing", o => o.ProfileSmoothing, (o, v) => o with { ProfileSmoothing = v },
            "Weight of one new day in a profile slot (memory about 1/weight weeks); above 0, at most 1.")
        .Number("stepH", o => o.StepH, (o, v) => o with { StepH = v },
            "Threshold of the hourly step test: a step in b raises once its estimate, at the most likely onset of the last 60 hours, is this many standard errors above 0 (the root of the GLR statistic); above 0.")
        .Boolean("stepSplit", o => o.StepSplit, (o, v) => o with { StepSplit = v },
            "true: a step is judged by a three-day fit that separates new constant flow (a leak) from a new demand level, from the hour that fits best; false: by the step test's estimate alone.")
        .Number("stepLevelWalk", o => o.StepLevelWalk, (o, v) => o with { StepLevelWalk = v },
            "Fraction of the demand level's day-to-day variance the hourly step test lets it move per day (smaller: a step stays in the residuals longer); above 0, at most 1.")
        .WholeNumber("stepNightHours", o => o.StepNightHours, (o, v) => o with { StepNightHours = v },
            "Low-demand hours (profile at most 0.7 of its mean) since a step's onset before it is judged; their own estimate of the step must be at least minRiseFraction of inflow; at least 1.")
        .Number("jumpZ", o => o.JumpZ, (o, v) => o with { JumpZ = v },
            "Threshold of the sub-hourly jump test: a rise between two readings at most 35 minutes apart, less what the profile predicts, of this many of the meter's own standard deviations for as many readings back at that hour of the day (and at least minRiseFraction of inflow) is held for jumpHold; 0 switches the test off; 0 or more.")
        .Duration("jumpHold", o => o.JumpHold, (o, v) => o with { JumpHold = v },
            "How long a jump is held before it raises: a fall of half its size in that time drops it (a legitimate draw of 1-3 hours ending), and the flow over its last hour must still be half the jump above the model of before; at least 1 h.")
        .Duration("reraiseHold", o => o.ReraiseHold, (o, v) => o with { ReraiseHold = v },
            "A step or growth this soon after the district's last open inlet-leak alert is taken into the reference without a new alert; 0 or more.")
        .WholeNumber("growthSettleDays", o => o.GrowthSettleDays, (o, v) => o with { GrowthSettleDays = v },
            "Days in a row without growth building (the daily CUSUM on b under a quarter of trendH) after which a meter's last leak is settled; growth before that escalates the district's latest open alert instead of raising a new one (0: every growth raises); 0 or more.")
        .Number("growthContinuation", o => o.GrowthContinuation, (o, v) => o with { GrowthContinuation = v },
            "Growth before the last leak settled escalates its alert only up to this share of what that leak would add by then (its step size, or its growth rate, one standard error above the slope that raised it, times the days since) plus one standard deviation of b; more raises a new alert (a new leak on top); 0 or more.")
        .Number("trendK", o => o.TrendK, (o, v) => o with { TrendK = v },
            "Slack of the daily CUSUM on b, day-to-day standard deviations of b; above 0.")
        .Number("trendH", o => o.TrendH, (o, v) => o with { TrendH = v },
            "Decision interval of the daily CUSUM on b, standard deviations; above 0.")
        .Number("minRiseFraction", o => o.MinRiseFraction, (o, v) => o with { MinRiseFraction = v },
            "A step or growth estimated below this fraction of the meter's mean inflow raises nothing; above 0.")
        .Number("noiseFloorFraction", o => o.NoiseFloorFraction, (o, v) => o with { NoiseFloorFraction = v },
            "Floor of every standard deviation, fraction of the meter's mean inflow (meter resolution); above 0.")
        .WholeNumber("stuckReadings", o => o.StuckReadings, (o, v) => o with { StuckReadings = v },
            "This many identical readings in a row mark the meter stuck; they are ignored until the value moves; at least 2.")
        .WholeNumber("minDayHours", o => o.MinDayHours, (o, v) => o with { MinDayHours = v },
            "A day with fewer valid hours gives no fit of a and b (a gap); 6 to 24.");

    public static RuleRecord<ReservoirLevelOptions> ReservoirLevel { get; } =
        new RuleRecord<ReservoirLevelOptions>("reservoirLevel",
            "Reservoir level colours (blue, yellow, orange, red) against each gauge's warning_m, flood_limit_m, guaranteed_m and "
            + "historic_max_m registry parameters, m.",
            static o => o.Validate())
        .Number("blueBandM", o => o.BlueBandM, (o, v) => o with { BlueBandM = v },
            "Blue (near the warning level) starts this far below warning_m, m; 0 or more.")
        .Number("spanM", o => o.SpanM, (o, v) => o with { SpanM = v },
            "Measuring span of the level gauges, m (the deadband is a percentage of it); above 0.")
        .Number("deadbandPercentOfSpan", o => o.DeadbandPercentOfSpan, (o, v) => o with { DeadbandPercentOfSpan = v },
            "A colour is lowered only once the level is this percentage of spanM below its threshold; 0 or more, below 100.")
        .Duration("offDelay", o => o.OffDelay, (o, v) => o with { OffDelay = v },
            "The level must stay below a threshold minus the deadband this long before its colour is lowered; 0 or more.");

    public static RuleRecord<HeavyRainOptions> HeavyRain { get; } =
        new RuleRecord<HeavyRainOptions>("heavyRain",
            "Heavy rain on rain gauges (kind rain-gauge): the rain of a rolling window, mm.",
            static o => o.Validate())
        .Number("thresholdMm", o => o.ThresholdMm, (o, v) => o with { ThresholdMm = v },
            "Rain in the window at or above this raises the alert, mm (a rainstorm: 50 mm in 24 h); above 0.")
        .Duration("window", o => o.Window, (o, v) => o with { Window = v },
            "The rolling window summed; a whole number of buckets." + Restart)
        .Duration("bucket", o => o.Bucket, (o, v) => o with { Bucket = v },
            "Width of one window bucket; whole milliseconds, dividing window into at most 1440 buckets." + Restart)
        .Number("deadbandMm", o => o.DeadbandMm, (o, v) => o with { DeadbandMm = v },
            "The alert clears below thresholdMm minus this, mm; 0 or more, below thresholdMm.")
        .Duration("offDelay", o => o.OffDelay, (o, v) => o with { OffDelay = v },
            "The window's rain must stay below the deadband this long before the alert clears; 0 or more.");

    public static RuleRecord<WaterOptions> Record { get; } =
        new RuleRecord<WaterOptions>("water",
            "Water-network detectors. They judge districts: set them for the city or in a district's entry, not per kind or device.")
        .Record(LowPressure, o => o.LowPressure, (o, v) => o with { LowPressure = v })
        .Record(PipeBurst, o => o.PipeBurst, (o, v) => o with { PipeBurst = v })
        .Record(NightFlow, o => o.NightFlow, (o, v) => o with { NightFlow = v })
        .Record(InletLeak, o => o.InletLeak, (o, v) => o with { InletLeak = v })
        .Record(ReservoirLevel, o => o.ReservoirLevel, (o, v) => o with { ReservoirLevel = v })
        .Record(HeavyRain, o => o.HeavyRain, (o, v) => o with { HeavyRain = v });
}
