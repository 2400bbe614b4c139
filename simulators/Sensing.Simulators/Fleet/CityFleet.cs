using System.Globalization;
using Sensing.Core.Devices;

namespace Sensing.Simulators.Fleet;

/// <summary>
/// A deterministic simulated fleet: devices spread over districts, each with credentials, plus injected
/// incidents with their ground truth. The registry it produces is what the gateway and processor load.
/// </summary>
public sealed class CityFleet
{
    // Kind mix of the small development city: methane detectors dominate so a leak is likely to be seen;
    // the rest are present so every kind flows through the pipeline.
    private static readonly (DeviceKind Kind, string Prefix, double Share)[] Mix =
    [
        (DeviceKind.MethaneDetector, "md", 0.40), (DeviceKind.GasMeter, "gm", 0.35), (DeviceKind.WaterPressure, "wp", 0.10),
        (DeviceKind.EvCharger, "ev", 0.10), (DeviceKind.ReservoirLevel, "rl", 0.05),
    ];

    private readonly List<IIncident> _incidents = [];

    private CityFleet(FleetOptions options, IReadOnlyList<SimulatedDevice> devices)
    {
        Options = options;
        Devices = devices;
    }

    /// <summary>The options the fleet was built from.</summary>
    public FleetOptions Options { get; }

    /// <summary>Every device.</summary>
    public IReadOnlyList<SimulatedDevice> Devices { get; }

    /// <summary>Incidents injected so far.</summary>
    public IReadOnlyList<IIncident> Incidents => _incidents;

    /// <summary>Builds a fleet; the same options give the same fleet.</summary>
    public static CityFleet Create(FleetOptions options)
    {
        options.Validate();
        var random = new Random(options.Seed);
        var devices = new List<SimulatedDevice>(options.Devices);
        for (var i = 0; i < options.Devices; i++)
        {
            var (kind, prefix) = PickKind(i);
            var id = prefix + "-" + i.ToString("D6", CultureInfo.InvariantCulture);
            var district = "d" + (i % options.Districts).ToString("D2", CultureInfo.InvariantCulture);
            var password = "pw-" + random.Next().ToString("x8", CultureInfo.InvariantCulture);
            var info = new DeviceInfo(id, kind, district, (int)Math.Ceiling(options.ReportIntervalSeconds), DeviceRegistryFile.HashSecret(password));
            devices.Add(new SimulatedDevice(info, password, random.Next()));
        }

        return new CityFleet(options, devices);
    }

    /// <summary>Injects a methane leak on the first methane detector, starting at <paramref name="startMs"/>.</summary>
    public MethaneLeak InjectMethaneLeak(long startMs, TimeSpan rise, TimeSpan hold, TimeSpan fall, double peakLel)
    {
        var device = Devices.First(d => d.Info.Kind == DeviceKind.MethaneDetector);
        var leak = new MethaneLeak(device.Info.Id, startMs, rise, hold, fall, peakLel);
        device.Incident = leak;
        _incidents.Add(leak);
        return leak;
    }

    /// <summary>Writes the registry file the gateway and processor load.</summary>
    public void WriteRegistry(string path) => DeviceRegistryFile.Write(path, Devices.Select(d => d.Info));

    /// <summary>Writes the ground truth of every injected incident as CSV.</summary>
    public void WriteGroundTruth(string path)
    {
        using var writer = new StreamWriter(path);
        writer.WriteLine("incident,source,start_ms,end_ms,expected_condition,expected_severity");
        foreach (var t in _incidents.Select(i => i.Truth))
        {
            writer.WriteLine(string.Join(',', t.Incident, t.Source, t.StartMs, t.EndMs, t.ExpectedCondition, t.ExpectedSeverity));
        }
    }

    // Deterministic interleaving: device i gets the kind whose cumulative share covers its position, spread
    // evenly so every kind appears early even in a tiny fleet.
    private static (DeviceKind Kind, string Prefix) PickKind(int i)
    {
        var position = ((i * 0.6180339887) % 1.0 + 1.0) % 1.0; // golden-ratio sequence: evenly spread in [0,1)
        var cumulative = 0.0;
        foreach (var (kind, prefix, share) in Mix)
        {
            cumulative += share;
            if (position < cumulative)
            {
                return (kind, prefix);
            }
        }

        return (Mix[0].Kind, Mix[0].Prefix);
    }
}
