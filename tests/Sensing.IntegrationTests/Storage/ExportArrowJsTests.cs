using System.Globalization;
using System.Text;
using System.Text.Json;
using Sensing.LocalServers;
using Sensing.Storage.Export;

namespace Sensing.IntegrationTests.Storage;

/// <summary>
/// The export's Arrow IPC stream (Apache.Arrow's writer) read by another Arrow implementation (apache-arrow 21, npm):
/// several record batches, a batch spanning two of the store's time slices, nulls, non-ASCII strings and counts
/// past 32 bits, from a real VictoriaMetrics.
/// </summary>
[TestFixture]
public sealed class ExportArrowJsTests
{
    // 2025-12-01T10:00:00Z, a whole minute.
    private const long T0 = 1_764_583_200_000;
    private const long Minute = 60_000;
    private const int Devices = 100;
    private const int Minutes = 5;

    [Test]
    public async Task TableFromIpc_ExportInTwoBatchesWithNulls_RowsTypesAndValuesMatch()
    {
        await using var store = new LocalVictoriaMetrics();
        await store.StartAsync();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        await WriteAsync(http, store);
        var exporter = new StoreExporter(http, StoreExporterOptions.Default with { StoreUrl = store.BaseUrl, BatchRows = 600 });
        using var output = new MemoryStream();

        var export = await exporter.StartAsync(new ExportQuery(ExportKind.Aggregates, T0, T0 + (Minutes * Minute)));
        await export.WriteAsync(output);
        var table = await ApacheArrowJs.ReadAsync(output.ToArray());

        Assert.That(table.Fields, Is.EqualTo(new[]
        {
            ("time", "Timestamp<MILLISECOND, UTC>"), ("device", "Utf8"), ("district", "Utf8"), ("kind", "Utf8"), ("metric", "Utf8"),
            ("min", "Float64"), ("max", "Float64"), ("mean", "Float64"), ("last", "Float64"), ("count", "Int64"),
        }));
        Assert.That(export.Slices, Is.EqualTo(2), "one minute, then the four left");
        Assert.That(table.Batches, Is.EqualTo(2), "600 rows, then 400");
        Assert.That(table.Rows, Has.Count.EqualTo(Minutes * Devices * 2));
        var i = 0;
        for (var minute = 0; minute < Minutes; minute++)
        {
            for (var d = 0; d < Devices; d++)
            {
                foreach (var metric in new[] { "battery", "flow" })
                {
                    var row = table.Rows[i++];
                    var flow = metric == "flow";
                    var n = (minute * Devices) + d;
                    Assert.That(row[0].GetInt64(), Is.EqualTo(T0 + (minute * Minute)), $"time of row {i}");
                    Assert.That(row[1].GetString(), Is.EqualTo($"dév-{d:D3}"));
                    Assert.That(d % 10 == 3 ? row[2].ValueKind == JsonValueKind.Null : row[2].GetString() == $"d{d % 4:D2}", Is.True, $"district of row {i}");
                    Assert.That(row[4].GetString(), Is.EqualTo(metric));
                    Assert.That(flow && n % 7 == 0 ? row[5].ValueKind == JsonValueKind.Null : row[5].GetDouble() == (flow ? n / 8.0 : 3.5), Is.True, $"min of row {i}");
                    Assert.That(row[8].GetDouble(), Is.EqualTo(flow ? (n / 8.0) + 1 : 3.6));
                    Assert.That(row[9].GetDouble(), Is.EqualTo(flow ? n * 1_000_000_007.0 : 4));
                }
            }
        }
    }

    // Aggregates of gas meters dév-000.., flow and battery; every tenth device has no district, every seventh flow no min.
    private static async Task WriteAsync(HttpClient http, LocalVictoriaMetrics store)
    {
        var lines = new StringBuilder();
        for (var minute = 0; minute < Minutes; minute++)
        {
            for (var d = 0; d < Devices; d++)
            {
                var n = (minute * Devices) + d;
                lines.Append(CultureInfo.InvariantCulture, $"sensing_agg_1m,device=dév-{d:D3}");
                if (d % 10 != 3)
                {
                    lines.Append(CultureInfo.InvariantCulture, $",district=d{d % 4:D2}");
                }

                lines.Append(",kind=gas-meter ");
                if (n % 7 != 0)
                {
                    lines.Append(CultureInfo.InvariantCulture, $"flow_min={n / 8.0},");
                }

                lines.Append(CultureInfo.InvariantCulture, $"flow_max={(n / 8.0) + 2},flow_mean={(n / 8.0) + 1},flow_last={(n / 8.0) + 1},flow_count={n * 1_000_000_007L},")
                    .Append(CultureInfo.InvariantCulture, $"battery_min=3.5,battery_max=3.6,battery_mean=3.55,battery_last=3.6,battery_count=4 {T0 + (minute * Minute)}\n");
            }
        }

        using var response = await http.PostAsync($"{store.BaseUrl}/write?precision=ms", new StringContent(lines.ToString(), Encoding.UTF8));
        response.EnsureSuccessStatusCode();
        await store.FlushAsync();
    }
}
