using System.Globalization;
using Sensing.Core.Devices;
using Sensing.Simulators.Incidents;

namespace Sensing.Simulators.City;

/// <summary>
/// A simulated city: devices of every kind spread over water-network districts (each district one inlet flow meter,
/// pressure sensors downstream of it, some at the network's far ends), the incidents injected into it, and the
/// physics its readings follow (see <c>CityModel.Readings.cs</c>). Built deterministically from
/// <see cref="CityOptions"/>: the same options give the same devices, passwords and readings.
/// </summary>
public sealed partial class CityModel
{
    private static readonly Dictionary<DeviceKind, string> Prefixes = new()
    {
        [DeviceKind.GasMeter] = "gm", [DeviceKind.MethaneDetector] = "md", [DeviceKind.EvCharger] = "ev",
        [DeviceKind.WaterPressure] = "wp", [DeviceKind.WaterFlow] = "wf", [DeviceKind.ReservoirLevel] = "rl",
        [DeviceKind.RainGauge] = "rg", [DeviceKind.SmokeAlarm] = "sa", [DeviceKind.ElectricalFireDetector] = "ef",
        [DeviceKind.FireWaterPressure] = "fp",
    };

    private readonly List<Incident>?[] _incidentsByDevice;
    private readonly List<Incident>?[] _incidentsByDistrict;
    private readonly List<Incident> _incidents = [];

    private CityModel(CityOptions options, CityDevice[] devices, CityDistrict[] districts, CityConcentrator[] concentrators)
    {
        Options = options;
        Devices = devices;
        Districts = districts;
        Concentrators = concentrators;
        _incidentsByDevice = new List<Incident>?[devices.Length];
        _incidentsByDistrict = new List<Incident>?[districts.Length];
    }

    /// <summary>The options the city was built from.</summary>
    public CityOptions Options { get; }

    /// <summary>Every device, by index.</summary>
    public IReadOnlyList<CityDevice> Devices { get; }

    /// <summary>Every district, by index.</summary>
    public IReadOnlyList<CityDistrict> Districts { get; }

    /// <summary>The district concentrators, by index (see <see cref="CityOptions.ConcentratorKinds"/>).</summary>
    public IReadOnlyList<CityConcentrator> Concentrators { get; }

    /// <summary>Every registry entry of the city: its devices, then its concentrators.</summary>
    public IEnumerable<DeviceInfo> RegistryEntries => Devices.Select(d => d.Info).Concat(Concentrators.Select(c => c.Info));

    /// <summary>Incidents and traps injected so far.</summary>
    public IReadOnlyList<Incident> Incidents => _incidents;

    /// <summary>Builds a city; throws <see cref="ArgumentException"/> naming a bad option.</summary>
    public static CityModel Create(CityOptions options)
    {
        options.Validate();
        var counts = options.Mix.Counts(options.Devices, options.Districts);
        var width = Math.Max(2, options.Districts.ToString(CultureInfo.InvariantCulture).Length);
        var districts = new CityDistrict[options.Districts];
        for (var i = 0; i < districts.Length; i++)
        {
            districts[i] = new CityDistrict(i, "d" + (i + 1).ToString("D" + width, CultureInfo.InvariantCulture));
        }

        var devices = new List<CityDevice>(counts.Values.Sum());
        foreach (var kind in DeviceKinds.All)
        {
            for (var k = 0; k < counts[kind]; k++)
            {
                devices.Add(CreateDevice(options, kind, k, devices.Count, districts));
            }
        }

        foreach (var device in devices)
        {
            districts[device.District].Devices.Add(device.Index);
        }

        return new CityModel(options, [.. devices], districts, CityConcentrator.Assign(options, devices, districts));
    }

    /// <summary>Devices of one kind, in index order.</summary>
    public IEnumerable<CityDevice> OfKind(DeviceKind kind) => Devices.Where(d => d.Info.Kind == kind);

    /// <summary>Injects an incident or trap; its effect shows in the readings from its start to its end.</summary>
    public void Add(Incident incident)
    {
        ArgumentNullException.ThrowIfNull(incident);
        _incidents.Add(incident);
        if (incident.Device >= 0)
        {
            (_incidentsByDevice[incident.Device] ??= []).Add(incident);
            if (incident.Kind == IncidentKind.BigConsumer)
            {
                // A commercial meter (G25 class, Qmax 40 m3/h): its flow is legitimate because the registry says so.
                var device = Devices[incident.Device];
                device.Scale = 40;
                device.Info = device.Info with { Parameters = DeviceParameters.From([new("qmax", "40")]) };
            }
        }
        else
        {
            (_incidentsByDistrict[incident.District] ??= []).Add(incident);
        }
    }

