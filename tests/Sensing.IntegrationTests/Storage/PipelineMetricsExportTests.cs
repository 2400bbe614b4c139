using System.Diagnostics.Metrics;
using Sensing.LocalServers;
using Sensing.Storage;
using Sensing.Storage.Telemetry;

namespace Sensing.IntegrationTests.Storage;

/// <summary>The pipeline's own metrics exported through OpenTelemetry as line protocol into a real VictoriaMetrics.</summary>
[TestFixture]
[NonParallelizable]
public sealed class PipelineMetricsExportTests
{
    private readonly LocalVictoriaMetrics _store = new();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };

    [OneTimeSetUp]
    public Task Start() => _store.StartAsync();

    [OneTimeTearDown]
    public async Task Stop()
    {
        _http.Dispose();
        await _store.DisposeAsync();
    }

    [Test]
    public async Task Start_CounterGaugeHistogram_StoreHoldsTotalsValueAndQuantiles()
    {
        var started = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        using var meter = new Meter(PipelineMetrics.MeterName);
        var readings = meter.CreateCounter<long>("sensing.it.readings");
        var connections = meter.CreateUpDownCounter<long>("sensing.it.connections");
        var latency = meter.CreateHistogram<double>("sensing.it.latency", "ms");
        using (PipelineMetrics.Start(StoreWriterOptions.Default with { Url = _store.BaseUrl }, "processor", interval: TimeSpan.FromMilliseconds(500)))
        {
            readings.Add(3, new KeyValuePair<string, object?>("kind", "gas-meter"));
            readings.Add(4, new KeyValuePair<string, object?>("kind", "gas-meter"));
            readings.Add(1, new KeyValuePair<string, object?>("kind", "ev-charger"));
            connections.Add(10);
            connections.Add(-3);
            for (var i = 1; i <= 100; i++)
            {
                // 1..100 ms: the default buckets' bounds 0, 5, 10, 25, 50, 75, 100 put the median in (25, 50].
                latency.Record(i);
            }

            // A periodic export (every 500 ms) reaches the store while the provider runs; disposing it exports once more.
            await Eventually.HoldsAsync(async () =>
            {
                await _store.FlushAsync();
                return await LastAsync("sensing_it_latency_count", started, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()) == 100;
            }, TimeSpan.FromSeconds(60), "a periodic export holds the 100 latencies in the store");
        }

        await _store.FlushAsync();
        var end = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        Assert.That(await LastAsync("sensing_it_readings_total{kind=\"gas-meter\",service=\"processor\"}", started, end), Is.EqualTo(7));
        Assert.That(await LastAsync("sensing_it_readings_total{kind=\"ev-charger\"}", started, end), Is.EqualTo(1));
        Assert.That(await LastAsync("sensing_it_connections_value", started, end), Is.EqualTo(7));
        Assert.That(await LastAsync("sensing_it_latency_count", started, end), Is.EqualTo(100));
        Assert.That(await LastAsync("sensing_it_latency_sum", started, end), Is.EqualTo(5050));
        Assert.That(await LastAsync("sensing_it_latency_p50", started, end), Is.EqualTo(50).Within(1e-9), "the 50th of 100 values is the top of (25, 50]");
        Assert.That(await LastAsync("sensing_it_latency_p99", started, end), Is.EqualTo(99).Within(1e-9), "interpolated in (75, 100]: 75 + 25 * 24/25");
        var instance = (await StoreExport.ReadAsync(_http, _store.BaseUrl, "sensing_it_connections_value", started, end)).Single().Labels["instance"];
        Assert.That(instance, Does.EndWith($"-{Environment.ProcessId}"));
    }

    private async Task<double?> LastAsync(string selector, long start, long end)
    {
        var series = await StoreExport.ReadAsync(_http, _store.BaseUrl, selector, start, end);
        return series.Count == 1 ? series[0].Values[^1] : null;
    }
}
