using System.Globalization;
using System.Text;
using Sensing.Core.Devices;
using Sensing.Core.Telemetry;

namespace Sensing.Simulators.Replay;

/// <summary>Where a recorded sensor's values go: a device (with its kind and district) and a metric.</summary>
/// <param name="Device">The device's registry entry.</param>
/// <param name="Metric">The metric the value is.</param>
public readonly record struct SensorTarget(DeviceInfo Device, Metric Metric);

/// <summary>
/// Maps recorded sensor names to devices and metrics. Loaded from a map file with the header
/// <c>sensor,device,kind,district,metric</c> and an optional <c>report_s</c> column (default 300); without a map,
/// sensors are named <c>device/metric</c> and the device comes from a registry.
/// </summary>
public sealed class SensorMap
{
    private readonly Dictionary<string, SensorTarget> _targets = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DeviceInfo> _devices = new(StringComparer.Ordinal);

    /// <summary>Devices named by the map or the registry, by id.</summary>
    public IReadOnlyDictionary<string, DeviceInfo> Devices => _devices;

    /// <summary>A map that only resolves <c>device/metric</c> names against <paramref name="registry"/>.</summary>
    public static SensorMap FromRegistry(IEnumerable<DeviceInfo> registry)
    {
        var map = new SensorMap();
        foreach (var device in registry)
        {
            map._devices[device.Id] = device;
        }

        return map;
    }

    /// <summary>
    /// Loads a map file; devices it names that are in <paramref name="registry"/> keep their registry entry
    /// (parameters, interval), the others are created from the map. A bad line throws naming file and line.
    /// </summary>
    public static SensorMap Load(string path, IEnumerable<DeviceInfo>? registry = null)
    {
        var map = FromRegistry(registry ?? []);
        if (!File.Exists(path))
        {
            throw new FormatException($"sensor map '{path}' does not exist");
        }

        var lineNumber = 0;
        var columns = 0;
        foreach (var line in File.ReadLines(path, Encoding.UTF8))
        {
            lineNumber++;
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var cells = line.Split(',', StringSplitOptions.TrimEntries);
            if (columns == 0)
            {
                var header = string.Join(',', cells).ToLowerInvariant();
                columns = header switch
                {
                    "sensor,device,kind,district,metric" => 5,
                    "sensor,device,kind,district,metric,report_s" => 6,
                    _ => throw new FormatException($"{path}:{lineNumber}: expected the header 'sensor,device,kind,district,metric' (optionally ',report_s')"),
                };
                continue;
            }

            if (cells.Length != columns)
            {
                throw new FormatException($"{path}:{lineNumber}: expected {columns} columns, found {cells.Length}");
            }

            map.AddLine(cells, path, lineNumber);
        }

        return columns == 0 ? throw new FormatException($"{path}:{lineNumber}: the file is empty: expected a header") : map;
    }

    /// <summary>Resolves a sensor name; false when neither the map nor the <c>device/metric</c> form knows it.</summary>
    public bool TryResolve(string sensor, out SensorTarget target)
    {
        if (_targets.TryGetValue(sensor, out target))
        {
            return true;
        }

        var slash = sensor.LastIndexOf('/');
        if (slash > 0 && _devices.TryGetValue(sensor[..slash], out var device)
            && Metrics.TryParse(Encoding.ASCII.GetBytes(sensor[(slash + 1)..]), out var metric))
        {
            target = new SensorTarget(device, metric);
            _targets[sensor] = target;
            return true;
        }

        return false;
    }

    private void AddLine(string[] cells, string path, int lineNumber)
    {
        var (sensor, id, kindName, district, metricName) = (cells[0], cells[1], cells[2], cells[3], cells[4]);
        if (sensor.Length == 0 || !DeviceInfo.IsValidId(Encoding.ASCII.GetBytes(id)) || Encoding.UTF8.GetByteCount(id) != id.Length)
        {
            throw new FormatException($"{path}:{lineNumber}: sensor must be non-empty and device '{id}' 1-{DeviceInfo.MaxIdLength} of [A-Za-z0-9._-]");
        }

        if (!DeviceKinds.TryParse(kindName, out var kind))
        {
            throw new FormatException($"{path}:{lineNumber}: kind '{kindName}' is not one of the device kinds");
        }

        if (!Metrics.TryParse(Encoding.ASCII.GetBytes(metricName), out var metric) || metric == Metric.Online)
        {
            throw new FormatException($"{path}:{lineNumber}: metric '{metricName}' is not a device metric name (see Metric.cs)");
        }

        var report = 300;
        if (cells.Length == 6 && (!int.TryParse(cells[5], NumberStyles.None, CultureInfo.InvariantCulture, out report) || report <= 0))
        {
            throw new FormatException($"{path}:{lineNumber}: report_s '{cells[5]}' is not a positive whole number of seconds");
        }

        if (!_devices.TryGetValue(id, out var device))
        {
            device = new DeviceInfo(id, kind, district, report, "");
            _devices[id] = device;
        }
        else if (device.Kind != kind)
        {
            throw new FormatException($"{path}:{lineNumber}: device '{id}' is a {device.Kind.Name()} elsewhere, not a {kind.Name()}");
        }

        if (!_targets.TryAdd(sensor, new SensorTarget(device, metric)))
        {
            throw new FormatException($"{path}:{lineNumber}: sensor '{sensor}' is mapped twice");
        }
    }
}
