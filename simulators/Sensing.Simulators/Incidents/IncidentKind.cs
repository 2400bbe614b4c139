using Sensing.Core.Alerts;

namespace Sensing.Simulators.Incidents;

/// <summary>What is injected into the city: incidents that must raise an alert, and traps that must raise none.</summary>
public enum IncidentKind : byte
{
    /// <summary>Methane rising past the first alarm level (25 %LEL) near a detector.</summary>
    MethaneLevel1,
    /// <summary>Methane rising past the second alarm level (50 %LEL).</summary>
    MethaneLevel2,
    /// <summary>Gas meter flow that never returns to zero (a small leak behind the meter).</summary>
    MeterMicroLeak,
    /// <summary>Gas meter flow near its Qmax (a broken pipe behind the meter).</summary>
    MeterRupture,
    /// <summary>District pipe burst: pressure drops at every district sensor while the inlet flow rises.</summary>
    PipeBurst,
    /// <summary>Slowly growing district leak: the minimum night flow creeps up day after day.</summary>
    IncipientLeak,
    /// <summary>Service pressure below 0.14 MPa at a far-end sensor.</summary>
    LowPressure,
    /// <summary>Reservoir rising past its flood-limit level into the warning colours.</summary>
    ReservoirFlood,
    /// <summary>More than 50 mm of rain within 24 h at a gauge.</summary>
    HeavyRain,
    /// <summary>Charger reports GroundFailure.</summary>
    ChargerGroundFault,
    /// <summary>Charger reports OverCurrentFailure with a current above its rating.</summary>
    ChargerOverCurrent,
    /// <summary>Charger reports HighTemperature.</summary>
    ChargerHighTemperature,
    /// <summary>Charger stuck in Faulted (no safety error) for hours.</summary>
    ChargerStuckFaulted,
    /// <summary>A device stops reporting.</summary>
    DeviceSilent,
    /// <summary>A device's clock runs two hours ahead.</summary>
    ClockSkew,
    /// <summary>Trap: a pressure sensor with four times the usual noise.</summary>
    NoisySensor,
    /// <summary>Trap: one far-end pressure reading far too low, then normal again.</summary>
    SingleSpike,
    /// <summary>Trap: a pressure sensor repeating one plausible value.</summary>
    StuckAt,
    /// <summary>Trap: a commercial gas meter (Qmax 40) with large but legitimate daytime flows.</summary>
    BigConsumer,
    /// <summary>Trap: one low battery voltage during a transmission, then normal.</summary>
    BatteryDip,
    /// <summary>A kitchen fire: a smoke alarm in alarm, and a second one of the same building 45 s later (two truth lines).</summary>
    KitchenFire,
    /// <summary>A smoke alarm taken off its base for two hours.</summary>
    SmokeAlarmRemoved,
    /// <summary>A circuit's insulation breaking down: residual current climbing past the 300 mA set point.</summary>
    InsulationFault,
    /// <summary>A loose terminal heating over days: the circuit's daily peak temperature 2.5 C higher every day.</summary>
    LooseTerminal,
    /// <summary>A building's hydrant main valve left closed: its fire-water pressure sensors read 0.02 MPa (building source).</summary>
    HydrantValveClosed,
    /// <summary>Trap: burnt toast, a smoke alarm in alarm for 40 s, cleared within the verification window.</summary>
    BurntToast,
    /// <summary>Trap: a smoke alarm's test button pressed (alarm with the test bit) for 8 s.</summary>
    TestButton,
    /// <summary>Trap: a fire pump starting dips a building's main to 0.05 MPa for 90 s (building source).</summary>
    PumpStartDip,
}

/// <summary>Names and expected alerts of <see cref="IncidentKind"/> values.</summary>
public static class IncidentKinds
{
    /// <summary>The expected condition written for traps.</summary>
    public const string NoAlert = "none";

