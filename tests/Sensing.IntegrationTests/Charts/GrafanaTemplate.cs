using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Sensing.IntegrationTests.Charts;

/// <summary>The values chosen for one template variable: every value ("All") or a list.</summary>
internal sealed record VariableSelection(bool All, IReadOnlyList<string> Values)
{
    public static VariableSelection AllValues { get; } = new(true, []);

    public static VariableSelection Single(string value) => new(false, [value]);

    public override string ToString() => All ? "All" : string.Join(",", Values);
}

/// <summary>
/// What Grafana does to a Prometheus query before it sends it: computes $__interval from the time range and the
/// panel's data points, $__rate_interval from the data source's scrape interval, $__range from the range, and
/// replaces template variables formatted for a PromQL regex matcher.
/// </summary>
internal sealed partial class GrafanaTemplate(DateTimeOffset from, DateTimeOffset to, TimeSpan scrapeInterval,
    IReadOnlyList<TemplateVariable> variables, IReadOnlyDictionary<string, VariableSelection> selection)
{
    // Grafana's kbn.roundInterval: the raw interval (range / data points) snapped to a readable step.
    private static readonly (long UpToMs, long IntervalMs)[] RoundSteps =
    [
        (10, 1), (15, 10), (35, 20), (75, 50), (150, 100), (350, 200), (750, 500), (1_500, 1_000), (3_500, 2_000),
        (7_500, 5_000), (12_500, 10_000), (17_500, 15_000), (25_000, 20_000), (45_000, 30_000), (90_000, 60_000),
        (210_000, 120_000), (450_000, 300_000), (900_000, 600_000), (1_200_000, 900_000), (2_700_000, 1_200_000),
        (5_400_000, 1_800_000), (9_000_000, 3_600_000), (16_200_000, 7_200_000), (27_000_000, 18_000_000),
        (43_200_000, 36_000_000), (64_800_000, 43_200_000), (129_600_000, 86_400_000), (604_800_000, 604_800_000),
    ];

    public DateTimeOffset From { get; } = from;

    public DateTimeOffset To { get; } = to;

    /// <summary>The step Grafana uses for <paramref name="query"/> (its $__interval).</summary>
    public TimeSpan Interval(PanelQuery query)
    {
        var raw = (long)(To - From).TotalMilliseconds / Math.Max(1, query.MaxDataPoints);
        var rounded = RoundSteps.FirstOrDefault(s => raw <= s.UpToMs).IntervalMs;
        if (rounded == 0)
        {
            rounded = 2_592_000_000; // beyond a week Grafana rounds to 30 days
        }

        var minimum = query.MinInterval is { Length: > 0 } min ? ParseDuration(min) : scrapeInterval;
        return TimeSpan.FromMilliseconds(Math.Max(rounded, (long)minimum.TotalMilliseconds));
    }

    /// <summary>The query text Grafana sends for <paramref name="query"/>.</summary>
    public string Expand(PanelQuery query)
    {
        var interval = Interval(query);
        // Grafana: $__rate_interval = max($__interval + scrape interval, 4 x scrape interval).
        var rate = TimeSpan.FromTicks(Math.Max((interval + scrapeInterval).Ticks, 4 * scrapeInterval.Ticks));
        var rangeSeconds = (long)Math.Round((To - From).TotalSeconds);
        var text = new StringBuilder(query.Expression)
            .Replace("$__interval_ms", Ms(interval))
            .Replace("$__interval", FormatDuration(interval))
            .Replace("$__rate_interval_ms", Ms(rate))
            .Replace("$__rate_interval", FormatDuration(rate))
            .Replace("$__range_ms", (rangeSeconds * 1000).ToString(CultureInfo.InvariantCulture))
            .Replace("$__range_s", rangeSeconds.ToString(CultureInfo.InvariantCulture))
            .Replace("$__range", rangeSeconds.ToString(CultureInfo.InvariantCulture) + "s")
            .ToString();
        return ExpandVariables(text);
    }

    /// <summary>Replaces $name, ${name}, ${name:format} and [[name]] with the selected values.</summary>
    public string ExpandVariables(string text) => ReplaceVariables(text, variables, variable =>
        FormatForPrometheus(variable, selection.TryGetValue(variable.Name, out var s) ? s : VariableSelection.AllValues));

    /// <summary>
    /// Replaces every reference to one of <paramref name="variables"/> with what <paramref name="format"/> makes of it;
    /// a reference to a name that is not a dashboard variable is left for the store to reject.
    /// </summary>
    public static string ReplaceVariables(string text, IReadOnlyList<TemplateVariable> variables, Func<TemplateVariable, string> format) =>
        VariableReference().Replace(text, match =>
        {
            var name = match.Groups["braced"].Success ? match.Groups["braced"].Value
                : match.Groups["bracket"].Success ? match.Groups["bracket"].Value : match.Groups["plain"].Value;
            var variable = variables.FirstOrDefault(v => v.Name == name);
            return variable is null ? match.Value : format(variable);
        });

    public static TimeSpan ParseDuration(string text)
    {
        var match = DurationPattern().Match(text);
        if (!match.Success)
        {
            throw new FormatException("not a Grafana duration: " + text);
        }

        var value = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        return match.Groups[2].Value switch
        {
            "ms" => TimeSpan.FromMilliseconds(value),
            "s" => TimeSpan.FromSeconds(value),
            "m" => TimeSpan.FromMinutes(value),
            "h" => TimeSpan.FromHours(value),
            "d" => TimeSpan.FromDays(value),
            "w" => TimeSpan.FromDays(7 * value),
            _ => throw new FormatException("unknown unit in " + text),
        };
    }

    // Grafana's Prometheus data source: a multi-value or include-All variable becomes a regex alternation of its
    // values with regex metacharacters escaped, or the variable's custom "All" value as written.
    private static string FormatForPrometheus(TemplateVariable variable, VariableSelection chosen)
    {
        if (chosen.All && variable.AllValue is not null)
        {
            return variable.AllValue;
        }

        if (!variable.Multi && !variable.IncludeAll)
        {
            return chosen.Values[0].Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\\\'", StringComparison.Ordinal);
        }

        var escaped = chosen.Values.Select(v => RegexMetacharacter().Replace(v.Replace("\\", "\\\\\\\\", StringComparison.Ordinal), "\\\\$0")).ToArray();
        return escaped.Length == 1 ? escaped[0] : "(" + string.Join("|", escaped) + ")";
    }

    private static string Ms(TimeSpan span) => ((long)span.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);

    /// <summary>A duration as Grafana writes $__interval: "20s", "1m", "500ms".</summary>
    public static string FormatDuration(TimeSpan span)
    {
        var ms = (long)span.TotalMilliseconds;
        return ms % 86_400_000 == 0 ? $"{ms / 86_400_000}d"
            : ms % 3_600_000 == 0 ? $"{ms / 3_600_000}h"
            : ms % 60_000 == 0 ? $"{ms / 60_000}m"
            : ms % 1_000 == 0 ? $"{ms / 1_000}s"
            : $"{ms}ms";
    }

    /// <summary>$name, ${name}, ${name:format} and [[name]]: the forms of a template variable reference Grafana replaces.</summary>
    [GeneratedRegex(@"\$\{(?<braced>\w+)(?::\w+)?\}|\[\[(?<bracket>\w+)\]\]|\$(?<plain>[A-Za-z]\w*)")]
    internal static partial Regex VariableReference();

    [GeneratedRegex(@"[$^*{}\[\]'+?.()|]")]
    private static partial Regex RegexMetacharacter();

    [GeneratedRegex(@"^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)$")]
    private static partial Regex DurationPattern();
}
