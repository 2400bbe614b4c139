using System.Globalization;
using System.Text;

namespace Sensing.Core.Devices;

/// <summary>
/// Kind-specific device parameters, written in the registry's <c>params</c> column as <c>name=value;name=value</c>.
/// Names are lower snake_case; values contain no ',', ';' or '='. Names in use:
/// <list type="bullet">
/// <item>gas-meter: <c>qmax</c> (m3/h, the meter's maximum flow; its rupture limit is a fraction of it). Alarm bits: <see cref="Telemetry.GasMeterAlarmBits"/>.</item>
/// <item>water-pressure: <c>role</c> (<c>far-end</c> for sensors at the network's far ends, else <c>network</c>).</item>
/// <item>water-flow: <c>role</c> (<c>inlet</c> for a district inlet meter, else <c>dma</c>).</item>
/// <item>reservoir-level: <c>warning_m</c>, <c>flood_limit_m</c>, <c>guaranteed_m</c>, <c>historic_max_m</c>.</item>
/// <item>smoke-alarm, electrical-fire-detector, fire-water-pressure (and methane-detector, to confirm a smoke alarm):
/// <c>building</c>, the building the device is in; fire alarms of one building confirm each other and its fire-water
/// pressure sensors make one alert.</item>
/// <item>electrical-fire-detector: <c>circuit</c> (its label), <c>residual_set_ma</c>, <c>temp_set_c</c> (set points
/// of the circuit, overriding the rules file's).</item>
/// <item>fire-water-pressure: <c>minimum_mpa</c> (the code minimum for the building class, GB 50974 5.2.2).</item>
/// <item>any kind: <c>low_battery_v</c> overrides the class's low-battery level.</item>
/// </list>
/// Detectors resolve the values they need once, when the engine is built, never per reading.
/// </summary>
public sealed class DeviceParameters
{
    /// <summary>No parameters.</summary>
    public static readonly DeviceParameters Empty = new(new Dictionary<string, string>(StringComparer.Ordinal));

    private readonly Dictionary<string, string> _values;

    private DeviceParameters(Dictionary<string, string> values) => _values = values;

    /// <summary>Number of parameters.</summary>
    public int Count => _values.Count;

    /// <summary>Parameter names and values, in name order.</summary>
    public IEnumerable<KeyValuePair<string, string>> Items => _values.OrderBy(p => p.Key, StringComparer.Ordinal);

    /// <summary>Builds parameters from name/value pairs; a bad name or value throws <see cref="FormatException"/>.</summary>
    public static DeviceParameters From(IEnumerable<KeyValuePair<string, string>> values)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in values)
        {
            if (name.Length == 0 || !name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_'))
            {
                throw new FormatException($"parameter name '{name}' is not lower snake_case");
            }

            if (value.AsSpan().IndexOfAny(",;=\n\r") >= 0)
            {
                throw new FormatException($"parameter '{name}' value '{value}' contains ',', ';' or '='");
            }

            if (!map.TryAdd(name, value))
            {
                throw new FormatException($"parameter '{name}' is given twice");
            }
        }

        return map.Count == 0 ? Empty : new DeviceParameters(map);
    }

    /// <summary>Parses the registry form <c>name=value;name=value</c> (empty for none).</summary>
    public static DeviceParameters Parse(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return Empty;
        }

        var pairs = new List<KeyValuePair<string, string>>();
        foreach (var item in text.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = item.IndexOf('=');
            if (eq <= 0)
            {
                throw new FormatException($"parameter '{item}' is not name=value");
            }

            pairs.Add(new(item[..eq].Trim(), item[(eq + 1)..].Trim()));
        }

        return From(pairs);
    }

    /// <summary>The text value of a parameter.</summary>
    public bool TryGet(string name, out string value) => _values.TryGetValue(name, out value!);

    /// <summary>The text value of a parameter, or <paramref name="fallback"/>.</summary>
    public string Get(string name, string fallback) => _values.GetValueOrDefault(name, fallback);

    /// <summary>A numeric parameter, or <paramref name="fallback"/> when absent; a non-number throws.</summary>
    public double GetDouble(string name, double fallback)
    {
        if (!_values.TryGetValue(name, out var text))
        {
            return fallback;
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new FormatException($"parameter '{name}' value '{text}' is not a number");
    }

    /// <summary>The registry form, <c>name=value;name=value</c> in name order.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        foreach (var (name, value) in Items)
        {
            if (sb.Length > 0)
            {
                sb.Append(';');
            }

            sb.Append(name).Append('=').Append(value);
        }

        return sb.ToString();
    }
}
