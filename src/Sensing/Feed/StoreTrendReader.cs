using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Sensing.Feed;

/// <summary>
/// Reads a <see cref="TrendPlan"/>'s values from the time-series store (VictoriaMetrics' <c>/api/v1/export</c>, one JSON
/// line per series): the raw readings (<c>sensing_reading_{metric}</c>, written by the processor's store sink) and,
/// when the store holds none of them for the devices (raw samples only of slow sensors), the minute aggregates
/// (<c>sensing_agg_1m_{metric}_max</c>, or <c>_min</c> for a falling limit).
/// </summary>
public sealed class StoreTrendReader(HttpClient http, string storeUrl)
{
    /// <summary>Reads the plan's series; throws <see cref="HttpRequestException"/> when the store fails.</summary>
    public async Task<(string Resolution, IReadOnlyList<TrendSeries> Series)> ReadAsync(TrendPlan plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (plan.Metric is not { } metric || (plan.Devices.Count == 0 && plan.District is null))
        {
            return ("none", []);
        }

        var raw = await ExportAsync(Selector("sensing_reading_" + metric, plan), plan, cancellationToken);
        if (raw.Count != 0)
        {
            return ("raw", raw);
        }

        var statistic = plan.Falling ? "min" : "max";
        var minutes = await ExportAsync(Selector($"sensing_agg_1m_{metric}_{statistic}", plan), plan, cancellationToken);
        return (minutes.Count == 0 ? "none" : "1m " + statistic, minutes);
    }

    /// <summary>The series selector for <paramref name="name"/> over the plan's devices (or its district).</summary>
    public static string Selector(string name, TrendPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (plan.Devices.Count == 0)
        {
            return $"{name}{{district=\"{Quote(plan.District ?? "")}\"}}";
        }

        // Device ids are [A-Za-z0-9._-]: only '.' means something in a regular expression; "\\." in the PromQL string is \. in the regex.
        return $"{name}{{device=~\"{string.Join('|', plan.Devices.Select(d => d.Replace(".", "\\\\.", StringComparison.Ordinal)))}\"}}";
    }

    /// <summary>
    /// Parses an <c>/api/v1/export</c> answer: one JSON object a line with <c>metric</c> (labels), <c>values</c> and
    /// <c>timestamps</c> (ms). Points outside [<paramref name="fromMs"/>, <paramref name="toMs"/>] are dropped; a
    /// device's series come out merged and in time order, at most <paramref name="maxSeries"/> devices, by id.
    /// </summary>
    public static IReadOnlyList<TrendSeries> Parse(string body, long fromMs, long toMs, int maxSeries)
    {
        ArgumentNullException.ThrowIfNull(body);
        var points = new SortedDictionary<string, List<(long T, double V)>>(StringComparer.Ordinal);
        foreach (var line in body.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            using var json = JsonDocument.Parse(line);
            var root = json.RootElement;
            var device = root.GetProperty("metric").TryGetProperty("device", out var d) ? d.GetString() ?? "" : "";
            var values = root.GetProperty("values");
            var times = root.GetProperty("timestamps");
            var list = points.TryGetValue(device, out var existing) ? existing : points[device] = [];
            for (var i = 0; i < Math.Min(values.GetArrayLength(), times.GetArrayLength()); i++)
            {
                var t = times[i].GetInt64();
                // The store writes NaN and infinities as strings.
                var v = values[i].ValueKind == JsonValueKind.Number ? values[i].GetDouble() : double.NaN;
                if (t >= fromMs && t <= toMs && double.IsFinite(v))
                {
                    list.Add((t, v));
                }
            }
        }

        return [.. points.Where(p => p.Value.Count != 0).Take(maxSeries).Select(p =>
        {
            var ordered = p.Value.OrderBy(x => x.T).ToList();
            return new TrendSeries(p.Key, [.. ordered.Select(x => x.T)], [.. ordered.Select(x => x.V)]);
        })];
    }

    private async Task<IReadOnlyList<TrendSeries>> ExportAsync(string selector, TrendPlan plan, CancellationToken cancellationToken)
    {
        var url = string.Create(CultureInfo.InvariantCulture,
            $"{storeUrl.TrimEnd('/')}/api/v1/export?match[]={Uri.EscapeDataString(selector)}&start={plan.FromMs / 1000.0:0.###}&end={plan.ToMs / 1000.0:0.###}");
        using var response = await http.GetAsync(url, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"the store answered {(int)response.StatusCode} to {selector}: {Shorten(body)}");
        }

        return Parse(body, plan.FromMs, plan.ToMs, TrendPlan.MaxSeries);
    }

    private static string Quote(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);

    private static string Shorten(string text) => text.Length <= 200 ? text : new StringBuilder(text, 0, 200, 203).Append("...").ToString();
}
