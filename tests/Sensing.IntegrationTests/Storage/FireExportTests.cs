using System.Buffers;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Sensing.Core.Devices;
using Sensing.Core.Telemetry;
using Sensing.Feed.Endpoints;
using Sensing.LocalServers;
using Sensing.Processor;

namespace Sensing.IntegrationTests.Storage;

/// <summary>
/// <c>GET /api/export?what=fire</c>: fire-safety readings written by the processor's store code into a real
/// VictoriaMetrics, exported with a column per statistic and per smoke alarm state, read back with apache-arrow (npm).
/// A gas meter's temperature and a water-pressure sensor's pressure, stored under the same metric names, stay out.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class FireExportTests
{
    // 2025-12-02T10:00:00Z, a whole minute; VictoriaMetrics runs with -retentionPeriod=100y, so it keeps it.
    private const long T0 = 1_764_669_600_000;
    private const long Minute = 60_000;
    private static readonly DeviceInfo Smoke = new("sa-1", DeviceKind.SmokeAlarm, "d05", 3600, "");
    private static readonly DeviceInfo Circuit = new("ef-1", DeviceKind.ElectricalFireDetector, "d05", 300, "");
    private static readonly DeviceInfo Hydrant = new("fp-1", DeviceKind.FireWaterPressure, "d05", 300, "");
    private static readonly DeviceInfo Meter = new("gm-1", DeviceKind.GasMeter, "d05", 900, "");
    private static readonly DeviceInfo Network = new("wp-1", DeviceKind.WaterPressure, "d05", 300, "");
    private readonly LocalVictoriaMetrics _store = new();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(60) };
    private WebApplication? _feed;
    private string _feedUrl = "";

    [OneTimeSetUp]
    public async Task WriteFireReadings()
    {
        await _store.StartAsync();
        DeviceInfo[] devices = [Smoke, Circuit, Hydrant, Meter, Network];
        await using (var store = ProcessorStore.Create(_store.BaseUrl))
        {
            // Minute 0: all quiet. Minute 1: the smoke alarm in alarm and then silenced by the occupant (1, then 1 | 32),
            // the circuit leaking 120 then 340 mA at 41.5 C, the hydrant main falling to 0.05 MPa.
            (long Offset, DeviceInfo Device, MetricValue[] Values)[] readings =
            [
                (0, Smoke, [new(Metric.AlarmBits, 0), new(Metric.BatteryVolts, 3.0)]),
                (1_000, Circuit, [new(Metric.ResidualCurrentMa, 60), new(Metric.Temperature, 30)]),
                (2_000, Hydrant, [new(Metric.Pressure, 0.32)]),
                (3_000, Meter, [new(Metric.Temperature, 12), new(Metric.GasFlow, 0.4)]),
                (4_000, Network, [new(Metric.Pressure, 0.28)]),
                (Minute + 5_000, Smoke, [new(Metric.AlarmBits, SmokeAlarmBits.Alarm)]),
                (Minute + 10_000, Circuit, [new(Metric.ResidualCurrentMa, 120), new(Metric.Temperature, 38)]),
                (Minute + 15_000, Hydrant, [new(Metric.Pressure, 0.11)]),
                (Minute + 40_000, Smoke, [new(Metric.AlarmBits, SmokeAlarmBits.Alarm | SmokeAlarmBits.Silenced)]),
                (Minute + 45_000, Circuit, [new(Metric.ResidualCurrentMa, 340), new(Metric.Temperature, 41.5)]),
                (Minute + 50_000, Hydrant, [new(Metric.Pressure, 0.05)]),
                (Minute + 55_000, Meter, [new(Metric.Temperature, 13)]),
            ];
            var seq = 0UL;
            foreach (var (offset, device, values) in readings)
            {
                var frame = new ArrayBufferWriter<byte>();
                TelemetryFrame.Write(frame, device.IdUtf8, device.Kind, T0 + offset, T0 + offset, ++seq, default, values);
                TelemetryFrame.TryDecode(frame.WrittenSpan, out var reading, out _);
                store.AppendReading(Array.IndexOf(devices, device), device, reading);
            }

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
    public async Task Export_Fire_ColumnsPerMetricAndSmokeStateWithTheReadingsValues()
    {
        var table = await ExportAsync($"what=fire&from={T0}&to={T0 + (2 * Minute)}");

        Assert.That(table.Fields.Select(f => f.Name), Is.EqualTo(new[]
        {
            "time", "device", "district", "kind", "residual_ma_max", "residual_ma_last", "temp_max", "temp_last", "pressure_min", "pressure_last",
            "alarm_bits", "smoke_alarm", "smoke_fault", "smoke_low_battery", "smoke_removed", "smoke_test", "smoke_silenced",
        }));
        Assert.That(table.Fields[10].Type, Is.EqualTo("Int64"));
        Assert.That(table.Fields[11].Type, Is.EqualTo("Bool"));
        Assert.That(table.Rows.Select(Text), Is.EqualTo(new[]
        {
            $"{T0} ef-1 d05 electrical-fire-detector 60 60 30 30 null null null null null null null null null",
            $"{T0} fp-1 d05 fire-water-pressure null null null null 0.32 0.32 null null null null null null null",
            $"{T0} sa-1 d05 smoke-alarm null null null null null null 0 False False False False False False",
            $"{T0 + Minute} ef-1 d05 electrical-fire-detector 340 340 41.5 41.5 null null null null null null null null null",
            $"{T0 + Minute} fp-1 d05 fire-water-pressure null null null null 0.05 0.05 null null null null null null null",
            $"{T0 + Minute} sa-1 d05 smoke-alarm null null null null null null 33 True False False False False True",
        }), "one row per fire device and minute; the gas meter's temperature and the network sensor's pressure are not fire readings");
    }

    [Test]
    public async Task Export_FireOfOneKind_OnlyThatKind()
    {
        var table = await ExportAsync($"what=fire&from={T0}&to={T0 + (2 * Minute)}&kind=smoke-alarm");

        Assert.That(table.Rows.Select(r => r[1].GetString()), Is.EqualTo(new[] { "sa-1", "sa-1" }));
    }

    [Test]
    public async Task Export_FireOfANonFireKind_400()
    {
        using var response = await _http.GetAsync($"{_feedUrl}/api/export?what=fire&from={T0}&to={T0 + Minute}&kind=gas-meter");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("not a fire-safety kind"));
    }

    private async Task<ArrowJsTable> ExportAsync(string query)
    {
        using var response = await _http.GetAsync($"{_feedUrl}/api/export?{query}");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return await ApacheArrowJs.ReadAsync(await response.Content.ReadAsByteArrayAsync());
    }

    private static string Text(System.Text.Json.JsonElement[] row) => string.Join(' ', row.Select(v => v.ValueKind switch
    {
        System.Text.Json.JsonValueKind.Null => "null",
        System.Text.Json.JsonValueKind.True => "True",
        System.Text.Json.JsonValueKind.False => "False",
        _ => v.ToString(),
    }));
}
