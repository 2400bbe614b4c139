using Sensing.Core.Alerts;
using Sensing.Core.Devices;
using Sensing.Detection.Charging;
using Sensing.Detection.Fire;
using Sensing.Detection.Gas;
using Sensing.Detection.Health;
using Sensing.Detection.Internal;
using Sensing.Detection.Water;

namespace Sensing.Detection;

/// <summary>
/// Configuration of a <see cref="DetectionEngine"/>: one options record per detector, the city's time zone, and
/// <see cref="Overrides"/> per district, device kind and device.
/// </summary>
public sealed record DetectionOptions
{
    /// <summary>
    /// The default zone: UTC+8 all year under the IANA name Asia/Shanghai, built in so the engine reads no zone
    /// database. China has kept UTC+8 without daylight saving since 1991, so for event times after that it is the
    /// same as the system's Asia/Shanghai.
    /// </summary>
    public static TimeZoneInfo ChinaStandardTime { get; } =
        TimeZoneInfo.CreateCustomTimeZone("Asia/Shanghai", TimeSpan.FromHours(8), "China Standard Time", "China Standard Time");

    /// <summary>Every detector with its defaults.</summary>
    public static DetectionOptions Default { get; } = new();

    /// <summary>
    /// The city's time zone: local times of day (the water night window) are read in it, daylight saving included.
    /// Default <see cref="ChinaStandardTime"/>.
    /// </summary>
    public TimeZoneInfo TimeZone { get; init; } = ChinaStandardTime;

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

    /// <summary>Water-network detectors.</summary>
    public WaterOptions Water { get; init; } = WaterOptions.Default;

    /// <summary>Fire-safety detectors: smoke alarms, electrical fire monitoring detectors, fire-water pressure.</summary>
    public FireOptions Fire { get; init; } = FireOptions.Default;

    /// <summary>
    /// What the operator does about each alert condition (the rules file's <c>responses</c>), per district through
    /// <see cref="Overrides"/>. The engine does not read them; the feed shows them with each alert.
    /// </summary>
    public AlertResponses Responses { get; init; } = AlertResponses.Default;

    /// <summary>Changes for the devices of a district, of a device kind, or for one device.</summary>
    public DetectionOverrides Overrides { get; init; } = DetectionOverrides.None;

    /// <summary>
    /// Throws <see cref="ArgumentException"/> naming the first option that is out of range: the city's options by
    /// their own names (e.g. <c>Level1Lel</c>), an override's under its entry (e.g. <c>Districts[d07].Gamma</c>), and
    /// a combination a device can meet under its entries (e.g. <c>Districts[d07].Devices[md-1].Level2Lel</c>).
    /// </summary>
    public void Validate()
    {
        ValidateSections();
        ArgumentNullException.ThrowIfNull(Overrides, nameof(Overrides));
        if (!Overrides.IsEmpty)
        {
            ValidateOverrides();
        }
    }

    private void ValidateSections()
    {
        ArgumentNullException.ThrowIfNull(TimeZone, nameof(TimeZone));
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
        ArgumentNullException.ThrowIfNull(Fire, nameof(Fire));
        Fire.Validate();
        ArgumentNullException.ThrowIfNull(Responses);
        Responses.Validate();
    }

    private void ValidateOverrides()
    {
        // Index 0 of each list is "no entry".
        List<Entry> districts = [default, .. Entries(Overrides.Districts, nameof(DetectionOverrides.Districts), static d => d, district: true)];
        List<Entry> kinds = [default, .. Entries(Overrides.Kinds, nameof(DetectionOverrides.Kinds), static k => k.Name(), district: false)];
        List<Entry> devices = [default, .. Entries(Overrides.Devices, nameof(DetectionOverrides.Devices), static d => d, district: false)];

        // Each entry alone first, so a bad entry is named by itself; what it changes decides the combinations below.
        foreach (var list in (ReadOnlySpan<List<Entry>>)[districts, kinds, devices])
        {
            for (var i = 1; i < list.Count; i++)
            {
                var changed = Check(list[i].Scope, this, list[i].Change!, list[i].District);
                list[i] = list[i] with { Records = ChangedRecords(this, changed) };
            }
        }

        // Then every combination a device can meet, of entries that change one record together: a record only one of
        // them changes is that entry's alone, checked above. So a thousand device entries for methane and a hundred
        // district entries for water make no combination at all.
        for (var record = 0; record < Records.Length; record++)
        {
            var bit = 1 << record;
            foreach (var district in districts.Where(e => e.Change is null || (e.Records & bit) != 0))
            {
                foreach (var kind in kinds.Where(e => e.Change is null || (e.Records & bit) != 0))
                {
                    foreach (var device in devices.Where(e => e.Change is null || (e.Records & bit) != 0))
                    {
                        CheckCombination(district, kind, device);
                    }
                }
            }
        }
    }

