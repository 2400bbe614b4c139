using Sensing.Core.Devices;

namespace Sensing.Detection;

/// <summary>
/// A change to the detection options: returns them with what it sets replaced and everything else kept, e.g.
/// <c>o =&gt; o with { Methane = o.Methane with { Level1Lel = 20 } }</c>.
/// </summary>
public delegate DetectionOptions OptionsChange(DetectionOptions options);

/// <summary>
/// Changes to <see cref="DetectionOptions"/> for the devices of a district, of a device kind, or for one device.
/// The options in force for a device are the city's, changed by its district's entry, then by its kind's, then by
/// its own: each entry changes only what it sets, and the most specific one wins where two set the same option.
/// Water rules judge districts, so only a district entry may change <see cref="DetectionOptions.Water"/>; the alert
/// lifecycle and the time zone are the city's, and no entry may change them (<see cref="DetectionOptions.Validate"/>).
/// Resolved once per device (when it is first seen, when its registry record changes and when new options are
/// applied) and once per district, never per reading.
/// </summary>
public sealed record DetectionOverrides
{
    private static readonly IReadOnlyDictionary<string, OptionsChange> NoneByName = new Dictionary<string, OptionsChange>(StringComparer.Ordinal);
    private static readonly IReadOnlyDictionary<DeviceKind, OptionsChange> NoneByKind = new Dictionary<DeviceKind, OptionsChange>();

    /// <summary>No overrides: every device has the city's options.</summary>
    public static DetectionOverrides None { get; } = new();

    /// <summary>Changes for the devices of a district, keyed by district name (as in the registry).</summary>
    public IReadOnlyDictionary<string, OptionsChange> Districts { get; init; } = NoneByName;

    /// <summary>Changes for the devices of one kind, applied after their district's.</summary>
    public IReadOnlyDictionary<DeviceKind, OptionsChange> Kinds { get; init; } = NoneByKind;

    /// <summary>Changes for one device, keyed by device id, applied after its district's and its kind's.</summary>
    public IReadOnlyDictionary<string, OptionsChange> Devices { get; init; } = NoneByName;

    /// <summary>True when no entry exists at all.</summary>
    public bool IsEmpty => Districts.Count == 0 && Kinds.Count == 0 && Devices.Count == 0;
}
