using System.Text.Json;

namespace Sensing.IntegrationTests.Charts;

/// <summary>One query of one panel of a provisioned dashboard (PromQL or InfluxQL), before Grafana expands it.</summary>
internal sealed record PanelQuery(string Dashboard, string Panel, string RefId, string Expression, bool Instant, int MaxDataPoints, string? MinInterval)
{
    public override string ToString() => $"{Dashboard} / {Panel} / {RefId}";
}

/// <summary>A query-type template variable: its name, its query and how Grafana formats its values.</summary>
internal sealed record TemplateVariable(string Name, string Query, bool Multi, bool IncludeAll, string? AllValue);

/// <summary>A dashboard JSON file read the way Grafana's file provider reads it: panels (and panels nested in rows), targets, templating.</summary>
internal sealed record GrafanaDashboard(string File, string Uid, string Title, string DefaultFrom, IReadOnlyList<TemplateVariable> Variables, IReadOnlyList<PanelQuery> Queries)
{
    // Grafana sizes maxDataPoints from the panel's width in pixels; a half-width panel on a common screen is
    // about 1,000 px wide, which is what the replay assumes when a panel does not set maxDataPoints.
    private const int DefaultMaxDataPoints = 1000;

    public static IReadOnlyList<GrafanaDashboard> LoadFolder(string folder) =>
        [.. Directory.GetFiles(folder, "*.json").Order(StringComparer.Ordinal).Select(f => Parse(f, System.IO.File.ReadAllText(f)))];

    public static GrafanaDashboard Parse(string file, string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        var title = root.GetProperty("title").GetString()!;
        var variables = new List<TemplateVariable>();
        if (root.TryGetProperty("templating", out var templating))
        {
            foreach (var v in templating.GetProperty("list").EnumerateArray())
            {
                if (v.GetProperty("type").GetString() != "query")
                {
                    continue;
                }

                var query = v.GetProperty("query");
                variables.Add(new TemplateVariable(
                    v.GetProperty("name").GetString()!,
                    query.ValueKind == JsonValueKind.Object ? query.GetProperty("query").GetString()! : query.GetString()!,
                    Flag(v, "multi"),
                    Flag(v, "includeAll"),
                    v.TryGetProperty("allValue", out var all) && all.ValueKind == JsonValueKind.String ? all.GetString() : null));
            }
        }

        var queries = new List<PanelQuery>();
        foreach (var panel in Panels(root.GetProperty("panels")))
        {
            if (!panel.TryGetProperty("targets", out var targets))
            {
                continue;
            }

            var panelTitle = panel.GetProperty("title").GetString()!;
            var maxDataPoints = panel.TryGetProperty("maxDataPoints", out var mdp) ? mdp.GetInt32() : DefaultMaxDataPoints;
            var minInterval = panel.TryGetProperty("interval", out var iv) ? iv.GetString() : null;
            foreach (var target in targets.EnumerateArray())
            {
                if (Flag(target, "hide"))
                {
                    continue;
                }

                // Prometheus targets hold their PromQL in "expr"; InfluxDB targets in raw mode hold their InfluxQL in "query".
                var expression = target.TryGetProperty("expr", out var expr) ? expr : target.GetProperty("query");
                queries.Add(new PanelQuery(title, panelTitle, target.GetProperty("refId").GetString()!,
                    expression.GetString()!, Flag(target, "instant") && !Flag(target, "range"), maxDataPoints, minInterval));
            }
        }

        var from = root.TryGetProperty("time", out var time) ? time.GetProperty("from").GetString()! : "now-6h";
        return new GrafanaDashboard(Path.GetFileName(file), root.GetProperty("uid").GetString()!, title, from, variables, queries);
    }

    private static IEnumerable<JsonElement> Panels(JsonElement panels)
    {
        foreach (var panel in panels.EnumerateArray())
        {
            yield return panel;
            if (panel.TryGetProperty("panels", out var nested))
            {
                foreach (var inner in Panels(nested))
                {
                    yield return inner;
                }
            }
        }
    }

    private static bool Flag(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.True;
}
