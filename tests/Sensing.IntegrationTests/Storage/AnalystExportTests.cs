using System.Buffers;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Sensing.Core.Alerts;
using Sensing.Core.Devices;
using Sensing.Core.Telemetry;
using Sensing.Feed.Endpoints;
using Sensing.LocalServers;
using Sensing.Processor;

namespace Sensing.IntegrationTests.Storage;

/// <summary>
/// <c>GET /api/export</c>: known readings and alert events written by the processor's store code into a real
/// VictoriaMetrics, exported for a window and read back with apache-arrow (npm).
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class AnalystExportTests
{
    // 2025-12-01T10:00:00Z, a whole minute; VictoriaMetrics runs with -retentionPeriod=100y, so it keeps it.
    private const long T0 = 1_764_583_200_000;
    private const long Minute = 60_000;
    private static readonly DeviceInfo MeterA = new("gm-a", DeviceKind.GasMeter, "d01", 30, "");
    private static readonly DeviceInfo MeterB = new("gm-b", DeviceKind.GasMeter, "d02", 30, "");
    private static readonly DeviceInfo DetectorC = new("md-c", DeviceKind.MethaneDetector, "d01", 30, "");
    private readonly LocalVictoriaMetrics _store = new();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(60) };
    private readonly List<(DeviceInfo Device, long Time, Metric Metric, double Value)> _readings = [];
    private WebApplication? _feed;
    private string _feedUrl = "";

    [OneTimeSetUp]
    public async Task WriteKnownData()
    {
        await _store.StartAsync();
        var devices = new[] { MeterA, MeterB, DetectorC };
        await using (var store = ProcessorStore.Create(_store.BaseUrl))
        {
            // Four minutes, three readings per device and minute: values base + 0.5 k, so means are exact.
            for (var minute = 0; minute < 4; minute++)
            {
                for (var k = 0; k < 3; k++)
                {
                    for (var d = 0; d < devices.Length; d++)
                    {
                        var time = T0 + (minute * Minute) + (k * 15_000) + d;
                        MetricValue[] metrics = devices[d].Kind == DeviceKind.GasMeter
                            ? [new(Metric.GasFlow, (10 * d) + minute + (0.5 * k)), new(Metric.BatteryVolts, 3.5 + (0.25 * k))]
                            : [new(Metric.MethaneLel, 2 + minute + (0.5 * k))];
                        foreach (var m in metrics)
                        {
                            _readings.Add((devices[d], time, m.Metric, m.Value));
                        }

                        var frame = new ArrayBufferWriter<byte>();
                        // Each device's readings carry rising sequence numbers, as a device's do: the store counts a (device,
                        // sequence) once.
                        TelemetryFrame.Write(frame, devices[d].IdUtf8, devices[d].Kind, time, time, (ulong)((minute * 3) + k + 1), default, metrics);
                        TelemetryFrame.TryDecode(frame.WrittenSpan, out var reading, out _);
                        store.AppendReading(d, devices[d], reading);
                    }
                }
            }

            store.AppendAlert(Alert("al-1", AlertEventType.Raised, AlertSeverity.High, T0 + 70_000, 31.5, 31.5, 1, "d01"));
            store.AppendAlert(Alert("al-1", AlertEventType.Updated, AlertSeverity.Critical, T0 + 80_000, 52, 52, 2, "d01"));
            store.AppendAlert(Alert("al-1", AlertEventType.Cleared, AlertSeverity.Critical, T0 + 150_000, 4, 52, 3, "d01"));
            store.AppendAlert(Alert("al-2", AlertEventType.Raised, AlertSeverity.High, T0 + 90_000, 33, 33, 1, "d02"));
            store.AppendAlert(Alert("al-3", AlertEventType.Raised, AlertSeverity.High, T0 + 200_000, 35, 35, 1, "d01"));
            await store.FlushAsync(new ProcessorCounters(), CancellationToken.None);
        }

        await _store.FlushAsync();

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        _feed = builder.Build();
        _feed.MapAnalystExport(_store.BaseUrl);
        await _feed.StartAsync();
        _feedUrl = _feed.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        if (_feed is not null)
        {
            await _feed.StopAsync();
            await _feed.DisposeAsync();
        }

        _http.Dispose();
        await _store.DisposeAsync();
    }

    [Test]
    public async Task Export_AggregatesOfDistrictForTwoMinutes_ApacheArrowReadsExpectedRows()
    {
        var table = await ExportAsync($"what=aggregates&from={T0 + Minute}&to={T0 + (3 * Minute)}&district=d01");

        Assert.That(table.Fields.Select(f => f.Name), Is.EqualTo(new[] { "time", "device", "district", "kind", "metric", "min", "max", "mean", "last", "count" }));
        Assert.That(table.Fields[0].Type, Is.EqualTo("Timestamp<MILLISECOND, UTC>"));
        Assert.That(table.Fields[9].Type, Is.EqualTo("Int64"));
        var expected = Expected(r => r.Device.District == "d01", T0 + Minute, T0 + (3 * Minute));
        Assert.That(expected, Has.Count.EqualTo(6), "two minutes of gm-a flow and battery and md-c lel");
        AssertRows(table, expected);
    }

    [Test]
    public async Task Export_AggregatesOfKindIsoTimes_OnlyThatKind()
    {
        var from = DateTimeOffset.FromUnixTimeMilliseconds(T0).ToString("O");
        var to = DateTimeOffset.FromUnixTimeMilliseconds(T0 + (4 * Minute)).ToString("O");
        var table = await ExportAsync($"what=aggregates&from={Uri.EscapeDataString(from)}&to={Uri.EscapeDataString(to)}&kind=gas-meter");

        AssertRows(table, Expected(r => r.Device.Kind == DeviceKind.GasMeter, T0, T0 + (4 * Minute)));
    }

    [Test]
    public async Task Export_AlertsOfDistrict_EveryLifecycleEventInWindow()
    {
        var table = await ExportAsync($"what=alerts&from={T0}&to={T0 + (3 * Minute)}&district=d01");

        Assert.That(table.Fields.Select(f => f.Name), Is.EqualTo(new[] { "time", "alert_id", "event", "condition", "severity", "district", "kind", "source", "value", "peak", "count" }));
        Assert.That(table.Rows.Select(r => (r[0].GetInt64(), r[1].GetString(), r[2].GetString(), r[4].GetString())), Is.EqualTo(new[]
        {
            (T0 + 70_000, "al-1", "raised", "High"),
            (T0 + 80_000, "al-1", "updated", "Critical"),
            (T0 + 150_000, "al-1", "cleared", "Critical"),
        }));
        Assert.That(table.Rows.Select(r => (r[3].GetString(), r[5].GetString(), r[6].GetString(), r[7].GetString())),
            Is.All.EqualTo(("gas.methane-high", "d01", "methane-detector", "md-c")));
        Assert.That(table.Rows.Select(r => (r[8].GetDouble(), r[9].GetDouble(), r[10].GetInt64())), Is.EqualTo(new[] { (31.5, 31.5, 1L), (52.0, 52.0, 2L), (4.0, 52.0, 3L) }));
    }

    [TestCase("what=readings&from=0&to=1")]
    [TestCase("what=aggregates&from=10&to=5")]
    [TestCase("what=aggregates&from=0&to=1&kind=toaster")]
    public async Task Export_BadParameters_400(string query)
    {
        using var response = await _http.GetAsync($"{_feedUrl}/api/export?{query}");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
    }

    private async Task<ArrowJsTable> ExportAsync(string query)
    {
        using var response = await _http.GetAsync($"{_feedUrl}/api/export?{query}");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/vnd.apache.arrow.stream"));
        return await ApacheArrowJs.ReadAsync(await response.Content.ReadAsByteArrayAsync());
    }

    // Expected aggregate rows, computed here from the readings: (time, device, district, kind, metric, min, max, mean, last, count).
    private List<object[]> Expected(Func<(DeviceInfo Device, long Time, Metric Metric, double Value), bool> filter, long from, long to) =>
        [.. _readings.Where(filter)
            .GroupBy(r => (Time: r.Time / Minute * Minute, r.Device.Id, r.Device.District, Kind: r.Device.Kind.Name(), Metric: r.Metric.Name()))
            .Where(g => g.Key.Time >= from && g.Key.Time < to)
            .OrderBy(g => g.Key.Time).ThenBy(g => g.Key.Id, StringComparer.Ordinal).ThenBy(g => g.Key.Metric, StringComparer.Ordinal)
            .Select(g => new object[]
            {
                g.Key.Time, g.Key.Id, g.Key.District, g.Key.Kind, g.Key.Metric,
                g.Min(r => r.Value), g.Max(r => r.Value), g.Average(r => r.Value), g.OrderBy(r => r.Time).Last().Value, (long)g.Count(),
            })];

    // Rows compared as text, doubles to 9 decimals, so a mismatch shows both rows whole.
    private static void AssertRows(ArrowJsTable table, List<object[]> expected)
    {
        static string Text(IEnumerable<object> values) =>
            string.Join(" | ", values.Select(v => v is double d ? d.ToString("F9", CultureInfo.InvariantCulture) : Convert.ToString(v, CultureInfo.InvariantCulture)));
        var actual = table.Rows.Select(row => Text(
        [
            row[0].GetInt64(), row[1].GetString()!, row[2].GetString()!, row[3].GetString()!, row[4].GetString()!,
            row[5].GetDouble(), row[6].GetDouble(), row[7].GetDouble(), row[8].GetDouble(), row[9].GetInt64(),
        ]));

        Assert.That(actual, Is.EqualTo(expected.Select(Text)));
    }

    private static AlertEvent Alert(string id, AlertEventType type, AlertSeverity severity, long time, double value, double peak, int count, string district) => new()
    {
        Id = id,
        Type = type,
        Source = district == "d01" ? "md-c" : "md-x",
        Condition = "gas.methane-high",
        Severity = severity,
        District = district,
        DeviceKind = "methane-detector",
        RaisedAtMs = time,
        EventTimeMs = time,
        Value = value,
        PeakValue = peak,
        Count = count,
    };
}
