namespace Sensing.Detection.Water;

/// <summary>
/// Configuration of the water-network detectors: one record per detector, each applying to one device class
/// (pressure sensors, inlet flow meters, reservoir gauges, rain gauges). A district's override
/// (<see cref="DetectionOverrides.Districts"/>) changes them for the district; they are resolved once per district
/// when its first water device is registered (and when new options are applied), never per reading.
/// </summary>
public sealed record WaterOptions
{
    /// <summary>Every water detector with its defaults (DOMAIN.md, "Water").</summary>
    public static WaterOptions Default { get; } = new();

    /// <summary>Low service pressure on <see cref="Core.Devices.DeviceKind.WaterPressure"/> sensors.</summary>
    public LowPressureOptions LowPressure { get; init; } = LowPressureOptions.Default;

    /// <summary>Pipe burst: CUSUM on pressure and inlet-flow residuals per district.</summary>
    public PipeBurstOptions PipeBurst { get; init; } = PipeBurstOptions.Default;

    /// <summary>Minimum-night-flow rise on district inlet flow meters.</summary>
    public NightFlowOptions NightFlow { get; init; } = NightFlowOptions.Default;

    /// <summary>Leaks and bursts from district inlet flow alone: step and trend CUSUMs on a demand model.</summary>
    public InletLeakOptions InletLeak { get; init; } = InletLeakOptions.Default;

    /// <summary>Reservoir level warning colours.</summary>
    public ReservoirLevelOptions ReservoirLevel { get; init; } = ReservoirLevelOptions.Default;

    /// <summary>Heavy rain on rain gauges.</summary>
    public HeavyRainOptions HeavyRain { get; init; } = HeavyRainOptions.Default;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first option that is out of range.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(LowPressure, nameof(LowPressure));
        ArgumentNullException.ThrowIfNull(PipeBurst, nameof(PipeBurst));
        ArgumentNullException.ThrowIfNull(NightFlow, nameof(NightFlow));
        ArgumentNullException.ThrowIfNull(InletLeak, nameof(InletLeak));
        ArgumentNullException.ThrowIfNull(ReservoirLevel, nameof(ReservoirLevel));
        ArgumentNullException.ThrowIfNull(HeavyRain, nameof(HeavyRain));
        LowPressure.Validate();
        PipeBurst.Validate();
        NightFlow.Validate();
        InletLeak.Validate();
        ReservoirLevel.Validate();
        HeavyRain.Validate();
    }
}
