using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Sensing.Core.Devices;
using Sensing.Core.Telemetry;
using Sensing.LocalServers;
using Sensing.Processor;

namespace Sensing.IntegrationTests.Storage;

/// <summary>
/// One minute of the whole city (190,000 devices) through the processor's store code into a real VictoriaMetrics:
/// the minute's aggregates and raw samples make one batch of lines several times the store writer's 16 MiB buffer,
/// which once stopped the processor ("bytes exceed MaxBufferedBytes"). The batch goes in requests under the limit.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class CityMinuteStoreTests
{
    private const int Devices = 190_000;
    private readonly LocalVictoriaMetrics _store = new();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(120) };

    [OneTimeSetUp]
    public Task StartStore() => _store.StartAsync();

    [OneTimeTearDown]
    public async Task StopStore()
    {
        _http.Dispose();
        await _store.DisposeAsync();
    }

    [Test]
    public async Task FlushAsync_OneMinuteOfTheWholeCity_EveryAggregateAndRawSampleStored()
    {
        // A whole minute ten minutes ago; one more reading later than its end plus the aggregate grace moves the
        // watermark past it.
        var minute = (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 60_000 * 60_000) - 600_000;
        var afterGrace = minute + 60_000 + (long)ProcessorStoreOptions.Default.AggregateGrace.TotalMilliseconds + 30_000;
        var counters = new ProcessorCounters();
        var frame = new ArrayBufferWriter<byte>(TelemetryFrame.MaxLength);
        await using (var store = ProcessorStore.Create(_store.BaseUrl))
        {
            for (var number = 0; number < Devices; number++)
            {
                var (device, metric) = CityDevice(number);
                Append(store, number, device, minute + (number % 60_000), new MetricValue(metric, 1 + (number % 97)), frame);
            }

            var (last, lastMetric) = CityDevice(0);
            Append(store, 0, last, afterGrace, new MetricValue(lastMetric, 1), frame, sequence: 2);
            await store.FlushAsync(counters, CancellationToken.None);

            Assert.That(store.Aggregates.MinutesWritten, Is.EqualTo(Devices), "the minute of every device was closed into this one batch");
            // About 190 bytes of aggregate and 90 of raw sample per device: 50 MiB of lines, three times the buffer.
            Assert.That(store.WriterCounters.BatchesWritten, Is.GreaterThan(StoreWriterLimit / Sensing.Storage.StoreWriterOptions.Default.BatchMaxBytes));
            Assert.That(store.WriterCounters.PointsWritten, Is.EqualTo((2 * Devices) + 1), "the aggregates and the raw samples, all accepted");
            Assert.That(store.WriterCounters.FailedBatches, Is.Zero);
        }

        var window = $"[{(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - minute + 60_000) / 1000}s]";
        var clock = Stopwatch.StartNew();
        double aggregated = 0, raw = 0;
        while (clock.Elapsed < TimeSpan.FromMinutes(3))
        {
            aggregated = await ScalarAsync($"sum(sum_over_time({{__name__=~\"sensing_agg_1m_.+_count\"}}{window}))");
            raw = await ScalarAsync($"sum(count_over_time({{__name__=~\"sensing_reading_.+\"}}{window}))");
            if (aggregated >= Devices + 1 && raw >= Devices + 1)
            {
                break;
            }

            await Task.Delay(1000);
        }

        // The minute of device 0's later reading is written too, when the store is disposed.
        Assert.That(aggregated, Is.EqualTo(Devices + 1), "every device's reading counted once in the store's one-minute aggregates");
        Assert.That(raw, Is.EqualTo(Devices + 1), "every raw sample stored");
    }

    private static long StoreWriterLimit => Sensing.Storage.StoreWriterOptions.Default.MaxBufferedBytes;

    // The city's mix: mostly gas meters, then chargers, methane detectors and water pressure sensors, in 100 districts.
    private static (DeviceInfo Device, Metric Metric) CityDevice(int number)
    {
        var district = "d" + (number % 100).ToString("D3", CultureInfo.InvariantCulture);
        var id = number.ToString("D6", CultureInfo.InvariantCulture);
        return (number % 10) switch
        {
            < 6 => (new DeviceInfo("gm-" + id, DeviceKind.GasMeter, district, 3600, ""), Metric.GasFlow),
            < 8 => (new DeviceInfo("ev-" + id, DeviceKind.EvCharger, district, 60, ""), Metric.PowerKw),
            8 => (new DeviceInfo("md-" + id, DeviceKind.MethaneDetector, district, 60, ""), Metric.MethaneLel),
            _ => (new DeviceInfo("wp-" + id, DeviceKind.WaterPressure, district, 60, ""), Metric.Pressure),
        };
    }

    private static void Append(ProcessorStore store, int number, DeviceInfo device, long time, MetricValue metric, ArrayBufferWriter<byte> frame, ulong sequence = 1)
    {
        frame.ResetWrittenCount();
        TelemetryFrame.Write(frame, device.IdUtf8, device.Kind, time, time, sequence, default, [metric]);
        TelemetryFrame.TryDecode(frame.WrittenSpan, out var reading, out _);
        store.AppendReading(number, device, reading);
    }

    private async Task<double> ScalarAsync(string query)
    {
        using var body = JsonDocument.Parse(await _http.GetStringAsync($"{_store.BaseUrl}/api/v1/query?query={Uri.EscapeDataString(query)}"));
        var result = body.RootElement.GetProperty("data").GetProperty("result");
        return result.GetArrayLength() == 0 ? 0 : double.Parse(result[0].GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture);
    }
}
