using System.Text.RegularExpressions;

namespace Sensing.IntegrationTests.Charts;

/// <summary>
/// Replays provisioned dashboards against a real store as Grafana's Prometheus data source would: resolves each
/// template variable with its label_values query, expands the query for a selection of variable values, sends it as
/// a range or instant query, and checks that every metric name the query reads exists in the store.
/// </summary>
internal sealed partial class DashboardReplay(PrometheusHttpApi store, DateTimeOffset from, DateTimeOffset to, TimeSpan scrapeInterval)
{
    public List<string> Failures { get; } = [];

    /// <summary>Queries sent so far.</summary>
    public int QueriesSent { get; private set; }

    /// <summary>Distinct metric names the dashboards read, each checked against the store.</summary>
    public SortedSet<string> NamesChecked { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Replays <paramref name="dashboard"/> with every variable at "All" (every query must return data), then with
    /// each single value of each variable (every query must be valid; a panel may rightly be empty for one district).
    /// </summary>
    public async Task ReplayAsync(GrafanaDashboard dashboard)
    {
        var values = new Dictionary<string, IReadOnlyList<string>>();
        foreach (var variable in dashboard.Variables)
        {
            values[variable.Name] = await ResolveAsync(dashboard, variable);
        }

        var all = dashboard.Variables.ToDictionary(v => v.Name, _ => VariableSelection.AllValues);
        await ReplaySelectionAsync(dashboard, all, requireData: true);
        foreach (var (name, list) in values)
        {
            foreach (var value in list)
            {
                var one = new Dictionary<string, VariableSelection>(all) { [name] = VariableSelection.Single(value) };
                await ReplaySelectionAsync(dashboard, one, requireData: false);
            }
        }
    }

    private async Task<IReadOnlyList<string>> ResolveAsync(GrafanaDashboard dashboard, TemplateVariable variable)
    {
        var m = LabelValuesQuery().Match(variable.Query);
        if (!m.Success)
        {
            Failures.Add($"{dashboard.Title}: variable {variable.Name}: query '{variable.Query}' is not label_values(...)");
            return [];
        }

        var selector = m.Groups["selector"].Success ? m.Groups["selector"].Value.Trim() : null;
        if (selector is not null)
        {
            await CheckNamesAsync($"{dashboard.Title}: variable {variable.Name}", selector);
        }

        var found = await store.LabelValuesAsync(m.Groups["label"].Value, selector, from, to);
        QueriesSent++;
        if (found.Count == 0)
        {
            Failures.Add($"{dashboard.Title}: variable {variable.Name}: '{variable.Query}' found no values");
        }

        return found;
    }

    private async Task ReplaySelectionAsync(GrafanaDashboard dashboard, IReadOnlyDictionary<string, VariableSelection> selection, bool requireData)
    {
        var template = new GrafanaTemplate(from, to, scrapeInterval, dashboard.Variables, selection);
        var label = string.Join(", ", selection.Select(s => $"{s.Key}={s.Value}"));
        foreach (var query in dashboard.Queries)
        {
            var expression = template.Expand(query);
            if (expression.Contains('$', StringComparison.Ordinal))
            {
                Failures.Add($"{query} [{label}]: unexpanded reference in '{expression}'");
                continue;
            }

            var answer = query.Instant
                ? await store.QueryAsync(expression, to)
                : await store.QueryRangeAsync(expression, from, to, template.Interval(query));
            QueriesSent++;
            if (!answer.Valid)
            {
                Failures.Add($"{query} [{label}]: invalid: {answer} for '{expression}'");
            }
            else if (requireData && !answer.HasData)
            {
                Failures.Add($"{query} [{label}]: no data for '{expression}'");
            }

            if (requireData)
            {
                await CheckNamesAsync(query.ToString(), expression);
            }
        }
    }

    /// <summary>Every name the expression reads must have series in the store; a name only a dashboard knows fails.</summary>
    public async Task CheckNamesAsync(string where, string expression)
    {
        var (names, patterns) = PromQlMetricNames.Extract(expression);
        foreach (var pattern in patterns)
        {
            if (PromQlMetricNames.SpelledOut(pattern) is { } spelled)
            {
                names = new SortedSet<string>(names.Concat(spelled), StringComparer.Ordinal);
            }
            else if (!await store.SeriesExistAsync($"{{__name__=~\"{pattern}\"}}", from, to))
            {
                Failures.Add($"{where}: no metric in the store matches __name__=~\"{pattern}\"");
            }
        }

        foreach (var name in names)
        {
            NamesChecked.Add(name);
            if (!await store.SeriesExistAsync(name, from, to))
            {
                Failures.Add($"{where}: names '{name}', which the pipeline did not write");
            }
        }
    }

    [GeneratedRegex(@"^\s*label_values\(\s*(?:(?<selector>.+),\s*)?(?<label>\w+)\s*\)\s*$")]
    private static partial Regex LabelValuesQuery();
}
