namespace Sensing.Detection.Fire;

/// <summary>
/// Configuration of the fire-safety detectors: one record per device class (smoke alarms, electrical fire monitoring
/// detectors, fire hydrant and sprinkler main pressure sensors). Every record may be changed per district, device kind
/// and device (<see cref="DetectionOverrides"/>); resolved once per device, never per reading.
/// </summary>
public sealed record FireOptions
{
    /// <summary>Every fire detector with its defaults (docs/fire.md).</summary>
    public static FireOptions Default { get; } = new();

    /// <summary>Smoke alarm verification, confirmation and faults.</summary>
    public SmokeAlarmOptions SmokeAlarm { get; init; } = SmokeAlarmOptions.Default;

    /// <summary>Residual current, circuit temperature and the maintenance trend of electrical fire monitoring detectors.</summary>
    public ElectricalFireOptions Electrical { get; init; } = ElectricalFireOptions.Default;

    /// <summary>Low hydrant or sprinkler main pressure.</summary>
    public FireWaterPressureOptions WaterPressure { get; init; } = FireWaterPressureOptions.Default;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first option that is out of range.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(SmokeAlarm, nameof(SmokeAlarm));
        ArgumentNullException.ThrowIfNull(Electrical, nameof(Electrical));
        ArgumentNullException.ThrowIfNull(WaterPressure, nameof(WaterPressure));
        SmokeAlarm.Validate();
        Electrical.Validate();
        WaterPressure.Validate();
    }
}
