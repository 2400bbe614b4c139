using Sensing.Detection.Health;
using Sensing.Rules.Schema;

namespace Sensing.Rules.Sections;

/// <summary>Keys of <see cref="DeviceHealthOptions"/>: section <c>health</c>.</summary>
internal static class HealthRules
{
    public static RuleRecord<DeviceHealthOptions> Record { get; } =
        new RuleRecord<DeviceHealthOptions>("health",
            "Every device kind: low battery, offline, clock skew. A device's own low_battery_v registry parameter sets its battery level.",
            static o => o.Validate())
        .Number("lowBatteryVolts", o => o.LowBatteryVolts, (o, v) => o with { LowBatteryVolts = v },
            "Battery below this is low, V (a 3.6 V lithium cell falls below 3.3 V near its end); above 0, below 100.")
        .Number("batteryDeadbandVolts", o => o.BatteryDeadbandVolts, (o, v) => o with { BatteryDeadbandVolts = v },
            "A low-battery alert clears at or above the low level plus this, V; 0 or more, below 10.")
        .Duration("lowBatteryOnDelay", o => o.LowBatteryOnDelay, (o, v) => o with { LowBatteryOnDelay = v },
            "The battery must stay low this long before the alert is raised (a dip while transmitting raises nothing); 0 or more.")
        .Number("offlineAfterIntervals", o => o.OfflineAfterIntervals, (o, v) => o with { OfflineAfterIntervals = v },
            "A device is offline after no message for this many of its report intervals; 1-1000.")
        .WholeNumber("districtOfflineMinDevices", o => o.DistrictOfflineMinDevices, (o, v) => o with { DistrictOfflineMinDevices = v },
            "This many devices of one district offline at once are one district alert instead of one each; 0 (off) or 2-1000000. "
            + "A district's threshold: set for the city or in a district's entry.",
            RuleScopes.City | RuleScopes.District)
        .Duration("clockSkewLimit", o => o.ClockSkewLimit, (o, v) => o with { ClockSkewLimit = v },
            "Event time further than this from the gateway's ingest time is clock skew; above 0.")
        .Duration("clockSkewOnDelay", o => o.ClockSkewOnDelay, (o, v) => o with { ClockSkewOnDelay = v },
            "Skew must persist this long, in ingest time, before the alert is raised (a backlog uploaded late raises nothing); 0 or more.");
}
