using System.Globalization;
using System.Text.Json;

namespace Sensing.IntegrationTests.Charts;

/// <summary>What the store answered to one query: the HTTP status, the API status, and the series it returned.</summary>
internal sealed record QueryAnswer(int HttpStatus, string Status, string? Error, int Series, int Points)
{
    public bool Valid => HttpStatus == 200 && Status == "success";

    public bool HasData => Valid && Points > 0;

    public override string ToString() => $"HTTP {HttpStatus} {Status}{(Error is null ? "" : ": " + Error)}, {Series} series, {Points} points";
}

/// <summary>One series of a query's answer.</summary>
internal sealed record SeriesValues(IReadOnlyDictionary<string, string> Labels, double Last, double Max, double Min)
{
    public string this[string label] => Labels.TryGetValue(label, out var value) ? value : "";
}

/// <summary>
/// The Prometheus HTTP API calls Grafana's Prometheus data source makes (POST form bodies, as with its
/// httpMethod POST), against VictoriaMetrics.
/// </summary>
internal sealed class PrometheusHttpApi(HttpClient http, string baseUrl)
{
    /// <summary>/api/v1/query_range, start and end aligned to the step as Grafana aligns them.</summary>
    public Task<QueryAnswer> QueryRangeAsync(string expression, DateTimeOffset start, DateTimeOffset end, TimeSpan step)
    {
        var stepSeconds = (long)step.TotalSeconds;
        var startS = start.ToUnixTimeSeconds() / stepSeconds * stepSeconds;
        var endS = (end.ToUnixTimeSeconds() + stepSeconds - 1) / stepSeconds * stepSeconds;
        return PostAsync("/api/v1/query_range",
        [
            new("query", expression), new("start", S(startS)), new("end", S(endS)), new("step", S(stepSeconds)),
        ]);
    }

    /// <summary>/api/v1/query at <paramref name="time"/> (Grafana's instant queries use the range's end).</summary>
    public Task<QueryAnswer> QueryAsync(string expression, DateTimeOffset time) =>
        PostAsync("/api/v1/query", [new("query", expression), new("time", S(time.ToUnixTimeSeconds()))]);

    /// <summary>
    /// The series of a query with their labels, last value and highest value: an instant query at
    /// <paramref name="end"/> when <paramref name="step"/> is null, else a range query.
    /// </summary>
    public async Task<IReadOnlyList<SeriesValues>> SeriesAsync(string expression, DateTimeOffset start, DateTimeOffset end, TimeSpan? step)
    {
        KeyValuePair<string, string>[] form = step is { } s
            ? [new("query", expression), new("start", S(start.ToUnixTimeSeconds())), new("end", S(end.ToUnixTimeSeconds())), new("step", S((long)s.TotalSeconds))]
            : [new("query", expression), new("time", S(end.ToUnixTimeSeconds()))];
        using var content = new FormUrlEncodedContent(form);
        using var response = await http.PostAsync(baseUrl + (step is null ? "/api/v1/query" : "/api/v1/query_range"), content);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var list = new List<SeriesValues>();
        foreach (var series in body.RootElement.GetProperty("data").GetProperty("result").EnumerateArray())
        {
            var labels = series.GetProperty("metric").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
            var values = (series.TryGetProperty("values", out var v) ? v.EnumerateArray().ToArray() : [series.GetProperty("value")])
                .Select(pair => double.Parse(pair[1].GetString()!, CultureInfo.InvariantCulture)).ToArray();
            list.Add(new SeriesValues(labels, values[^1], values.Max(), values.Min()));
        }

        return list;
    }

    /// <summary>label_values(selector, label): /api/v1/label/{label}/values with match[].</summary>
    public async Task<IReadOnlyList<string>> LabelValuesAsync(string label, string? match, DateTimeOffset start, DateTimeOffset end)
    {
        var url = $"{baseUrl}/api/v1/label/{Uri.EscapeDataString(label)}/values?start={start.ToUnixTimeSeconds()}&end={end.ToUnixTimeSeconds()}"
            + (match is null ? "" : "&match[]=" + Uri.EscapeDataString(match));
        using var body = JsonDocument.Parse(await http.GetStringAsync(url));
        return [.. body.RootElement.GetProperty("data").EnumerateArray().Select(v => v.GetString()!)];
    }

    /// <summary>Whether any series matching <paramref name="match"/> has samples between start and end (/api/v1/series).</summary>
    public async Task<bool> SeriesExistAsync(string match, DateTimeOffset start, DateTimeOffset end)
    {
        var url = $"{baseUrl}/api/v1/series?start={start.ToUnixTimeSeconds()}&end={end.ToUnixTimeSeconds()}&match[]={Uri.EscapeDataString(match)}";
        using var body = JsonDocument.Parse(await http.GetStringAsync(url));
        return body.RootElement.GetProperty("data").GetArrayLength() > 0;
    }

    private async Task<QueryAnswer> PostAsync(string path, KeyValuePair<string, string>[] form)
    {
        using var content = new FormUrlEncodedContent(form);
        using var response = await http.PostAsync(baseUrl + path, content);
        var text = await response.Content.ReadAsStringAsync();
        try
        {
            using var body = JsonDocument.Parse(text);
            var root = body.RootElement;
            var error = root.TryGetProperty("error", out var e) ? e.GetString() : null;
            var series = 0;
            var points = 0;
            if (root.TryGetProperty("data", out var data))
            {
                foreach (var s in data.GetProperty("result").EnumerateArray())
                {
                    series++;
                    points += s.TryGetProperty("values", out var values) ? values.GetArrayLength() : 1;
                }
            }

            return new QueryAnswer((int)response.StatusCode, root.GetProperty("status").GetString()!, error, series, points);
        }
        catch (JsonException)
        {
            return new QueryAnswer((int)response.StatusCode, "unparsable", text, 0, 0);
        }
    }

    private static string S(long value) => value.ToString(CultureInfo.InvariantCulture);
}
