using System.Text;
using Sensing.Core.Devices;
using Sensing.Detection;
using Sensing.Rules.Sections;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Sensing.Rules.Schema;

/// <summary>
/// Reads a rules file's YAML into layers (<see cref="RuleLayer"/>): the city's keys, then one layer per entry of
/// <c>districts</c>, <c>kinds</c> and <c>devices</c>. Every key is looked up in <see cref="RuleSections.Root"/>; an
/// unknown key, a value of the wrong type, or a section set where it cannot apply is a <see cref="RulesFileException"/>
/// naming the key's path and line. Range checks come after (<see cref="RulesChecker"/>).
/// </summary>
internal sealed class RulesReader(string file)
{
    public const string Districts = "districts";
    public const string Kinds = "kinds";
    public const string Devices = "devices";

    public RuleLayer City { get; } = new("", 0);

    public List<(string Name, RuleLayer Layer)> DistrictLayers { get; } = [];

    public List<(DeviceKind Kind, RuleLayer Layer)> KindLayers { get; } = [];

    public List<(string Id, RuleLayer Layer)> DeviceLayers { get; } = [];

    /// <summary>Reads <paramref name="text"/>; an empty file (or one holding only comments) sets nothing.</summary>
    public void Read(string text)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            throw new RulesFileException(file, (int)e.Start.Line, "", "not valid YAML: " + Inner(e).Message, e);
        }

        if (stream.Documents.Count > 1)
        {
            throw new RulesFileException(file, (int)stream.Documents[1].RootNode.Start.Line, "", "holds more than one YAML document");
        }

        if (stream.Documents.Count == 0 || IsEmpty(stream.Documents[0].RootNode))
        {
            return;
        }

        var root = Mapping(stream.Documents[0].RootNode, "(top level)", "sections");
        foreach (var (keyNode, value) in root.Children)
        {
            var key = KeyText(keyNode, "(top level)");
            switch (key)
            {
                case Districts:
                    ReadEntries(value, Districts, RuleScopes.District, (name, keyNode, node) => DistrictLayers.Add((name, Entry(name, keyNode, node, Districts, RuleScopes.District, null))));
                    break;
                case Kinds:
                    ReadEntries(value, Kinds, RuleScopes.Kind, AddKind);
                    break;
                case Devices:
                    ReadEntries(value, Devices, RuleScopes.Device, AddDevice);
                    break;
                default:
                    Read(RuleSections.Root, [], key, keyNode, value, key, City, RuleScopes.City, null);
                    break;
            }
        }
    }

    private void AddKind(string name, YamlNode keyNode, YamlNode node)
    {
        if (!DeviceKinds.TryParse(name, out var kind))
        {
            throw new RulesFileException(file, Line(keyNode), $"{Kinds}.{name}",
                $"unknown device kind (expected one of: {string.Join(", ", AllKindNames())})");
        }

        if (KindLayers.Exists(k => k.Kind == kind))
        {
            throw new RulesFileException(file, Line(keyNode), $"{Kinds}.{name}", $"kind {kind.Name()} is listed twice");
        }

        KindLayers.Add((kind, Entry(name, keyNode, node, Kinds, RuleScopes.Kind, kind)));
    }

    private void AddDevice(string id, YamlNode keyNode, YamlNode node)
    {
        if (!DeviceInfo.IsValidId(Encoding.ASCII.GetBytes(id)) || Encoding.UTF8.GetByteCount(id) != id.Length)
        {
            throw new RulesFileException(file, Line(keyNode), $"{Devices}.{id}", $"not a device id (1-{DeviceInfo.MaxIdLength} of A-Z a-z 0-9 . _ -)");
        }

        DeviceLayers.Add((id, Entry(id, keyNode, node, Devices, RuleScopes.Device, null)));
    }

    private void ReadEntries(YamlNode node, string name, RuleScopes scope, Action<string, YamlNode, YamlNode> add)
    {
        if (IsEmpty(node))
        {
            return;
        }

        foreach (var (keyNode, value) in Mapping(node, name, scope == RuleScopes.Kind ? "device kinds" : scope == RuleScopes.District ? "districts" : "device ids").Children)
        {
            add(KeyText(keyNode, name), keyNode, value);
        }
    }

    private RuleLayer Entry(string name, YamlNode keyNode, YamlNode node, string scopeName, RuleScopes scope, DeviceKind? kind)
    {
        var path = $"{scopeName}.{name}";
        var layer = new RuleLayer(path, Line(keyNode));
        if (IsEmpty(node))
        {
            return layer;
        }

        foreach (var (sectionNode, value) in Mapping(node, path, "sections").Children)
        {
            var key = KeyText(sectionNode, path);
            Read(RuleSections.Root, [], key, sectionNode, value, $"{path}.{key}", layer, scope, kind);
        }

        return layer;
    }

    // Reads key `key` of `record` (reached from the root through `chain`) into `layer`.
    private void Read(RuleRecord record, RuleChild[] chain, string key, YamlNode keyNode, YamlNode value, string path, RuleLayer layer, RuleScopes scope, DeviceKind? kind)
    {
        if (record.Key(key) is { } ruleKey)
        {
            if (chain.Length == 0 && scope != RuleScopes.City)
            {
                throw new RulesFileException(file, Line(keyNode), path, "the time zone is the city's: set it at the top level of the file");
            }

            if ((ruleKey.Scopes & scope) == 0)
            {
                throw new RulesFileException(file, Line(keyNode), path,
                    $"{ruleKey.Name} is not set per {ScopeName(scope)}: set it at the top level or in a {Districts} entry");
            }

            var text = Scalar(value, path, ruleKey.Value);
            if (!RuleValueText.TryParse(ruleKey.Value, text, out var parsed, out var problem))
            {
                throw new RulesFileException(file, Line(value), path, problem);
            }

            var keyChain = chain;
            layer.Add(new RuleSetting(path, RuleValueText.Format(ruleKey.Value, parsed), Line(keyNode),
                options => (DetectionOptions)SetIn(options, keyChain, ruleKey, parsed)));
            return;
        }

        if (record.Child(key) is not { } child)
        {
            var names = record.Names;
            if (chain.Length == 0)
            {
                names = scope == RuleScopes.City ? names.Concat([Districts, Kinds, Devices]) : names.Where(n => n != RuleSections.TimeZoneKey);
            }

            throw new RulesFileException(file, Line(keyNode), path, $"unknown key (expected one of: {string.Join(", ", names)})");
        }

        if (chain.Length == 0)
        {
            CheckSectionScope(child, keyNode, path, scope, kind);
        }

        if (IsEmpty(value))
        {
            return;
        }

        RuleChild[] nested = [.. chain, child];
        foreach (var (childKeyNode, childValue) in Mapping(value, path, "keys").Children)
        {
            var childKey = KeyText(childKeyNode, path);
            Read(child.Record, nested, childKey, childKeyNode, childValue, $"{path}.{childKey}", layer, scope, kind);
        }
    }

    private void CheckSectionScope(RuleChild section, YamlNode keyNode, string path, RuleScopes scope, DeviceKind? kind)
    {
        if ((section.Scopes & scope) == 0)
        {
            var where = (section.Scopes & RuleScopes.District) != 0
                ? $"set it at the top level or in a {Districts} entry"
                : "set it at the top level of the file";
            throw new RulesFileException(file, Line(keyNode), path, $"{section.Record.Name} is not set per {ScopeName(scope)}: {where}");
        }

        if (kind is { } k && section.Kinds is { } kinds && !kinds.Contains(k))
        {
            throw new RulesFileException(file, Line(keyNode), path,
                $"{section.Record.Name} applies to {string.Join(", ", kinds.Select(x => x.Name()))} devices only, not {k.Name()}");
        }
    }

    private static object SetIn(object parent, ReadOnlySpan<RuleChild> chain, RuleKey key, object value) =>
        chain.IsEmpty ? key.Set(parent, value) : chain[0].Set(parent, SetIn(chain[0].Get(parent), chain[1..], key, value));

    private string Scalar(YamlNode node, string path, RuleValue kind)
    {
        if (node is YamlScalarNode scalar && !IsEmpty(scalar))
        {
            return scalar.Value!;
        }

        var was = node switch
        {
            YamlMappingNode => "a mapping",
            YamlSequenceNode => "a list",
            _ => "empty",
        };
        var expected = kind switch
        {
            RuleValue.Number => "a number",
            RuleValue.WholeNumber => "a whole number",
            RuleValue.Boolean => "true or false",
            RuleValue.Duration => "a duration such as 30s, 5m, 1h30m or 7d",
            RuleValue.Text => "a text",
            _ => "a time zone name such as Europe/Berlin",
        };
        throw new RulesFileException(file, Line(node), path, $"expected {expected}, was {was}");
    }

    private YamlMappingNode Mapping(YamlNode node, string path, string what) => node as YamlMappingNode
        ?? throw new RulesFileException(file, Line(node), path, $"expected a mapping of {what}, was {(node is YamlSequenceNode ? "a list" : $"'{(node as YamlScalarNode)?.Value}'")}");

    private string KeyText(YamlNode node, string path) => node is YamlScalarNode { Value: { Length: > 0 } text }
        ? text
        : throw new RulesFileException(file, Line(node), path, "a key must be a plain name");

    private static bool IsEmpty(YamlNode node) =>
        node is YamlScalarNode { Style: not ScalarStyle.SingleQuoted and not ScalarStyle.DoubleQuoted } scalar
        && (string.IsNullOrEmpty(scalar.Value) || scalar.Value is "~" or "null");

    private static int Line(YamlNode node) => (int)node.Start.Line;

    private static string ScopeName(RuleScopes scope) => scope switch
    {
        RuleScopes.District => "district",
        RuleScopes.Kind => "device kind",
        _ => "device",
    };

    private static IEnumerable<string> AllKindNames()
    {
        foreach (var kind in DeviceKinds.All.ToArray())
        {
            yield return kind.Name();
        }
    }

    private static Exception Inner(YamlException e) => e.InnerException is YamlException inner ? inner : e;
}
