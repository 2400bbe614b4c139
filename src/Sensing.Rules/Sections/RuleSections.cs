using Sensing.Core.Devices;
using Sensing.Detection;
using Sensing.Rules.Schema;

namespace Sensing.Rules.Sections;

/// <summary>
/// The one place that maps the sections of a rules file to the records of <see cref="DetectionOptions"/>: a section is
/// its record's keys (the classes beside this one), how to read and replace it in the options, and where it may be set
/// (for the whole city, and in which override entries). A new detector's options add one line here; everything that
/// reads, checks, writes and documents the file (<c>sensing rules defaults</c>) follows from it.
/// </summary>
internal static class RuleSections
{
    /// <summary>The top-level key that names the city's time zone.</summary>
    public const string TimeZoneKey = "timeZone";

    /// <summary>The file: the time zone, then every section in the order <c>sensing rules defaults</c> writes them.</summary>
    public static RuleRecord<DetectionOptions> Root { get; } =
        new RuleRecord<DetectionOptions>("", "")
        .TimeZone(TimeZoneKey, o => o.TimeZone, (o, v) => o with { TimeZone = v },
            "The city's time zone, an IANA name (Asia/Shanghai, Europe/Berlin, America/New_York): local times of day, such as the "
            + "water night window, are read in it, daylight saving included. The city's: no override entry changes it.")
        .Record(LifecycleRules.Record, o => o.Lifecycle, (o, v) => o with { Lifecycle = v }, RuleScopes.City)
        .Record(GasRules.Methane, o => o.Methane, (o, v) => o with { Methane = v }, RuleScopes.All, DeviceKind.MethaneDetector)
        .Record(GasRules.GasMeter, o => o.GasMeter, (o, v) => o with { GasMeter = v }, RuleScopes.All, DeviceKind.GasMeter)
        .Record(ChargerRules.Record, o => o.Charger, (o, v) => o with { Charger = v }, RuleScopes.All, DeviceKind.EvCharger)
        .Record(HealthRules.Record, o => o.Health, (o, v) => o with { Health = v })
        .Record(WaterRules.Record, o => o.Water, (o, v) => o with { Water = v }, RuleScopes.City | RuleScopes.District)
        .Record(FireRules.Record, o => o.Fire, (o, v) => o with { Fire = v }, RuleScopes.All,
            DeviceKind.SmokeAlarm, DeviceKind.ElectricalFireDetector, DeviceKind.FireWaterPressure)
        .Record(ResponseRules.Record, o => o.Responses, (o, v) => o with { Responses = v }, RuleScopes.City | RuleScopes.District);
}
