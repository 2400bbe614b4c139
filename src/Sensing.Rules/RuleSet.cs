using System.Globalization;
using Sensing.Detection;

namespace Sensing.Rules;

/// <summary>
/// A rules file read and checked (<see cref="RulesFile"/>): the detection options it makes, and what it set, for
/// logging what changed when it is read again.
/// </summary>
public sealed class RuleSet
{
    internal RuleSet(string file, string sha256, DetectionOptions detection, IReadOnlyDictionary<string, string> settings)
    {
        File = file;
        Sha256 = sha256;
        Detection = detection;
        Settings = settings;
    }

    /// <summary>The file it was read from, as given.</summary>
    public string File { get; }

    /// <summary>SHA-256 of the file's bytes, lowercase hex.</summary>
    public string Sha256 { get; }

    /// <summary>The options for <see cref="DetectionEngine"/>: the defaults with every key the file sets.</summary>
    public DetectionOptions Detection { get; }

    /// <summary>Every key the file sets, by path (e.g. <c>districts.d07.water.nightFlow.gamma</c>), with its value as text.</summary>
    public IReadOnlyDictionary<string, string> Settings { get; }

    /// <summary>
    /// What this file sets differently from <paramref name="previous"/>, one line per key path in order:
    /// <c>methane.level1Lel: 25 -&gt; 20</c>; a key set in only one of them shows <c>(default)</c> on the other side.
    /// </summary>
    public IReadOnlyList<string> ChangesFrom(RuleSet previous)
    {
        ArgumentNullException.ThrowIfNull(previous);
        var changes = new List<string>();
        foreach (var path in Settings.Keys.Union(previous.Settings.Keys).Order(StringComparer.Ordinal))
        {
            var before = previous.Settings.GetValueOrDefault(path);
            var after = Settings.GetValueOrDefault(path);
            if (before != after)
            {
                changes.Add(string.Create(CultureInfo.InvariantCulture, $"{path}: {before ?? "(default)"} -> {after ?? "(default)"}"));
            }
        }

        return changes;
    }
}
