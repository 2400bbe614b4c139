using System.Text.Json;

namespace Sensing.IntegrationTests.Storage;

/// <summary>One series of VictoriaMetrics' <c>/api/v1/export</c> (JSON lines).</summary>
public sealed record ExportedSeries(IReadOnlyDictionary<string, string> Labels, double[] Values, long[] Timestamps);

/// <summary>Reads series back from a real VictoriaMetrics through <c>/api/v1/export</c>.</summary>
public static class StoreExport
{
    /// <summary>Every series matching the PromQL series selector <paramref name="match"/> in [start, end] (Unix ms).</summary>
    public static async Task<List<ExportedSeries>> ReadAsync(HttpClient http, string baseUrl, string match, long startMs, long endMs)
    {
        var url = $"{baseUrl}/api/v1/export?match[]={Uri.EscapeDataString(match)}&start={startMs / 1000}&end={(endMs / 1000) + 1}";
        var body = await http.GetStringAsync(url);
        var series = new List<ExportedSeries>();
        foreach (var line in body.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            using var json = JsonDocument.Parse(line);
            var root = json.RootElement;
            var labels = root.GetProperty("metric").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
            series.Add(new ExportedSeries(
                labels,
                [.. root.GetProperty("values").EnumerateArray().Select(v => v.GetDouble())],
                [.. root.GetProperty("timestamps").EnumerateArray().Select(v => v.GetInt64())]));
        }

        return series;
    }
}
