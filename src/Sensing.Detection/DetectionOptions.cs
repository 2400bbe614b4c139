using Sensing.Detection.Charging;
using Sensing.Detection.Gas;
using Sensing.Detection.Health;
using Sensing.Detection.Water;

namespace Sensing.Detection;

/// <summary>Configuration of a <see cref="DetectionEngine"/>: one options record per detector.</summary>
public sealed record DetectionOptions
{
    /// <summary>Every detector with its defaults.</summary>
    public static DetectionOptions Default { get; } = new();

    /// <summary>Limits for <see cref="MethaneDetector"/>.</summary>
    public MethaneDetectorOptions Methane { get; init; } = MethaneDetectorOptions.Default;

    /// <summary>Rules for <see cref="GasMeterDetector"/>.</summary>
    public GasMeterDetectorOptions GasMeter { get; init; } = GasMeterDetectorOptions.Default;

    /// <summary>Rules for <see cref="ChargerDetector"/>.</summary>
    public ChargerDetectorOptions Charger { get; init; } = ChargerDetectorOptions.Default;

    /// <summary>Rules for <see cref="DeviceHealthDetector"/> (every device kind).</summary>
    public DeviceHealthOptions Health { get; init; } = DeviceHealthOptions.Default;

    /// <summary>Lifecycle rules every detector shares (chattering suppression).</summary>
    public AlertLifecycleOptions Lifecycle { get; init; } = AlertLifecycleOptions.Default;

    /// <summary>Water-network detectors, with per-district overrides.</summary>
    public WaterOptions Water { get; init; } = WaterOptions.Default;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first option that is out of range.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Methane, nameof(Methane));
        Methane.Validate();
        ArgumentNullException.ThrowIfNull(Lifecycle, nameof(Lifecycle));
        Lifecycle.Validate();
        ArgumentNullException.ThrowIfNull(GasMeter, nameof(GasMeter));
        GasMeter.Validate();
        ArgumentNullException.ThrowIfNull(Charger, nameof(Charger));
        Charger.Validate();
        ArgumentNullException.ThrowIfNull(Health, nameof(Health));
        Health.Validate();
        ArgumentNullException.ThrowIfNull(Water, nameof(Water));
        Water.Validate();
    }
}
