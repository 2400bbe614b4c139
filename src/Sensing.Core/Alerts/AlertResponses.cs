using System.Text;
using System.Text.RegularExpressions;

namespace Sensing.Core.Alerts;

/// <summary>
/// What the operator does about an alert: one response text per condition (<c>gas.methane-high</c>), and for a few
/// conditions a text for one severity (<c>gas.methane-high.critical</c>: methane at the second level), which wins over
/// the condition's own. Built-in defaults for every condition (<see cref="Default"/>); the rules file's
/// <c>responses</c> section replaces them for the city or a district. A text may hold placeholders in braces
/// (<see cref="Placeholders"/>) that the feed fills from the alert.
/// </summary>
public sealed partial class AlertResponses
{
    /// <summary>Names a text may use in braces, e.g. <c>{building}</c>.</summary>
    public static IReadOnlyList<string> Placeholders { get; } =
        ["source", "district", "building", "raisedAt", "value", "peak", "valveCommand"];

    /// <summary>The built-in texts.</summary>
    public static AlertResponses Default { get; } = new(BuiltIn.ToDictionary(t => t.Key, t => t.Text, StringComparer.Ordinal));

    /// <summary>Every key, in the order <c>sensing rules defaults</c> writes them: each condition, then its severity variants.</summary>
    public static IReadOnlyList<string> Keys { get; } = [.. BuiltIn.Select(t => t.Key)];

    /// <summary>Longest text, characters: a response is read under stress, not a manual.</summary>
    public const int MaxLength = 2000;

    private readonly Dictionary<string, string> _texts;

    private AlertResponses(Dictionary<string, string> texts) => _texts = texts;

    /// <summary>The text of <paramref name="key"/> (one of <see cref="Keys"/>).</summary>
    /// <exception cref="ArgumentException">Not a response key.</exception>
    public string Text(string key) => _texts.TryGetValue(key, out var text) ? text : throw new ArgumentException($"{key}: not a response key", nameof(key));

    /// <summary>These texts with <paramref name="key"/>'s replaced by <paramref name="text"/>.</summary>
    /// <exception cref="ArgumentException">Not a response key.</exception>
    public AlertResponses With(string key, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        _ = Text(key);
        return new AlertResponses(new Dictionary<string, string>(_texts, StringComparer.Ordinal) { [key] = text });
    }

    /// <summary>The text for <paramref name="condition"/> at <paramref name="severity"/>: the severity's own when there is one, else the condition's.</summary>
    public string For(AlertCondition condition, AlertSeverity severity) =>
        _texts.TryGetValue(KeyOf(condition, severity), out var text) ? text : _texts.GetValueOrDefault(condition.Name(), "");

    /// <summary>The key of a severity variant: <c>gas.methane-high.critical</c>.</summary>
    public static string KeyOf(AlertCondition condition, AlertSeverity severity) =>
        string.Concat(condition.Name(), ".", severity.ToString().ToLowerInvariant());

    /// <summary>What <paramref name="key"/> is for, written above it in <c>sensing rules defaults</c>.</summary>
    public static string Describe(string key) => Purposes.TryGetValue(key, out var purpose) ? purpose : key;

    /// <summary>
    /// Throws <see cref="ArgumentException"/> (parameter name: the key) for a text that is blank, longer than
    /// <see cref="MaxLength"/>, or names a placeholder not in <see cref="Placeholders"/>.
    /// </summary>
    public void Validate()
    {
        foreach (var key in Keys)
        {
            var text = _texts[key];
            if (string.IsNullOrWhiteSpace(text))
            {
                throw new ArgumentException($"{key}: must not be blank", key);
            }

            if (text.Length > MaxLength)
            {
                throw new ArgumentException($"{key}: at most {MaxLength} characters, was {text.Length}", key);
            }

            foreach (Match name in Placeholder().Matches(text))
            {
                if (!Placeholders.Contains(name.Groups[1].Value))
                {
                    throw new ArgumentException(
                        $"{key}: unknown placeholder {name.Value} (expected one of: {string.Join(", ", Placeholders.Select(p => "{" + p + "}"))})", key);
                }
            }
        }
    }

    /// <summary><paramref name="text"/> with each <c>{name}</c> replaced by <paramref name="value"/>(name); a null value keeps the placeholder.</summary>
    public static string Fill(string text, Func<string, string?> value)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(value);
        return Placeholder().Replace(text, m => value(m.Groups[1].Value) ?? m.Value);
    }

    [GeneratedRegex(@"\{([A-Za-z]+)\}")]
    private static partial Regex Placeholder();

    private static Dictionary<string, string> Purposes { get; } = BuiltIn.ToDictionary(t => t.Key, t => t.Purpose, StringComparer.Ordinal);
}
