using Sensing.Core.Devices;

namespace Sensing.Detection.Internal;

/// <summary>
/// One engine's <see cref="DetectionOptions"/> resolved per district, per (district, kind) and per device
/// (<see cref="DetectionOverrides"/>). Detectors call it when they resolve a device's limits (first reading, a new
/// registry record, new options applied), never per reading. Districts and (district, kind) pairs are cached, so
/// devices without an entry of their own share one options record; without overrides every call returns
/// <see cref="Options"/>. Not thread-safe: the engine's thread only.
/// </summary>
internal sealed class DeviceRules(DetectionOptions options)
{
    private readonly Dictionary<string, DetectionOptions> _districts = new(StringComparer.Ordinal);
    private readonly Dictionary<(string District, DeviceKind Kind), DetectionOptions> _classes = [];

    /// <summary>The city's options (validated by the caller).</summary>
    public DetectionOptions Options { get; } = options;

    /// <summary>The options of <paramref name="district"/>: the city's, changed by the district's entry.</summary>
    public DetectionOptions ForDistrict(string district)
    {
        if (Options.Overrides.Districts.Count == 0)
        {
            return Options;
        }

        if (!_districts.TryGetValue(district, out var resolved))
        {
            resolved = Options.Overrides.Districts.TryGetValue(district, out var change) ? change(Options) : Options;
            _districts.Add(district, resolved);
        }

        return resolved;
    }

    /// <summary>The options of <paramref name="device"/>: its district's, changed by its kind's entry, then by its own.</summary>
    public DetectionOptions For(DeviceInfo device)
    {
        var overrides = Options.Overrides;
        if (overrides.IsEmpty)
        {
            return Options;
        }

        var resolved = ForDistrict(device.District);
        if (overrides.Kinds.TryGetValue(device.Kind, out var kindChange))
        {
            if (!_classes.TryGetValue((device.District, device.Kind), out var ofClass))
            {
                ofClass = kindChange(resolved);
                _classes.Add((device.District, device.Kind), ofClass);
            }

            resolved = ofClass;
        }

        return overrides.Devices.TryGetValue(device.Id, out var own) ? own(resolved) : resolved;
    }
}