    /// <summary>Writes the registry file (ids, kinds, districts, intervals, password hashes, parameters; concentrators last) the gateway and processor load.</summary>
    public void WriteRegistry(string path) => DeviceRegistryFile.Write(path, RegistryEntries);

    private static CityDevice CreateDevice(CityOptions options, DeviceKind kind, int k, int index, CityDistrict[] districts)
    {
        var seed = options.Seed;
        var id = Prefixes[kind] + "-" + (k + 1).ToString("D6", CultureInfo.InvariantCulture);
        var password = "pw-" + Noise.Hash(seed, index, 0, 1).ToString("x16", CultureInfo.InvariantCulture);
        var n = districts.Length;
        var district = k % n;
        var parameters = new List<KeyValuePair<string, string>>();
        double Uniform(int channel) => Noise.Uniform(seed, index, 0, channel);

        var farEnd = false;
        var inlet = false;
        double scale = 0, shape = 0, sigma = 0;
        switch (kind)
        {
            case DeviceKind.GasMeter:
                // G4 household meter: Qmax 6 m3/h; an appliance in use draws 0.3-1.5 m3/h.
                scale = 6;
                shape = 0.3 + (1.2 * Uniform(2));
                parameters.Add(new("qmax", "6"));
                break;
            case DeviceKind.MethaneDetector:
                sigma = 0.3;
                break;
            case DeviceKind.EvCharger:
                // AC wallbox 7 kW single-phase, 11 or 22 kW three-phase; DC fast charger 60 kW.
                var u = Uniform(2);
                scale = u < 0.5 ? 7 : u < 0.75 ? 11 : u < 0.93 ? 22 : 60;
                shape = scale == 7 ? 1 : 3;
                break;
            case DeviceKind.WaterPressure:
                // The first sensor of each district is at its far end, the second mid-network; then one in four far-end.
                farEnd = k < n || (k >= 2 * n && k % 4 == 0);
                district = k < 2 * n ? k % n : k % n;
                scale = farEnd ? 0.30 + (0.04 * Uniform(2)) : 0.40 + (0.05 * Uniform(2));
                shape = farEnd ? 0.11 : 0.07;
                sigma = 0.003;
                parameters.Add(new("role", farEnd ? "far-end" : "network"));
                break;
            case DeviceKind.WaterFlow:
                inlet = k < n;
                scale = inlet ? 400 + (600 * Uniform(2)) : 20 + (60 * Uniform(2));
                sigma = 0.015;
                parameters.Add(new("role", inlet ? "inlet" : "dma"));
                break;
            case DeviceKind.ReservoirLevel:
                // Flood-limit level of a small reservoir, m above its datum; warning colours above it.
                scale = Math.Round(20 + (30 * Uniform(2)), 1);
                parameters.Add(new("flood_limit_m", Format(scale)));
                parameters.Add(new("warning_m", Format(scale + 1.0)));
                parameters.Add(new("guaranteed_m", Format(scale + 2.0)));
                parameters.Add(new("historic_max_m", Format(scale + 3.0)));
                break;
            case DeviceKind.SmokeAlarm or DeviceKind.ElectricalFireDetector or DeviceKind.FireWaterPressure:
                (scale, shape, sigma) = FireConstants(kind, k, n, Uniform(2), districts[district].Name, parameters);
                break;
        }

        var interval = options.IntervalSeconds(kind);
        var (latitude, longitude) = Place(options, district, n, Uniform(11), Uniform(12));
        var info = new DeviceInfo(id, kind, districts[district].Name, interval, DeviceRegistryFile.HashSecret(password))
        {
            Parameters = DeviceParameters.From(parameters),
            Latitude = latitude,
            Longitude = longitude,
        };
        var device = new CityDevice(index, info, password, district, options.PersistentKinds.Contains(kind))
        {
            PhaseMs = (long)(Uniform(3) * interval * 1000),
            Binary = Uniform(5) < options.BinaryShare,
            FarEnd = farEnd,
            Inlet = inlet,
            Scale = scale,
            Shape = shape,
            NoiseSigma = sigma,
            BatteryStart = 3.45 + (0.2 * Uniform(4)),
        };
        if (inlet)
        {
            districts[district].Inlet = index;
            districts[district].MeanInflow = scale;
        }

        if (kind == DeviceKind.WaterPressure)
        {
            districts[district].PressureSensors.Add(index);
            if (farEnd)
            {
                districts[district].FarEnds.Add(index);
            }
        }

        return device;
    }

    private static string Format(double value) => value.ToString("0.0##", CultureInfo.InvariantCulture);
}
