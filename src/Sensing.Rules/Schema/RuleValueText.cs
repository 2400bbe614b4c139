using System.Globalization;
using System.Text;
using Sensing.Detection;

namespace Sensing.Rules.Schema;

/// <summary>Reads and writes the YAML scalar of each <see cref="RuleValue"/>.</summary>
internal static class RuleValueText
{
    /// <summary>Reads <paramref name="text"/> as <paramref name="kind"/>; false with the problem when it is not one.</summary>
    public static bool TryParse(RuleValue kind, string text, out object value, out string problem)
    {
        problem = "";
        switch (kind)
        {
            case RuleValue.Number when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number):
                value = number;
                return true;
            case RuleValue.Number:
                problem = $"expected a number, was '{text}'";
                break;
            case RuleValue.WholeNumber when int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var whole):
                value = whole;
                return true;
            case RuleValue.WholeNumber:
                problem = $"expected a whole number, was '{text}'";
                break;
            case RuleValue.Boolean when bool.TryParse(text, out var flag):
                value = flag;
                return true;
            case RuleValue.Boolean:
                problem = $"expected true or false, was '{text}'";
                break;
            case RuleValue.Duration when DurationText.TryParse(text, out var duration, out problem):
                value = duration;
                return true;
            case RuleValue.TimeZone when TryFindZone(text, out var zone, out problem):
                value = zone;
                return true;
            case RuleValue.Text when !string.IsNullOrWhiteSpace(text):
                value = text.Trim();
                return true;
            case RuleValue.Text:
                problem = "expected a text, was blank";
                break;
            default:
                break;
        }

        value = null!;
        return false;
    }

    /// <summary>Writes <paramref name="value"/> (of <paramref name="kind"/>) as <see cref="TryParse"/> reads it.</summary>
    public static string Format(RuleValue kind, object value) => kind switch
    {
        RuleValue.Number => ((double)value).ToString("R", CultureInfo.InvariantCulture),
        RuleValue.WholeNumber => ((int)value).ToString(CultureInfo.InvariantCulture),
        RuleValue.Boolean => (bool)value ? "true" : "false",
        RuleValue.Duration => DurationText.Format((TimeSpan)value),
        RuleValue.TimeZone => ((TimeZoneInfo)value).Id,
        RuleValue.Text => Quoted((string)value),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a rule value"),
    };

    // A YAML double-quoted scalar (YAML 1.2 section 7.3.1): backslash and quote escaped, control characters as \n, \t
    // or \uXXXX, so any text reads back as itself.
    private static string Quoted(string text)
    {
        var quoted = new StringBuilder(text.Length + 2).Append('"');
        foreach (var c in text)
        {
            _ = c switch
            {
                '"' => quoted.Append("\\\""),
                '\\' => quoted.Append("\\\\"),
                '\n' => quoted.Append("\\n"),
                '\t' => quoted.Append("\\t"),
                < ' ' => quoted.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}"),
                _ => quoted.Append(c),
            };
        }

        return quoted.Append('"').ToString();
    }

    private static bool TryFindZone(string name, out TimeZoneInfo zone, out string problem)
    {
        problem = "";
        try
        {
            zone = TimeZoneInfo.FindSystemTimeZoneById(name.Trim());
            return true;
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException or ArgumentException)
        {
            // Without a zone database (no tzdata) the default still reads: it is built in.
            if (name.Trim() == DetectionOptions.ChinaStandardTime.Id)
            {
                zone = DetectionOptions.ChinaStandardTime;
                return true;
            }

            zone = null!;
            problem = $"unknown time zone '{name}': expected an IANA name such as Asia/Shanghai or Europe/Berlin, found in this machine's zone database (tzdata)";
            return false;
        }
    }
}