    private static readonly string[] Names =
    [
        "methane-level1", "methane-level2", "meter-micro-leak", "meter-rupture", "pipe-burst", "incipient-leak",
        "low-pressure", "reservoir-flood", "heavy-rain", "charger-ground-fault", "charger-over-current",
        "charger-high-temperature", "charger-stuck-faulted", "device-silent", "clock-skew", "noisy-sensor",
        "single-spike", "stuck-at", "big-consumer", "battery-dip", "kitchen-fire", "smoke-alarm-removed", "insulation-fault",
        "loose-terminal", "hydrant-valve-closed", "burnt-toast", "test-button", "pump-start-dip",
    ];

    /// <summary>Every kind: gas, water and charger incidents, their traps, then fire incidents and their traps.</summary>
    public static IReadOnlyList<IncidentKind> All { get; } = [.. Enumerable.Range(0, Names.Length).Select(i => (IncidentKind)i)];

    /// <summary>The kebab-case name written to the truth file.</summary>
    public static string Name(this IncidentKind kind) => Names[(int)kind];

    /// <summary>True for traps, which must raise no alert.</summary>
    public static bool IsTrap(this IncidentKind kind) =>
        kind is (>= IncidentKind.NoisySensor and <= IncidentKind.BatteryDip) or IncidentKind.BurntToast or IncidentKind.TestButton or IncidentKind.PumpStartDip;

    /// <summary>True for the fire-safety kinds (smoke alarms, electrical fire detectors, fire-water pressure).</summary>
    public static bool IsFire(this IncidentKind kind) => kind >= IncidentKind.KitchenFire;

    /// <summary>True when the incident's source is a district rather than a device.</summary>
    public static bool IsDistrictIncident(this IncidentKind kind) => kind is IncidentKind.PipeBurst or IncidentKind.IncipientLeak;

    /// <summary>True when the incident's source is a building (its fire-water main) rather than a device.</summary>
    public static bool IsBuildingIncident(this IncidentKind kind) => kind is IncidentKind.HydrantValveClosed or IncidentKind.PumpStartDip;

    /// <summary>The alert condition that must be raised, or <see cref="NoAlert"/> for traps.</summary>
    public static string ExpectedCondition(this IncidentKind kind) => kind switch
    {
        IncidentKind.MethaneLevel1 or IncidentKind.MethaneLevel2 => AlertCondition.MethaneHigh.Name(),
        IncidentKind.MeterMicroLeak => AlertCondition.MeterMicroLeak.Name(),
        IncidentKind.MeterRupture => AlertCondition.MeterRupture.Name(),
        IncidentKind.PipeBurst => AlertCondition.PipeBurst.Name(),
        IncidentKind.IncipientLeak => AlertCondition.NightFlowRise.Name(),
        IncidentKind.LowPressure => AlertCondition.LowPressure.Name(),
        IncidentKind.ReservoirFlood => AlertCondition.ReservoirLevel.Name(),
        IncidentKind.HeavyRain => AlertCondition.HeavyRain.Name(),
        IncidentKind.ChargerGroundFault or IncidentKind.ChargerOverCurrent or IncidentKind.ChargerHighTemperature =>
            AlertCondition.ChargerSafety.Name(),
        IncidentKind.ChargerStuckFaulted => AlertCondition.ChargerOutOfService.Name(),
        IncidentKind.DeviceSilent => AlertCondition.DeviceOffline.Name(),
        IncidentKind.ClockSkew => AlertCondition.ClockSkew.Name(),
        IncidentKind.KitchenFire => AlertCondition.SmokeAlarm.Name(),
        IncidentKind.SmokeAlarmRemoved => AlertCondition.SmokeAlarmFault.Name(),
        IncidentKind.InsulationFault => AlertCondition.ResidualCurrent.Name(),
        IncidentKind.LooseTerminal => AlertCondition.CircuitMaintenance.Name(),
        IncidentKind.HydrantValveClosed => AlertCondition.FireWaterPressureLow.Name(),
        _ => NoAlert,
    };

    /// <summary>Parses a name; false for anything not listed.</summary>
    public static bool TryParse(string name, out IncidentKind kind)
    {
        var i = Array.IndexOf(Names, name);
        kind = (IncidentKind)Math.Max(i, 0);
        return i >= 0;
    }
}
