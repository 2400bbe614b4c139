using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Sensing.Detection;
using Sensing.Rules.Schema;
using Sensing.Rules.Sections;

namespace Sensing.Rules;

/// <summary>
/// The rules file (docs/rules.md): every detection option in YAML, a comment per key in <see cref="Defaults"/>, and
/// overrides per district, device kind and device. Reading checks everything the engine would, so a file that reads is
/// a file the engine takes; a file that does not is a <see cref="RulesFileException"/> naming the file, the key's path
/// and the problem.
/// </summary>
public static partial class RulesFile
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The complete file with every default and a comment per key (<c>sensing rules defaults</c>).</summary>
    public static string Defaults { get; } = RulesWriter.Write(DetectionOptions.Default);

    /// <summary>Reads and checks the file at <paramref name="path"/>.</summary>
    /// <exception cref="RulesFileException">It cannot be read, is not YAML, or a key is unknown, of the wrong type or out of range.</exception>
    public static RuleSet Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new RulesFileException(path, 0, "", "cannot be read: " + e.Message, e);
        }

        return Parse(bytes, path);
    }

    /// <summary>Reads and checks a file's bytes; <paramref name="file"/> names it in messages.</summary>
    /// <exception cref="RulesFileException">It is not YAML, or a key is unknown, of the wrong type or out of range.</exception>
    public static RuleSet Parse(ReadOnlySpan<byte> bytes, string file)
    {
        ArgumentNullException.ThrowIfNull(file);
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(bytes));
        string text;
        try
        {
            text = StrictUtf8.GetString(bytes.StartsWith(Encoding.UTF8.Preamble) ? bytes[Encoding.UTF8.Preamble.Length..] : bytes);
        }
        catch (DecoderFallbackException e)
        {
            throw new RulesFileException(file, 0, "", "is not UTF-8 text", e);
        }

        var read = new RulesReader(file);
        read.Read(text);
        var city = new RulesChecker(file).Check(read);
        var detection = city with
        {
            Overrides = new DetectionOverrides
            {
                Districts = read.DistrictLayers.ToDictionary(d => d.Name, d => (OptionsChange)d.Layer.Apply, StringComparer.Ordinal),
                Kinds = read.KindLayers.ToDictionary(k => k.Kind, k => (OptionsChange)k.Layer.Apply),
                Devices = read.DeviceLayers.ToDictionary(d => d.Id, d => (OptionsChange)d.Layer.Apply, StringComparer.Ordinal),
            },
        };

        try
        {
            // The engine's own check; the checker above has already named anything it would find.
            detection.Validate();
        }
        catch (ArgumentException e)
        {
            var (key, problem) = Split(e);
            throw new RulesFileException(file, 0, key, problem, e);
        }

        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var layer in read.DistrictLayers.Select(d => d.Layer).Concat(read.KindLayers.Select(k => k.Layer)).Concat(read.DeviceLayers.Select(d => d.Layer)).Prepend(read.City))
        {
            foreach (var setting in layer.Settings)
            {
                settings[setting.Path] = setting.Text;
            }
        }

        return new RuleSet(file, sha256, detection, settings);
    }

    /// <summary>Reads and checks a file's text; <paramref name="file"/> names it in messages.</summary>
    public static RuleSet Parse(string text, string file)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Parse(Encoding.UTF8.GetBytes(text), file);
    }

    /// <summary>
    /// An options error from the engine (<see cref="DetectionEngine.Apply"/>, <see cref="DetectionOptions.Validate"/>)
    /// with the option named as the file's key: <c>Water.PipeBurst.Slot: cannot change ...</c> reads
    /// <c>water.pipeBurst.slot: cannot change ...</c>.
    /// </summary>
    public static string Describe(ArgumentException error)
    {
        ArgumentNullException.ThrowIfNull(error);
        var (key, problem) = Split(error);
        return key.Length > 0 ? $"{key}: {problem}" : problem;
    }

    private static (string Key, string Problem) Split(ArgumentException e)
    {
        var name = e.ParamName ?? "";
        var problem = e.Message.Replace($" (Parameter '{name}')", "", StringComparison.Ordinal);
        problem = problem.StartsWith($"{name}: ", StringComparison.Ordinal) ? problem[(name.Length + 2)..] : problem;
        return (KeyPathOf(name), problem);
    }

    // "Districts[d07].Water.NightFlow.Gamma" -> "districts.d07.water.nightFlow.gamma"; a bare property ("Level2Lel") is
    // looked up in every section and named under the one that has it.
    private static string KeyPathOf(string option)
    {
        var path = new List<string>();
        RuleRecord record = RuleSections.Root;
        foreach (Match segment in Segment().Matches(option))
        {
            if (segment.Groups["scope"].Success)
            {
                path.Add(segment.Groups["scope"].Value.ToLowerInvariant());
                path.Add(segment.Groups["key"].Value);
                continue;
            }

            var name = segment.Groups["name"].Value;
            if (record.ChildForProperty(name) is { } child)
            {
                path.Add(child.Record.Name);
                record = child.Record;
            }
            else if (record.KeyForProperty(name) is { } key)
            {
                path.Add(key.Name);
            }
            else if (ReferenceEquals(record, RuleSections.Root) && FindKey(RuleSections.Root, name, []) is { Count: 1 } found)
            {
                path.AddRange(found[0]);
            }
            else
            {
                path.Add(name);
            }
        }

        return string.Join('.', path);
    }

    private static List<List<string>> FindKey(RuleRecord record, string property, List<string> at)
    {
        var found = new List<List<string>>();
        if (record.KeyForProperty(property) is { } key && at.Count > 0)
        {
            found.Add([.. at, key.Name]);
        }

        foreach (var child in record.Children)
        {
            found.AddRange(FindKey(child.Record, property, [.. at, child.Record.Name]));
        }

        return found;
    }

    [GeneratedRegex(@"(?<scope>Districts|Kinds|Devices)\[(?<key>[^\]]*)\]|(?<name>[A-Za-z0-9]+)")]
    private static partial Regex Segment();
}
