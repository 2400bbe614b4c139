namespace Sensing.Core.Alerts;

/// <summary>
/// What an alert is about. The byte value is stable; the dotted name is the wire and store form. Device conditions
/// have a device as source; district conditions (<see cref="AlertConditions.IsDistrictCondition"/>) have a district,
/// and a few device conditions have one when a district's devices are grouped into one alert.
/// </summary>
public enum AlertCondition : byte
{
    None = 0,
    /// <summary>Methane concentration at or above the first or second alarm level (GB/T 50493-2019).</summary>
    MethaneHigh = 1,
    /// <summary>Gas meter flow never back to zero for the micro-leak window (default 24 h).</summary>
    MeterMicroLeak = 2,
    /// <summary>Gas meter flow above a fraction of its Qmax for N minutes; the valve is commanded closed.</summary>
    MeterRupture = 3,
    /// <summary>Gas meter tamper or magnetic interference bit.</summary>
    MeterTamper = 4,
    /// <summary>Gas meter valve fault bit, or the valve not in the commanded state.</summary>
    MeterValveFault = 5,
    /// <summary>Gas meter in continuous use beyond the long-use window (default 10 h).</summary>
    MeterLongUse = 6,
    /// <summary>Battery voltage below the device class's low level.</summary>
    LowBattery = 7,
    /// <summary>
    /// Service pressure below 0.14 MPa (CJ/T 316) for longer than the on-delay; a district source when it is low across
    /// the district.
    /// </summary>
    LowPressure = 8,
    /// <summary>District pipe burst: CUSUM on pressure and inlet-flow residuals (district source).</summary>
    PipeBurst = 9,
    /// <summary>District minimum night flow risen past the LeakDB rule (district source).</summary>
    NightFlowRise = 10,
    /// <summary>Reservoir level at a warning colour; severity is the colour (blue Low .. red Critical).</summary>
    ReservoirLevel = 11,
    /// <summary>Rain of 50 mm or more in 24 h.</summary>
    HeavyRain = 12,
    /// <summary>Charger safety error (GroundFailure, OverCurrentFailure, HighTemperature, ...), raised at once.</summary>
    ChargerSafety = 13,
    /// <summary>Charger Faulted or Unavailable for longer than the allowed time.</summary>
    ChargerOutOfService = 14,
    /// <summary>
    /// No message for k x the reporting interval, or the device's MQTT will fired; a district source when many of a
    /// district's devices are offline at once.
    /// </summary>
    DeviceOffline = 15,
    /// <summary>Device event time far from ingest time.</summary>
    ClockSkew = 16,
    /// <summary>A source raising the same condition 3 or more times a minute; its raises are suppressed.</summary>
    Chattering = 17,
    /// <summary>
    /// A smoke alarm in alarm (GB 20517), Critical: raised at once when another smoke alarm of the same building, or a
    /// methane or circuit-temperature alarm there, confirms it; otherwise once it has outlasted the verification window.
    /// </summary>
    SmokeAlarm = 18,
    /// <summary>A smoke alarm faulted, removed from its base, at low battery, or silent past its heartbeat interval.</summary>
    SmokeAlarmFault = 19,
    /// <summary>A circuit's residual current at the pre-alarm fraction of its set point (Medium) or at the set point (High).</summary>
    ResidualCurrent = 20,
    /// <summary>A circuit's temperature at its set point, or rising faster than the allowed rate.</summary>
    CircuitTemperature = 21,
    /// <summary>A circuit's daily peak temperature trending up over days: a maintenance alert (loose terminal, overload).</summary>
    CircuitMaintenance = 22,
    /// <summary>Fire hydrant or sprinkler main pressure below its code minimum for longer than the on-delay; source: the building.</summary>
    FireWaterPressureLow = 23,
    /// <summary>District leak or burst from inlet flow alone: a step or a growth of the demand-independent flow (district source, one alert per leak).</summary>
    InletLeak = 24,
}

/// <summary>Names of <see cref="AlertCondition"/> values, e.g. <c>gas.methane-high</c>.</summary>
public static class AlertConditions
{
    private static readonly string[] Names =
    [
        "none", "gas.methane-high", "gas.meter-micro-leak", "gas.meter-rupture", "gas.meter-tamper",
        "gas.meter-valve-fault", "gas.meter-long-use", "device.low-battery", "water.low-pressure", "water.pipe-burst",
        "water.night-flow-rise", "water.reservoir-level", "water.heavy-rain", "charger.safety-error",
        "charger.out-of-service", "device.offline", "device.clock-skew", "alerts.chattering",
        "fire.smoke-alarm", "fire.smoke-alarm-fault", "fire.residual-current", "fire.circuit-temperature",
        "fire.circuit-maintenance", "fire.water-pressure-low", "water.inlet-leak",
    ];

    /// <summary>Highest defined condition code.</summary>
    public const int MaxCode = 24;

    /// <summary>Every real condition (not <see cref="AlertCondition.None"/>).</summary>
    public static IEnumerable<AlertCondition> All => Enumerable.Range(1, MaxCode).Select(i => (AlertCondition)i);

    /// <summary>The dotted name of a condition.</summary>
    public static string Name(this AlertCondition condition) =>
        (int)condition < Names.Length ? Names[(int)condition] : Names[0];

    /// <summary>
    /// True for conditions whose source is always a district. <see cref="AlertCondition.LowPressure"/> and
    /// <see cref="AlertCondition.DeviceOffline"/> have a district as source only when grouped.
    /// </summary>
    public static bool IsDistrictCondition(this AlertCondition condition) =>
        condition is AlertCondition.PipeBurst or AlertCondition.NightFlowRise or AlertCondition.InletLeak;

    /// <summary>Parses a condition name.</summary>
    public static bool TryParse(string name, out AlertCondition condition)
    {
        var i = Array.IndexOf(Names, name);
        condition = i > 0 ? (AlertCondition)i : AlertCondition.None;
        return i > 0;
    }
}
