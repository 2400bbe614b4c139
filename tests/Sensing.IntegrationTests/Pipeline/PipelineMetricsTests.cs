using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OpenTelemetry.Metrics;
using Sensing.Core.Alerts;
using Sensing.Core.Devices;
using Sensing.Core.Payloads;
using Sensing.IntegrationTests.Storage;
using Sensing.Storage;
using Sensing.Storage.Telemetry;

namespace Sensing.IntegrationTests.Pipeline;

/// <summary>
/// The pipeline's own metrics (docs/store.md) from a gateway, a processor and a feed in one process, each exported
/// with its service tag into a real VictoriaMetrics, after real MQTT clients published through real Kafka.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class PipelineMetricsTests
{
    private const string Password = "s3cret";
    private readonly PipelineFixture _city = new();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private readonly List<MeterProvider> _exports = [];
    private long _startedMs;

    [OneTimeSetUp]
    public async Task StartCity()
    {
        _startedMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var hash = DeviceRegistryFile.HashSecret(Password);
        await _city.StartAsync(
        [
            new DeviceInfo("md-leak", DeviceKind.MethaneDetector, "d01", 30, hash),
            new DeviceInfo("md-calm", DeviceKind.MethaneDetector, "d01", 30, hash),
            new DeviceInfo("gm-held", DeviceKind.GasMeter, "d02", 30, hash),
        ]);
        var store = StoreWriterOptions.Default with { Url = _city.Store.BaseUrl };
        foreach (var service in new[] { "gateway", "processor", "feed" })
        {
            _exports.Add(PipelineMetrics.Start(new PipelineMetricsOptions
            {
                Store = store,
                Service = service,
                Interval = TimeSpan.FromMilliseconds(500),
                SharedInstruments = service == "processor",
            }));
        }
    }

    [OneTimeTearDown]
    public async Task StopCity()
    {
        foreach (var export in _exports)
        {
            export.Dispose();
        }

        _http.Dispose();
        await _city.DisposeAsync();
    }

    [Test]
    public async Task Export_ReadingsDeadLetterAlertAndAction_StoreHoldsEachInstrumentUnderItsService()
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        Assert.That(await Publish("md-leak", $"{{\"seq\":1,\"ts\":{now},\"lel\":31.5}}"), Is.Zero);
        Assert.That(await Publish("md-calm", $"{{\"seq\":1,\"ts\":{now},\"lel\":2.5}}"), Is.Zero);
        Assert.That(await Publish("md-calm", "{\"seq\":"), Is.Zero, "a bad payload is acknowledged once it is in the dead-letter topic");

        var alert = await PollAsync(async () => (await ActiveAlertsAsync()).FirstOrDefault(a => a.Source == "md-leak"), TimeSpan.FromSeconds(30));
        Assert.That(alert, Is.Not.Null, "the leak should raise an alert");
        using (var ack = new HttpRequestMessage(HttpMethod.Post, $"{_city.FeedUrl}/api/alerts/{alert!.Id}/ack"))
        {
            ack.Headers.Add("X-Api-Key", _city.FeedKeys.OperatorKey);
            using var response = await _http.SendAsync(ack);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        using var held = StartSubscriber("gm-held");
        try
        {
            var gateway = _city.GatewayCounters;
            Assert.That(await PollAsync(() => Task.FromResult<object?>(gateway.Connections >= 1 ? "" : null), TimeSpan.FromSeconds(20)), Is.Not.Null,
                "mosquitto_sub should hold a connection");
            var reason = Enum.GetValues<PayloadError>().Single(r => gateway.DeadLettersFor(r) > 0);
            var processor = _city.Processor!.Counters;

            await Assert.MultipleAsync(async () =>
            {
                Assert.That(await StoreValueAsync("sensing_gateway_connections_value{service=\"gateway\"}", v => v >= 1), Is.GreaterThanOrEqualTo(1));
                Assert.That(await StoreValueAsync("sensing_gateway_readings_total{service=\"gateway\",kind=\"methane-detector\"}",
                    v => v == gateway.ReadingsOf(DeviceKind.MethaneDetector)), Is.EqualTo(gateway.ReadingsOf(DeviceKind.MethaneDetector)).And.GreaterThanOrEqualTo(2));
                Assert.That(await StoreValueAsync($"sensing_gateway_deadletters_total{{service=\"gateway\",reason=\"{reason}\"}}", v => v == 1), Is.EqualTo(1));
                Assert.That(await StoreValueAsync("sensing_gateway_throttled_total{service=\"gateway\"}", v => v == 0), Is.Zero, "no rate limit is set");
                Assert.That(await StoreValueAsync("sensing_processor_readings_total{service=\"processor\",kind=\"methane-detector\"}",
                    v => v == processor.ProcessedOf(DeviceKind.MethaneDetector)), Is.EqualTo(processor.ProcessedOf(DeviceKind.MethaneDetector)).And.GreaterThanOrEqualTo(2));
                Assert.That(await StoreValueAsync("sensing_processor_alert_events_total{service=\"processor\",condition=\"gas.methane-high\",event=\"raised\"}", v => v == 1), Is.EqualTo(1));
                Assert.That(await StoreValueAsync("sensing_processor_alert_latency_count{service=\"processor\",condition=\"gas.methane-high\"}", v => v == 1), Is.EqualTo(1));
                Assert.That(await StoreValueAsync("sensing_processor_alert_latency_p99{service=\"processor\",condition=\"gas.methane-high\"}", v => v > 0),
                    Is.GreaterThan(0).And.LessThan(300_000), "from the reading's event time to Kafka's acknowledgement");
                Assert.That(await StoreValueAsync("sensing_feed_actions_total{service=\"feed\",action=\"acknowledge\"}", v => v == 1), Is.EqualTo(1));
            });
        }
        finally
        {
            held.Kill(entireProcessTree: true);
            await held.WaitForExitAsync();
        }

        // Each part's instruments are written under its own service only; the shared store instruments once.
        await _city.Store.FlushAsync();
        var end = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var series = await StoreExport.ReadAsync(_http, _city.Store.BaseUrl, "{__name__=~\"sensing_(gateway|processor|feed|store)_.+\"}", _startedMs, end);
        var wrong = series.Where(s => s.Labels["service"] != ExpectedService(s.Labels["__name__"])).Select(s => s.Labels["__name__"] + "/" + s.Labels["service"]);
        Assert.That(wrong, Is.Empty);
        Assert.That(series.Select(s => s.Labels["__name__"]), Does.Contain("sensing_store_points_total"));
    }

    private static string ExpectedService(string measurement) =>
        measurement.StartsWith("sensing_store_", StringComparison.Ordinal) ? "processor" : measurement.Split('_')[1];

    private Task<int> Publish(string device, string payload) =>
        MosquittoPub.PublishAsync(_city.GatewayEndPoint, device, Password, $"sensing/{device}/up", payload);

    private Process StartSubscriber(string device)
    {
        var start = new ProcessStartInfo("mosquitto_sub") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[]
        {
            "-h", _city.GatewayEndPoint.Address.ToString(), "-p", _city.GatewayEndPoint.Port.ToString(CultureInfo.InvariantCulture),
            "-i", device, "-u", device, "-P", Password, "-t", $"sensing/{device}/down",
        })
        {
            start.ArgumentList.Add(arg);
        }

        return Process.Start(start)!;
    }

    private async Task<AlertEvent[]> ActiveAlertsAsync()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{_city.FeedUrl}/api/alerts?state=active");
        request.Headers.Add("X-Api-Key", _city.FeedKeys.ViewerKey);
        using var response = await _http.SendAsync(request);
        return await response.Content.ReadFromJsonAsync(AlertJsonContext.Default.AlertEventArray) ?? [];
    }

    /// <summary>The last value of <paramref name="selector"/>, polled until <paramref name="expected"/> holds or 30 s pass.</summary>
    private async Task<double?> StoreValueAsync(string selector, Func<double, bool> expected)
    {
        double? last = null;
        await PollAsync(async () =>
        {
            await _city.Store.FlushAsync();
            var query = Uri.EscapeDataString($"last_over_time({selector}[1h])");
            using var body = JsonDocument.Parse(await _http.GetStringAsync($"{_city.Store.BaseUrl}/api/v1/query?query={query}&nocache=1"));
            var result = body.RootElement.GetProperty("data").GetProperty("result");
            last = result.GetArrayLength() == 1
                ? double.Parse(result[0].GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture)
                : null;
            return last is { } value && expected(value) ? "" : null;
        }, TimeSpan.FromSeconds(30));
        return last;
    }

    private static async Task<T?> PollAsync<T>(Func<Task<T?>> probe, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var value = await probe();
            if (value is not null || clock.Elapsed > timeout)
            {
                return value;
            }

            await Task.Delay(250);
        }
    }
}
