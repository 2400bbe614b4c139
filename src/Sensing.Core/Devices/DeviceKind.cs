namespace Sensing.Core.Devices;

/// <summary>The classes of field device in the city (see DOMAIN.md, "Device classes and their feeds").</summary>
public enum DeviceKind : byte
{
    Unknown = 0,
    /// <summary>NB-IoT gas meter: volume, flow, valve, battery, signal, alarm bits.</summary>
    GasMeter = 1,
    /// <summary>Fixed methane detector reporting concentration in %LEL.</summary>
    MethaneDetector = 2,
    /// <summary>EV charger reporting OCPP 1.6-style status, errors and power.</summary>
    EvCharger = 3,
    /// <summary>Water network pressure sensor (MPa).</summary>
    WaterPressure = 4,
    /// <summary>Water flow meter, district inlet or DMA (m3/h and totaliser).</summary>
    WaterFlow = 5,
    /// <summary>Reservoir water level gauge (m).</summary>
    ReservoirLevel = 6,
    /// <summary>Rain gauge (mm).</summary>
    RainGauge = 7,
    /// <summary>
    /// A data concentrator (LoRaWAN-style network server, a utility's district head-end) that publishes readings on
    /// behalf of the devices its registry entry serves (<see cref="ConcentratorScope"/>). It reports no readings of
    /// its own, so it is not in <see cref="DeviceKinds.All"/>.
    /// </summary>
    Concentrator = 8,
    /// <summary>
    /// NB-IoT independent smoke alarm (GB 20517) in a home or a high-rise building: alarm, fault, low battery, removed
    /// from its base, test button and silenced, as <see cref="Telemetry.SmokeAlarmBits"/>; connects, publishes and
    /// disconnects, on every change of state and at its heartbeat interval.
    /// </summary>
    SmokeAlarm = 9,
    /// <summary>
    /// Electrical fire monitoring detector on one circuit of a distribution board (GB 14287.2 residual current, GB 14287.3
    /// temperature): residual current mA and cable or terminal temperature, periodically and at once on crossing a set point.
    /// </summary>
    ElectricalFireDetector = 10,
    /// <summary>Fire hydrant or sprinkler main static pressure sensor (MPa), judged against GB 50974's minimum for its building.</summary>
    FireWaterPressure = 11,
}

/// <summary>Names of <see cref="DeviceKind"/> as they appear in registries, topics, tags and config.</summary>
public static class DeviceKinds
{
    private static readonly string[] Names =
        ["unknown", "gas-meter", "methane-detector", "ev-charger", "water-pressure", "water-flow", "reservoir-level", "rain-gauge", "concentrator",
         "smoke-alarm", "electrical-fire-detector", "fire-water-pressure"];

    /// <summary>Every kind of field device that reports readings (not <see cref="DeviceKind.Unknown"/> nor <see cref="DeviceKind.Concentrator"/>).</summary>
    public static ReadOnlySpan<DeviceKind> All =>
    [
        DeviceKind.GasMeter, DeviceKind.MethaneDetector, DeviceKind.EvCharger, DeviceKind.WaterPressure,
        DeviceKind.WaterFlow, DeviceKind.ReservoirLevel, DeviceKind.RainGauge,
        DeviceKind.SmokeAlarm, DeviceKind.ElectricalFireDetector, DeviceKind.FireWaterPressure,
    ];

    /// <summary>The kebab-case name of a kind, e.g. <c>methane-detector</c>.</summary>
    public static string Name(this DeviceKind kind) => (int)kind < Names.Length ? Names[(int)kind] : Names[0];

    /// <summary>Parses a kind name; false for anything not listed.</summary>
    public static bool TryParse(ReadOnlySpan<char> name, out DeviceKind kind)
    {
        for (var i = 1; i < Names.Length; i++)
        {
            if (name.Equals(Names[i], StringComparison.OrdinalIgnoreCase))
            {
                kind = (DeviceKind)i;
                return true;
            }
        }

        kind = DeviceKind.Unknown;
        return false;
    }
}
