namespace Sensing.IntegrationTests.Charts;

/// <summary>
/// Replays provisioned InfluxQL dashboards against a real InfluxDB as Grafana's InfluxDB data source would: runs each
/// template variable's query (SHOW TAG VALUES ..., expanded with the variables before it), expands every panel query
/// for a selection of variable values, sends it to /query, and checks that every measurement, field and tag it reads
/// exists in the store.
/// </summary>
internal sealed class InfluxDashboardReplay(InfluxQlHttpApi store, DateTimeOffset from, DateTimeOffset to, TimeSpan minInterval)
{
    private readonly Dictionary<string, IReadOnlySet<string>> _keys = new(StringComparer.Ordinal);
    private IReadOnlySet<string>? _measurements;

    public List<string> Failures { get; } = [];

    /// <summary>Queries sent so far (variables and panels).</summary>
    public int QueriesSent { get; private set; }

    /// <summary>Every measurement.name the queries read, each checked against the store.</summary>
    public SortedSet<string> NamesChecked { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Replays <paramref name="dashboard"/> with every variable at "All" (every query must return a series), then with
    /// each single value of each variable (every query must be valid; a panel may rightly be empty for one district).
    /// </summary>
    public async Task ReplayAsync(GrafanaDashboard dashboard)
    {
        var all = dashboard.Variables.ToDictionary(v => v.Name, _ => VariableSelection.AllValues);
        var found = new Dictionary<string, IReadOnlyList<string>>();
        foreach (var variable in dashboard.Variables)
        {
            // A variable's query may use the variables listed before it (district WHERE kind =~ /^$kind$/), at "All".
            var template = new InfluxQlTemplate(from, to, minInterval, dashboard.Variables, all, found);
            var query = new PanelQuery(dashboard.Title, $"variable {variable.Name}", "query", variable.Query, false, 1000, null);
            found[variable.Name] = await ResolveAsync(query, template);
        }

        await ReplaySelectionAsync(dashboard, all, found, requireData: true);
        foreach (var (name, values) in found)
        {
            foreach (var value in values)
            {
                var one = new Dictionary<string, VariableSelection>(all) { [name] = VariableSelection.Single(value) };
                await ReplaySelectionAsync(dashboard, one, found, requireData: false);
            }
        }
    }

    private async Task<IReadOnlyList<string>> ResolveAsync(PanelQuery query, InfluxQlTemplate template)
    {
        var statement = template.Expand(query);
        if (!statement.TrimStart().StartsWith("SHOW TAG VALUES", StringComparison.OrdinalIgnoreCase))
        {
            Failures.Add($"{query}: '{query.Expression}' is not SHOW TAG VALUES ...");
            return [];
        }

        var (answer, values) = await store.TagValuesAsync(statement);
        QueriesSent++;
        if (!answer.Valid)
        {
            Failures.Add($"{query}: invalid: {answer} for '{statement}'");
        }
        else if (values.Count == 0)
        {
            Failures.Add($"{query}: '{statement}' found no values");
        }

        await CheckNamesAsync(query.ToString(), ShowTagValuesAsSelect(statement));
        return values;
    }

    private async Task ReplaySelectionAsync(GrafanaDashboard dashboard, IReadOnlyDictionary<string, VariableSelection> selection,
        IReadOnlyDictionary<string, IReadOnlyList<string>> found, bool requireData)
    {
        var template = new InfluxQlTemplate(from, to, minInterval, dashboard.Variables, selection, found);
        var label = string.Join(", ", selection.Select(s => $"{s.Key}={s.Value}"));
        foreach (var query in dashboard.Queries)
        {
            var statement = template.Expand(query);
            // A '$' is also the end anchor of a regex (/^...$/): only a reference Grafana would have replaced is left over.
            if (GrafanaTemplate.VariableReference().IsMatch(statement))
            {
                Failures.Add($"{query} [{label}]: unexpanded reference in '{statement}'");
                continue;
            }

            var answer = await store.QueryAsync(statement);
            QueriesSent++;
            if (!answer.Valid)
            {
                Failures.Add($"{query} [{label}]: invalid: {answer} for '{statement}'");
            }
            else if (requireData && !answer.HasData)
            {
                Failures.Add($"{query} [{label}]: no series for '{statement}'");
            }

            if (requireData)
            {
                await CheckNamesAsync(query.ToString(), statement);
            }
        }
    }

    /// <summary>Every measurement a query reads must exist, and every field or tag it names must be one of that measurement's.</summary>
    public async Task CheckNamesAsync(string where, string influxQl)
    {
        _measurements ??= await store.MeasurementsAsync();
        foreach (var read in InfluxQlNames.Extract(influxQl))
        {
            if (!_measurements.Contains(read.Measurement))
            {
                Failures.Add($"{where}: reads measurement '{read.Measurement}', which the pipeline did not write");
                continue;
            }

            if (!_keys.TryGetValue(read.Measurement, out var keys))
            {
                _keys[read.Measurement] = keys = await store.KeysAsync(read.Measurement);
            }

            foreach (var name in read.Names)
            {
                NamesChecked.Add($"{read.Measurement}.{name}");
                if (!keys.Contains(name))
                {
                    Failures.Add($"{where}: names '{name}' of '{read.Measurement}', which the pipeline did not write");
                }
            }
        }
    }

    // SHOW TAG VALUES FROM m WITH KEY = "k" WHERE ...: the same names as SELECT "k" FROM m WHERE ...
    private static string ShowTagValuesAsSelect(string statement)
    {
        var m = System.Text.RegularExpressions.Regex.Match(statement,
            @"^\s*SHOW\s+TAG\s+VALUES\s+FROM\s+(?<from>""[^""]+""|\w+)\s+WITH\s+KEY\s*=\s*(?<key>""[^""]+""|\w+)(?<rest>.*)$",
            System.Text.RegularExpressions.RegexOptions.IgnoreCase | System.Text.RegularExpressions.RegexOptions.Singleline);
        return m.Success ? $"SELECT {m.Groups["key"].Value} FROM {m.Groups["from"].Value}{m.Groups["rest"].Value}" : "";
    }
}
