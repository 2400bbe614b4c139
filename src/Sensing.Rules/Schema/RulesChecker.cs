using System.Text.RegularExpressions;
using Sensing.Detection;
using Sensing.Rules.Sections;

namespace Sensing.Rules.Schema;

/// <summary>
/// Range checks of what a <see cref="RulesReader"/> read, with the options' own checks (their <c>Validate</c>) and
/// their messages, the option renamed to the key's path: first the city's keys, then each override entry over them,
/// then every combination of entries one device can meet (its district's, its kind's and its own), so a value that is
/// fine alone but clashes with another entry is found before the engine would refuse it.
/// </summary>
internal sealed partial class RulesChecker(string file)
{
    /// <summary>Checks everything; returns the city's options (before overrides).</summary>
    public DetectionOptions Check(RulesReader read)
    {
        var city = read.City.Apply(DetectionOptions.Default);
        Check(city, [read.City]);

        List<RuleLayer> districts = [.. read.DistrictLayers.Select(d => d.Layer)];
        List<RuleLayer> kinds = [.. read.KindLayers.Select(k => k.Layer)];
        List<RuleLayer> devices = [.. read.DeviceLayers.Select(d => d.Layer)];
        foreach (var entry in districts.Concat(kinds).Concat(devices))
        {
            Check(entry.Apply(city), [entry, read.City]);
        }

        // Every combination of entries one device can meet that set keys in one section together (a section only one
        // of them sets is that entry's alone, checked above); null is "no entry".
        foreach (var section in RuleSections.Root.Children.Select(c => c.Record.Name))
        {
            foreach (var district in Touching(districts, section))
            {
                foreach (var kind in Touching(kinds, section))
                {
                    foreach (var device in Touching(devices, section))
                    {
                        List<RuleLayer> layers = [.. new[] { device, kind, district }.OfType<RuleLayer>()];
                        if (layers.Count < 2)
                        {
                            continue;
                        }

                        var options = city;
                        for (var i = layers.Count - 1; i >= 0; i--)
                        {
                            options = layers[i].Apply(options);
                        }

                        Check(options, [.. layers, read.City]);
                    }
                }
            }
        }

        return city;
    }

    private static IEnumerable<RuleLayer?> Touching(List<RuleLayer> entries, string section) =>
        entries.Where(e => e.Sections.Contains(section)).Prepend(null);

    // `layers` most specific first, the city last; a problem is named under the most specific entry.
    private void Check(DetectionOptions options, List<RuleLayer> layers) => Check(RuleSections.Root, options, "", layers);

    private void Check(RuleRecord record, object value, string path, List<RuleLayer> layers)
    {
        try
        {
            record.Validate(value);
        }
        catch (ArgumentException e)
        {
            var key = e.ParamName is { } name && record.KeyForProperty(name) is { } k ? k.Name : e.ParamName ?? "";
            var relative = path.Length == 0 ? key : $"{path}.{key}";
            throw Problem(relative, Reword(record, e), layers);
        }

        foreach (var child in record.Children)
        {
            Check(child.Record, child.Get(value), path.Length == 0 ? child.Record.Name : $"{path}.{child.Record.Name}", layers);
        }
    }

    private RulesFileException Problem(string relative, string problem, List<RuleLayer> layers)
    {
        var entry = layers[0];
        var key = entry.Path.Length == 0 ? relative : $"{entry.Path}.{relative}";

        // The line of the key in the most specific layer that sets it.
        var line = 0;
        foreach (var layer in layers)
        {
            line = layer.LineOf(layer.Path.Length == 0 ? relative : $"{layer.Path}.{relative}");
            if (line > 0)
            {
                break;
            }
        }

        var others = layers.Skip(1).Where(l => l.Path.Length > 0).Select(l => l.Path).ToList();
        if (others.Count > 0)
        {
            problem += $" (with {string.Join(" and ", others)})";
        }

        return new RulesFileException(file, line, key, problem);
    }

    /// <summary>
    /// The options' message without its option name and parameter suffix, with the record's property names written as
    /// the file's keys: "Level2Lel: must be above Level1Lel (25) (Parameter 'Level2Lel')" is "must be above level1Lel (25)".
    /// </summary>
    private static string Reword(RuleRecord record, ArgumentException e)
    {
        var name = e.ParamName ?? "";
        var problem = e.Message.Replace($" (Parameter '{name}')", "", StringComparison.Ordinal);
        problem = problem.StartsWith($"{name}: ", StringComparison.Ordinal) ? problem[(name.Length + 2)..] : problem;
        return Word().Replace(problem, m => record.KeyForProperty(m.Value)?.Name ?? m.Value);
    }

    [GeneratedRegex(@"\b[A-Z][A-Za-z0-9]*\b")]
    private static partial Regex Word();
}
