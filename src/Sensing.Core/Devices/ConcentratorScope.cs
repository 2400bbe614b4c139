namespace Sensing.Core.Devices;

/// <summary>
/// The devices a concentrator may publish for, from the <c>serves</c> parameter of its registry entry: rules
/// separated by <c>|</c>, each one of
/// <list type="bullet">
/// <item><c>district:NAME</c>: every device registered in district NAME;</item>
/// <item><c>PREFIX*</c>: every device whose id starts with PREFIX;</item>
/// <item>a device id: that device.</item>
/// </list>
/// e.g. <c>serves=district:d03|gm-0001*|wf-000004</c>. A concentrator never serves another concentrator. Matching
/// compares strings the registry already holds, so it does not allocate.
/// </summary>
public sealed class ConcentratorScope
{
    /// <summary>The registry parameter that holds the rules.</summary>
    public const string ParameterName = "serves";

    private readonly HashSet<string> _ids;
    private readonly string[] _prefixes;
    private readonly string[] _districts;

    private ConcentratorScope(HashSet<string> ids, string[] prefixes, string[] districts)
    {
        _ids = ids;
        _prefixes = prefixes;
        _districts = districts;
    }

    /// <summary>The scope of a concentrator's registry entry; throws <see cref="FormatException"/> naming the bad rule.</summary>
    public static ConcentratorScope Of(DeviceInfo concentrator)
    {
        ArgumentNullException.ThrowIfNull(concentrator);
        if (concentrator.Kind != DeviceKind.Concentrator)
        {
            throw new ArgumentException($"'{concentrator.Id}' is a {concentrator.Kind.Name()}, not a concentrator", nameof(concentrator));
        }

        if (!concentrator.Parameters.TryGet(ParameterName, out var rules) || rules.Length == 0)
        {
            throw new FormatException($"concentrator '{concentrator.Id}' has no '{ParameterName}' parameter (district:NAME, PREFIX* or device ids, separated by '|')");
        }

        return Parse(rules);
    }

    /// <summary>Parses the rules of a <c>serves</c> value; throws <see cref="FormatException"/> naming the bad rule.</summary>
    public static ConcentratorScope Parse(string rules)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var prefixes = new List<string>();
        var districts = new List<string>();
        foreach (var rule in rules.Split('|', StringSplitOptions.TrimEntries))
        {
            if (rule.StartsWith("district:", StringComparison.Ordinal))
            {
                var district = rule["district:".Length..];
                if (district.Length == 0)
                {
                    throw new FormatException($"{ParameterName}: rule '{rule}' names no district");
                }

                districts.Add(district);
            }
            else if (rule.EndsWith('*'))
            {
                var prefix = rule[..^1];
                if (prefix.Length == 0 || !DeviceInfo.IsValidId(System.Text.Encoding.ASCII.GetBytes(prefix)))
                {
                    throw new FormatException($"{ParameterName}: rule '{rule}' is not a device id prefix followed by '*' (a bare '*' is not allowed)");
                }

                prefixes.Add(prefix);
            }
            else if (DeviceInfo.IsValidId(System.Text.Encoding.ASCII.GetBytes(rule)) && rule.All(char.IsAscii))
            {
                ids.Add(rule);
            }
            else
            {
                throw new FormatException($"{ParameterName}: rule '{rule}' is not district:NAME, PREFIX* or a device id");
            }
        }

        return new ConcentratorScope(ids, [.. prefixes], [.. districts]);
    }

    /// <summary>True when the concentrator may publish readings of <paramref name="device"/>.</summary>
    public bool Serves(DeviceInfo device)
    {
        if (device.Kind == DeviceKind.Concentrator)
        {
            return false;
        }

        if (_ids.Contains(device.Id))
        {
            return true;
        }

        foreach (var prefix in _prefixes)
        {
            if (device.Id.StartsWith(prefix, StringComparison.Ordinal))
            {
                return true;
            }
        }

        foreach (var district in _districts)
        {
            if (string.Equals(device.District, district, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
