using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Sensing.IntegrationTests.Charts;

/// <summary>
/// What Grafana's InfluxDB data source does to an InfluxQL query before it sends it: $timeFilter becomes
/// "time >= FROMms and time <= TOms", $__interval and $__interval_ms the step from the range, the panel's data points
/// and the data source's minimum interval (as for Prometheus), and template variables are formatted for InfluxQL: a
/// multi-value or include-All variable becomes its values regex-escaped, several of them as "(a|b)", which fits both
/// <c>=~ /^$var$/</c> and a plain <c>'$var'</c>.
/// </summary>
internal sealed partial class InfluxQlTemplate(DateTimeOffset from, DateTimeOffset to, TimeSpan minInterval,
    IReadOnlyList<TemplateVariable> variables, IReadOnlyDictionary<string, VariableSelection> selection,
    IReadOnlyDictionary<string, IReadOnlyList<string>> found)
{
    private readonly GrafanaTemplate _intervals = new(from, to, minInterval, variables, new Dictionary<string, VariableSelection>());

    /// <summary>The time condition Grafana writes for an absolute range.</summary>
    public string TimeFilter => $"time >= {InfluxQlHttpApi.Ms(from)}ms and time <= {InfluxQlHttpApi.Ms(to)}ms";

    /// <summary>The step Grafana uses for <paramref name="query"/> (its $__interval).</summary>
    public TimeSpan Interval(PanelQuery query) => _intervals.Interval(query);

    /// <summary>The query text Grafana sends for <paramref name="query"/>.</summary>
    public string Expand(PanelQuery query)
    {
        var interval = Interval(query);
        var rangeMs = (long)(to - from).TotalMilliseconds;
        var text = new StringBuilder(query.Expression)
            .Replace("$timeFilter", TimeFilter)
            .Replace("$__interval_ms", ((long)interval.TotalMilliseconds).ToString(CultureInfo.InvariantCulture))
            .Replace("$__interval", GrafanaTemplate.FormatDuration(interval))
            .Replace("$__range_ms", rangeMs.ToString(CultureInfo.InvariantCulture))
            .Replace("$__range_s", (rangeMs / 1000).ToString(CultureInfo.InvariantCulture))
            .ToString();
        return ExpandVariables(text);
    }

    /// <summary>Replaces $name, ${name}, ${name:format} and [[name]] of the dashboard's variables with the selected values.</summary>
    public string ExpandVariables(string text) => GrafanaTemplate.ReplaceVariables(text, variables, variable =>
    {
        var chosen = selection.TryGetValue(variable.Name, out var s) ? s : VariableSelection.AllValues;
        return chosen.All && variable.AllValue is not null
            ? variable.AllValue
            : Format(variable, chosen.All ? found.GetValueOrDefault(variable.Name, []) : chosen.Values);
    });

    // Grafana's InfluxDB data source (interpolateQueryExpr): a number is sent as it is; a multi-value or include-All
    // variable is regex-escaped, one value alone and several as an alternation; a single-value variable is escaped
    // for a string literal. "All" is the variable's custom all-value as written, else every value its query found.
    private static string Format(TemplateVariable variable, IReadOnlyList<string> values)
    {
        if (values.Count == 0)
        {
            return "";
        }

        if (values.Count == 1 && double.TryParse(values[0], NumberStyles.Float, CultureInfo.InvariantCulture, out _))
        {
            return values[0];
        }

        if (!variable.Multi && !variable.IncludeAll)
        {
            return values[0].Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal);
        }

        var escaped = values.Select(v => RegexSpecial().Replace(v, "\\$0")).ToArray();
        return escaped.Length == 1 ? escaped[0] : "(" + string.Join("|", escaped) + ")";
    }

    // Grafana's escapeRegex: \ ^ $ * + ? . ( ) | [ ] { } and the / that ends an InfluxQL regex literal.
    [GeneratedRegex(@"[\\^$*+?.()|\[\]{}/]")]
    private static partial Regex RegexSpecial();
}
