using Sensing.Detection.Fire;
using Sensing.Rules.Schema;

namespace Sensing.Rules.Sections;

/// <summary>Keys of <see cref="FireOptions"/> and the records in it: section <c>fire</c> (docs/fire.md).</summary>
internal static class FireRules
{
    public static RuleRecord<SmokeAlarmOptions> SmokeAlarm { get; } =
        new RuleRecord<SmokeAlarmOptions>("smokeAlarm",
            "Smoke alarms (kind smoke-alarm, GB 20517): an alarm is Critical at once when a second smoke alarm of its building, or a methane or "
            + "circuit-temperature alarm there, confirms it; otherwise once it outlasts the verification window. Alarms that clear within the "
            + "window are nuisance alarms, counted and not raised.",
            static o => o.Validate())
        .Duration("verificationWindow", o => o.VerificationWindow, (o, v) => o with { VerificationWindow = v },
            "How long an unconfirmed alarm must last before it is raised (cooking smoke clears within it); 0 (raise every alarm at once) to 30m.")
        .Duration("confirmationWindow", o => o.ConfirmationWindow, (o, v) => o with { ConfirmationWindow = v },
            "A second alarm of the same building confirms the first when it starts within this of it; above 0.")
        .Number("silentAfterIntervals", o => o.SilentAfterIntervals, (o, v) => o with { SilentAfterIntervals = v },
            "An alarm not heard from for this many heartbeat (report) intervals gets a fault alert (GB 20517-2025 5.11.1: a check at least every 24 h); 1-100.");

    public static RuleRecord<ElectricalFireOptions> Electrical { get; } =
        new RuleRecord<ElectricalFireOptions>("electrical",
            "Electrical fire monitoring detectors (kind electrical-fire-detector), one circuit each: residual current (GB 14287.2) and cable or "
            + "terminal temperature (GB 14287.3). A detector's residual_set_ma and temp_set_c registry parameters override the set points.",
            static o => o.Validate())
        .Number("residualSetPointMa", o => o.ResidualSetPointMa, (o, v) => o with { ResidualSetPointMa = v },
            "Residual current alarm (severity High) at or above this, mA (GB 50116-2013 9.2.3: set within 300-500 mA); above 0, at most 5000.")
        .Number("residualPreAlarmFraction", o => o.ResidualPreAlarmFraction, (o, v) => o with { ResidualPreAlarmFraction = v },
            "Pre-alarm (severity Medium) at this fraction of the set point; above 0, at most 1.")
        .Number("residualDeadbandMa", o => o.ResidualDeadbandMa, (o, v) => o with { ResidualDeadbandMa = v },
            "The alert clears below the pre-alarm level minus this, mA; 0 or more, below the pre-alarm level.")
        .Number("temperatureSetPointC", o => o.TemperatureSetPointC, (o, v) => o with { TemperatureSetPointC = v },
            "Temperature alarm at or above this, C (70: PVC-insulated cable's conductor limit); above 0, at most 200.")
        .Number("temperatureRiseCPerMinute", o => o.TemperatureRiseCPerMinute, (o, v) => o with { TemperatureRiseCPerMinute = v },
            "A temperature rising this fast between two readings 10 s to 15 min apart is an alarm below the set point, C/min; above 0.")
        .Number("temperatureDeadbandC", o => o.TemperatureDeadbandC, (o, v) => o with { TemperatureDeadbandC = v },
            "The temperature alert clears below the set point minus this, C; 0 or more, below the set point.")
        .Duration("offDelay", o => o.OffDelay, (o, v) => o with { OffDelay = v },
            "Residual current and temperature must stay below their deadbands this long before their alerts clear; 0 or more.")
        .WholeNumber("trendDays", o => o.TrendDays, (o, v) => o with { TrendDays = v },
            "Days of daily peak temperature the maintenance trend is fitted over (least squares); 2-30.")
        .Number("trendRiseCPerDay", o => o.TrendRiseCPerDay, (o, v) => o with { TrendRiseCPerDay = v },
            "A slope of the daily peaks at or above this raises the maintenance alert, C/day; above 0.")
        .Number("trendMinRiseC", o => o.TrendMinRiseC, (o, v) => o with { TrendMinRiseC = v },
            "The window's last daily peak must also be this much above its first, C; 0 or more.");

    public static RuleRecord<FireWaterPressureOptions> WaterPressure { get; } =
        new RuleRecord<FireWaterPressureOptions>("waterPressure",
            "Fire hydrant and sprinkler main pressure sensors (kind fire-water-pressure), MPa: below the code minimum past the on-delay, one alert per "
            + "building (its building parameter, else its district). A sensor's minimum_mpa registry parameter sets its building class's minimum.",
            static o => o.Validate())
        .Number("minimumMpa", o => o.MinimumMpa, (o, v) => o with { MinimumMpa = v },
            "Static pressure below this is low, MPa (GB 50974-2014 5.2.2: 0.10 for class-1 high-rise public and industrial buildings and sprinklers, "
            + "0.15 above 100 m, 0.07 for high-rise residential and multi-storey public buildings); above 0, below 10.")
        .Number("deadbandMpa", o => o.DeadbandMpa, (o, v) => o with { DeadbandMpa = v },
            "A low sensor stops counting as low at the minimum plus this, MPa (2 % of a 1 MPa span); 0 or more, below 1.")
        .Duration("onDelay", o => o.OnDelay, (o, v) => o with { OnDelay = v },
            "A sensor must read low this long before it counts (a fire pump starting dips the main for a minute or two); 0 or more.")
        .Duration("offDelay", o => o.OffDelay, (o, v) => o with { OffDelay = v },
            "It must read above the deadband this long before it stops counting as low; 0 or more.");

    public static RuleRecord<FireOptions> Record { get; } =
        new RuleRecord<FireOptions>("fire",
            "Fire-safety detectors: smoke alarms, electrical fire monitoring detectors, fire hydrant and sprinkler main pressure (docs/fire.md).")
        .Record(SmokeAlarm, o => o.SmokeAlarm, (o, v) => o with { SmokeAlarm = v })
        .Record(Electrical, o => o.Electrical, (o, v) => o with { Electrical = v })
        .Record(WaterPressure, o => o.WaterPressure, (o, v) => o with { WaterPressure = v });
}