    private void CheckCombination(Entry district, Entry kind, Entry device)
    {
        if ((district.Change is null ? 0 : 1) + (kind.Change is null ? 0 : 1) + (device.Change is null ? 0 : 1) < 2)
        {
            return;
        }

        var options = this;
        var scope = "";
        foreach (var entry in (ReadOnlySpan<Entry>)[district, kind, device])
        {
            if (entry.Change is not null)
            {
                scope = scope.Length == 0 ? entry.Scope : $"{scope}.{entry.Scope}";
                options = Check(scope, options, entry.Change, entry.District);
            }
        }
    }

    // The records an override may change, as getters; bit i of a mask is record i.
    private static readonly Func<DetectionOptions, object>[] Records =
        [static o => o.Methane, static o => o.GasMeter, static o => o.Charger, static o => o.Health, static o => o.Water, static o => o.Fire];

    private static int ChangedRecords(DetectionOptions before, DetectionOptions after)
    {
        var mask = 0;
        for (var i = 0; i < Records.Length; i++)
        {
            mask |= ReferenceEquals(Records[i](before), Records[i](after)) ? 0 : 1 << i;
        }

        return mask;
    }

    private static IEnumerable<Entry> Entries<TKey>(
        IReadOnlyDictionary<TKey, OptionsChange> entries, string name, Func<TKey, string> keyName, bool district)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(entries, name);
        foreach (var (key, change) in entries)
        {
            var scope = $"{name}[{keyName(key)}]";
            if (change is null)
            {
                ThrowHelper.ThrowBadOption(scope, "must not be null");
            }

            yield return new Entry(scope, change, district);
        }
    }

    // Applies one entry and checks what it changed; returns the changed options.
    private static DetectionOptions Check(string scope, DetectionOptions before, OptionsChange change, bool district)
    {
        var after = change(before);
        if (after is null)
        {
            ThrowHelper.ThrowBadOption(scope, "the change returned no options");
        }

        if (!Equals(after.TimeZone, before.TimeZone))
        {
            ThrowHelper.ThrowBadOption($"{scope}.{nameof(TimeZone)}", "the time zone is the city's: set it for the whole city");
        }

        if (!Equals(after.Lifecycle, before.Lifecycle))
        {
            ThrowHelper.ThrowBadOption($"{scope}.{nameof(Lifecycle)}", "the alert lifecycle is the city's: set it for the whole city");
        }

        if (!ReferenceEquals(after.Overrides, before.Overrides))
        {
            ThrowHelper.ThrowBadOption($"{scope}.{nameof(Overrides)}", "an override cannot hold overrides of its own");
        }

        if (!district && !Equals(after.Water, before.Water))
        {
            ThrowHelper.ThrowBadOption($"{scope}.{nameof(Water)}", "water rules judge districts: set them in a district's entry");
        }

        if (!district && !ReferenceEquals(after.Responses, before.Responses))
        {
            ThrowHelper.ThrowBadOption($"{scope}.{nameof(Responses)}", "response texts are the city's or a district's: set them in a district's entry");
        }

        try
        {
            after.ValidateSections();
        }
        catch (ArgumentException e)
        {
            ThrowHelper.ThrowBadOptionUnder(scope, e);
        }

        return after;
    }

    private readonly record struct Entry(string Scope, OptionsChange? Change, bool District, int Records = 0);
}
