using System.Text;
using Sensing.Detection;
using Sensing.Rules.Sections;

namespace Sensing.Rules.Schema;

/// <summary>
/// Writes a complete rules file from options: every section and key of <see cref="RuleSections.Root"/> with its value
/// and a comment above it, then the override sections, empty, with a commented example. What
/// <c>sensing rules defaults</c> prints; <see cref="RulesReader"/> reads it back to the same options.
/// </summary>
internal static class RulesWriter
{
    private const int Width = 118;

    private static readonly string[] Header =
    [
        "Sensing rules: every detection option with its value (docs/rules.md). A file needs only the keys it changes;",
        "a key left out keeps the value shown here. Check a file with `sensing rules check FILE`; give it to",
        "`sensing processor`, `sensing backtest`, `sensing feed` or `sensing up` with --rules FILE. A running processor",
        "reads the file again when it changes.",
        "Durations: 500ms, 30s, 5m, 2h, 7d, or combined: 1h30m. Numbers use a dot: 0.14.",
    ];

    private static readonly string[] OverridesHelp =
    [
        "Overrides. Each entry changes only the keys it sets; the rest come from above. A device's options are the",
        "city's, changed by its district's entry, then by its kind's, then by its own (the most specific wins).",
        "Water rules judge districts, so only district entries hold a water section, and response texts are the city's or a",
        "district's (responses); lifecycle and timeZone are the city's.",
        "Example:",
        "districts:",
        "  tunnel-1:            # a utility tunnel, GB 50838",
        "    methane:",
        "      level1Lel: 20",
        "      level2Lel: 35",
        "  d07:",
        "    water:",
        "      nightFlow:",
        "        gamma: 0.3",
        "kinds:",
        "  methane-detector:    # 12 V backup batteries",
        "    health:",
        "      lowBatteryVolts: 11.5",
        "devices:",
        "  md-00042:",
        "    methane:",
        "      offDelay: 2m",
    ];

    /// <summary>The whole file for <paramref name="options"/> (its overrides are not written: they are code, not values).</summary>
    public static string Write(DetectionOptions options)
    {
        var text = new StringBuilder();
        foreach (var line in Header)
        {
            text.Append("# ").Append(line).Append('\n');
        }

        var root = RuleSections.Root;
        foreach (var key in root.Keys)
        {
            text.Append('\n');
            WriteKey(text, key, key.Get(options), 0);
        }

        foreach (var section in root.Children)
        {
            text.Append('\n');
            WriteRecord(text, section.Record, section.Get(options), 0);
        }

        text.Append('\n');
        foreach (var line in OverridesHelp)
        {
            text.Append("# ").Append(line).Append('\n');
        }

        text.Append(RulesReader.Districts).Append(": {}\n");
        text.Append(RulesReader.Kinds).Append(": {}\n");
        text.Append(RulesReader.Devices).Append(": {}\n");
        return text.ToString();
    }

    private static void WriteRecord(StringBuilder text, RuleRecord record, object value, int indent)
    {
        Comment(text, record.Comment, indent);
        text.Append(' ', indent).Append(record.Name).Append(":\n");
        foreach (var key in record.Keys)
        {
            WriteKey(text, key, key.Get(value), indent + 2);
        }

        foreach (var child in record.Children)
        {
            WriteRecord(text, child.Record, child.Get(value), indent + 2);
        }
    }

    private static void WriteKey(StringBuilder text, RuleKey key, object value, int indent)
    {
        Comment(text, key.Comment, indent);
        text.Append(' ', indent).Append(key.Name).Append(": ").Append(RuleValueText.Format(key.Value, value)).Append('\n');
    }

    // One comment, wrapped at word boundaries.
    private static void Comment(StringBuilder text, string comment, int indent)
    {
        var line = new StringBuilder();
        foreach (var word in comment.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.Length > 0 && indent + 2 + line.Length + 1 + word.Length > Width)
            {
                text.Append(' ', indent).Append("# ").Append(line).Append('\n');
                line.Clear();
            }

            line.Append(line.Length > 0 ? " " : "").Append(word);
        }

        text.Append(' ', indent).Append("# ").Append(line).Append('\n');
    }
}
