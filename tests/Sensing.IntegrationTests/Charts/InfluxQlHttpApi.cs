using System.Globalization;
using System.Text.Json;

namespace Sensing.IntegrationTests.Charts;

/// <summary>One series of an InfluxQL answer: its measurement, tags, columns and rows.</summary>
internal sealed record InfluxSeries(string Name, IReadOnlyDictionary<string, string> Tags, IReadOnlyList<string> Columns, IReadOnlyList<JsonElement[]> Rows)
{
    public string this[string tag] => Tags.TryGetValue(tag, out var value) ? value : "";

    /// <summary>The numbers of one column, nulls left out.</summary>
    public IReadOnlyList<double> Numbers(string column)
    {
        var index = Columns.ToList().IndexOf(column);
        return index < 0 ? [] : [.. Rows.Select(r => r[index]).Where(v => v.ValueKind == JsonValueKind.Number).Select(v => v.GetDouble())];
    }
}

/// <summary>What InfluxDB answered to one query: the HTTP status, the first error of any statement, the series.</summary>
internal sealed record InfluxAnswer(int HttpStatus, string? Error, IReadOnlyList<InfluxSeries> Series)
{
    public bool Valid => HttpStatus == 200 && Error is null;

    public bool HasData => Valid && Series.Any(s => s.Rows.Count > 0);

    public override string ToString() =>
        $"HTTP {HttpStatus}{(Error is null ? "" : ": " + Error)}, {Series.Count} series, {Series.Sum(s => s.Rows.Count)} rows";
}

/// <summary>
/// InfluxDB 1.x's /query as Grafana's InfluxDB data source calls it with httpMode POST: a form body with db, q and
/// epoch=ms. Also the SHOW statements the replay uses to check names.
/// </summary>
internal sealed class InfluxQlHttpApi(HttpClient http, string baseUrl, string database)
{
    public async Task<InfluxAnswer> QueryAsync(string influxQl)
    {
        using var content = new FormUrlEncodedContent([new("db", database), new("q", influxQl), new("epoch", "ms")]);
        using var response = await http.PostAsync(baseUrl + "/query", content);
        var text = await response.Content.ReadAsStringAsync();
        try
        {
            using var body = JsonDocument.Parse(text);
            var root = body.RootElement;
            // {"error": "..."} for a query that does not parse; {"results": [{"error": "..."}]} for a statement that fails.
            var error = root.TryGetProperty("error", out var e) ? e.GetString() : null;
            var series = new List<InfluxSeries>();
            if (root.TryGetProperty("results", out var results))
            {
                foreach (var result in results.EnumerateArray())
                {
                    error ??= result.TryGetProperty("error", out var statementError) ? statementError.GetString() : null;
                    if (result.TryGetProperty("series", out var list))
                    {
                        series.AddRange(list.EnumerateArray().Select(Series));
                    }
                }
            }

            return new InfluxAnswer((int)response.StatusCode, error, series);
        }
        catch (JsonException)
        {
            return new InfluxAnswer((int)response.StatusCode, "unparsable answer: " + text, []);
        }
    }

    private static InfluxSeries Series(JsonElement s)
    {
        var tags = s.TryGetProperty("tags", out var t) ? t.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? "") : [];
        var columns = s.GetProperty("columns").EnumerateArray().Select(c => c.GetString()!).ToArray();
        var rows = s.TryGetProperty("values", out var values)
            ? values.EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.Clone()).ToArray()).ToArray()
            : [];
        return new InfluxSeries(s.TryGetProperty("name", out var n) ? n.GetString() ?? "" : "", tags, columns, rows);
    }

    /// <summary>The values of a SHOW TAG VALUES statement (column "value"), as a query variable lists them.</summary>
    public async Task<(InfluxAnswer Answer, IReadOnlyList<string> Values)> TagValuesAsync(string showTagValues)
    {
        var answer = await QueryAsync(showTagValues);
        return (answer, [.. answer.Series.SelectMany(s => StringColumn(s, "value")).Distinct().Order(StringComparer.Ordinal)]);
    }

    /// <summary>SHOW MEASUREMENTS.</summary>
    public async Task<IReadOnlySet<string>> MeasurementsAsync() =>
        (await QueryAsync("SHOW MEASUREMENTS")).Series.SelectMany(s => StringColumn(s, "name")).ToHashSet(StringComparer.Ordinal);

    /// <summary>The field keys and tag keys of <paramref name="measurement"/>: every name a query may read from it.</summary>
    public async Task<IReadOnlySet<string>> KeysAsync(string measurement)
    {
        var quoted = "\"" + measurement.Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
        var fields = await QueryAsync($"SHOW FIELD KEYS FROM {quoted}");
        var tags = await QueryAsync($"SHOW TAG KEYS FROM {quoted}");
        return fields.Series.SelectMany(s => StringColumn(s, "fieldKey")).Concat(tags.Series.SelectMany(s => StringColumn(s, "tagKey")))
            .ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>The first value after the time column in the first row of the first series, or 0 when there is none.</summary>
    public async Task<double> ScalarAsync(string influxQl)
    {
        var answer = await QueryAsync(influxQl);
        return answer.Series.FirstOrDefault() is { Rows: [var row, ..] } && row.Length > 1 && row[1].ValueKind == JsonValueKind.Number
            ? row[1].GetDouble()
            : 0;
    }

    private static IEnumerable<string> StringColumn(InfluxSeries series, string column)
    {
        var index = series.Columns.ToList().IndexOf(column);
        return index < 0 ? [] : series.Rows.Select(r => r[index].ToString()).Where(v => v.Length > 0);
    }

    public static string Ms(DateTimeOffset time) => time.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
}
