namespace Sensing.Core.Telemetry;

/// <summary>
/// A measured quantity, with its unit fixed. The byte value is the wire code in the telemetry frame and must
/// never be reused for another meaning.
/// </summary>
public enum Metric : byte
{
    None = 0,
    /// <summary>Methane concentration, %LEL (100 %LEL = 5 % vol).</summary>
    MethaneLel = 1,
    /// <summary>Gas meter instantaneous flow, m3/h.</summary>
    GasFlow = 2,
    /// <summary>Gas meter cumulative volume, m3.</summary>
    GasVolume = 3,
    /// <summary>Valve state: 1 open, 0 closed.</summary>
    ValveOpen = 4,
    /// <summary>Battery voltage, V.</summary>
    BatteryVolts = 5,
    /// <summary>Radio signal RSRP, dBm.</summary>
    SignalRsrp = 6,
    /// <summary>Temperature, degrees Celsius.</summary>
    Temperature = 7,
    /// <summary>Device alarm/error bit field, a whole number; for gas meters the bits are <see cref="GasMeterAlarmBits"/>.</summary>
    AlarmBits = 8,
    /// <summary>Water (or gas) pressure, MPa.</summary>
    Pressure = 9,
    /// <summary>Water flow, m3/h.</summary>
    WaterFlow = 10,
    /// <summary>Water totaliser, m3.</summary>
    WaterTotal = 11,
    /// <summary>Water level, m.</summary>
    Level = 12,
    /// <summary>Rain since the previous report, mm.</summary>
    Rain = 13,
    /// <summary>Charging power, kW.</summary>
    PowerKw = 14,
    /// <summary>Energy delivered, kWh (cumulative).</summary>
    EnergyKwh = 15,
    /// <summary>Supply voltage, V.</summary>
    Voltage = 16,
    /// <summary>Current, A.</summary>
    Current = 17,
    /// <summary>OCPP 1.6 connector status as <see cref="ChargerStatus"/>.</summary>
    ConnectorStatus = 18,
    /// <summary>OCPP 1.6 error code as <see cref="ChargerError"/>.</summary>
    ChargerErrorCode = 19,
    /// <summary>Device fault flag: 1 faulted, 0 healthy.</summary>
    Fault = 20,
    /// <summary>
    /// Connection state written by the gateway, not the device: 1 connected, 0 offline (its MQTT will fired or the
    /// connection was lost without DISCONNECT).
    /// </summary>
    Online = 21,
    /// <summary>Residual (earth leakage) current of a circuit, mA (GB 14287.2).</summary>
    ResidualCurrentMa = 22,
}

/// <summary>One metric and its value.</summary>
public readonly record struct MetricValue(Metric Metric, double Value);

/// <summary>Metric names as used in JSON payloads and store field names.</summary>
public static class Metrics
{
    private static readonly string[] Names =
    [
        "none", "lel", "flow", "volume", "valve", "battery", "rsrp", "temp", "alarm", "pressure",
        "water_flow", "water_total", "level", "rain", "power", "energy", "voltage", "current", "status", "error", "fault",
        "online", "residual_ma",
    ];

    /// <summary>Highest defined metric code.</summary>
    public const int MaxCode = 22;

    /// <summary>The snake_case name of a metric (its JSON key and store field name).</summary>
    public static string Name(this Metric metric) => (int)metric < Names.Length ? Names[(int)metric] : Names[0];

    /// <summary>Finds the metric whose name is <paramref name="utf8Name"/>, without allocating.</summary>
    public static bool TryParse(ReadOnlySpan<byte> utf8Name, out Metric metric)
    {
        for (var i = 1; i < Names.Length; i++)
        {
            if (AsciiEquals(utf8Name, Names[i]))
            {
                metric = (Metric)i;
                return true;
            }
        }

        metric = Metric.None;
        return false;
    }

    private static bool AsciiEquals(ReadOnlySpan<byte> bytes, string name)
    {
        if (bytes.Length != name.Length)
        {
            return false;
        }

        for (var i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] != name[i])
            {
                return false;
            }
        }

        return true;
    }
}
