using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Sensing.Core.Alerts;
using Sensing.Core.Devices;
using Sensing.Core.Telemetry;
using Sensing.Kafka;

namespace Sensing.IntegrationTests.Pipeline;

[TestFixture]
[NonParallelizable]
public sealed class ThinPathTests
{
    private const string Password = "s3cret";
    private readonly PipelineFixture _city = new();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };

    [OneTimeSetUp]
    public Task StartCity()
    {
        var hash = DeviceRegistryFile.HashSecret(Password);
        _http.DefaultRequestHeaders.Add("X-Api-Key", _city.FeedKeys.ViewerKey);
        return _city.StartAsync(
        [
            new DeviceInfo("md-v311", DeviceKind.MethaneDetector, "d01", 30, hash),
            new DeviceInfo("md-v5", DeviceKind.MethaneDetector, "d02", 30, hash),
            new DeviceInfo("md-restart", DeviceKind.MethaneDetector, "d03", 30, hash),
            new DeviceInfo("md-calm", DeviceKind.MethaneDetector, "d01", 30, hash),
            new DeviceInfo("wp-key1", DeviceKind.WaterPressure, "d09", 300, hash),
            new DeviceInfo("wp-key2", DeviceKind.WaterPressure, "d09", 300, hash),
            new DeviceInfo("md-key", DeviceKind.MethaneDetector, "d09", 30, hash),
        ]);
    }

    [OneTimeTearDown]
    public async Task StopCity()
    {
        _http.Dispose();
        await _city.DisposeAsync();
    }

    [TestCase("md-v311", "mqttv311")]
    [TestCase("md-v5", "mqttv5")]
    public async Task MosquittoPub_MethaneAboveLevel1_AlertInFeedAndStore(string device, string version)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var exit = await MosquittoPub.PublishAsync(_city.GatewayEndPoint, device, Password, $"sensing/{device}/up",
            $"{{\"seq\":1,\"ts\":{now},\"lel\":31.5,\"battery\":3.6}}", qos: 1, version: version);
        Assert.That(exit, Is.Zero, "mosquitto_pub should get its PUBACK");

        var alert = await PollAsync(async () => (await ActiveAlertsAsync()).FirstOrDefault(a => a.Source == device), TimeSpan.FromSeconds(30));
        Assert.That(alert, Is.Not.Null, "the feed should list the alert");
        Assert.That(alert!.Condition, Is.EqualTo("gas.methane-high"));
        Assert.That(alert.Severity, Is.EqualTo(AlertSeverity.High));
        Assert.That(alert.Value, Is.EqualTo(31.5));
        Assert.That(alert.RaisedAtMs, Is.EqualTo(now));

        var stored = await PollAsync(() => StoreValueAsync($"sensing_alert_value{{source=\"{device}\",alert_id=\"{alert.Id}\",event=\"raised\"}}"), TimeSpan.FromSeconds(20));
        Assert.That(stored, Is.EqualTo(31.5), "the store should hold the raise event");
    }

    [Test]
    public async Task MosquittoPub_MethaneBelowLevel1_NoAlert()
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        Assert.That(await MosquittoPub.PublishAsync(_city.GatewayEndPoint, "md-calm", Password, "sensing/md-calm/up",
            $"{{\"seq\":1,\"ts\":{now},\"lel\":24.9}}"), Is.Zero);
        var processedBefore = _city.Processor!.Counters.Processed;
        var reading = await PollAsync(() => StoreValueAsync("sensing_reading_lel{device=\"md-calm\"}"), TimeSpan.FromSeconds(20));
        Assert.That(reading, Is.EqualTo(24.9), "the reading itself should be stored");
        Assert.That((await ActiveAlertsAsync()).Any(a => a.Source == "md-calm"), Is.False);
        Assert.That(_city.Processor.Counters.Processed, Is.GreaterThanOrEqualTo(processedBefore));
    }

    [Test]
    public async Task MosquittoPub_WrongPassword_Refused()
    {
        var exit = await MosquittoPub.PublishAsync(_city.GatewayEndPoint, "md-calm", "wrong", "sensing/md-calm/up", "{\"seq\":9,\"lel\":1}");
        Assert.That(exit, Is.Not.Zero);
        Assert.That(_city.GatewayCounters.Refused, Is.GreaterThan(0));
    }

    [Test]
    public async Task BrokerRestart_DuringPublishing_NoAcknowledgedReadingLost()
    {
        const string device = "md-restart";
        var acknowledged = new List<ulong>();
        var publisher = Task.Run(async () =>
        {
            for (ulong seq = 1; seq <= 30; seq++)
            {
                var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                var exit = await MosquittoPub.PublishAsync(_city.GatewayEndPoint, device, Password, $"sensing/{device}/up",
                    $"{{\"seq\":{seq},\"ts\":{now},\"lel\":1.5}}", timeout: TimeSpan.FromSeconds(90));
                if (exit == 0)
                {
                    acknowledged.Add(seq);
                }

                await Task.Delay(100);
            }
        });

        await PollAsync(() => Task.FromResult<object?>(acknowledged.Count >= 8 ? acknowledged : null), TimeSpan.FromSeconds(60));
        _city.Kafka.KillBroker();
        await Task.Delay(TimeSpan.FromSeconds(2));
        await _city.Kafka.StartBrokerAsync();
        await publisher.WaitAsync(TimeSpan.FromMinutes(3));

        Assert.That(acknowledged, Has.Count.GreaterThan(8), "publishing should continue after the restart");
        var inKafka = ReadSequences(device, acknowledged.Count, TimeSpan.FromSeconds(60));
        Assert.That(acknowledged.Except(inKafka), Is.Empty, "every acknowledged reading must be in sensing.telemetry");
    }

    [Test]
    public async Task MosquittoPub_DevicesOfOneDistrict_KeyedByDistrictOnOnePartition()
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        foreach (var (device, payload) in new[]
        {
            ("wp-key1", $"{{\"seq\":1,\"ts\":{now},\"pressure\":0.31}}"),
            ("wp-key2", $"{{\"seq\":1,\"ts\":{now},\"pressure\":0.29}}"),
            ("md-key", $"{{\"seq\":1,\"ts\":{now},\"lel\":1.5}}"),
        })
        {
            Assert.That(await MosquittoPub.PublishAsync(_city.GatewayEndPoint, device, Password, $"sensing/{device}/up", payload), Is.Zero, device);
        }

        var found = ReadKeys(["wp-key1", "wp-key2", "md-key"], TimeSpan.FromSeconds(60));
        Assert.Multiple(() =>
        {
            Assert.That(found.GetValueOrDefault("wp-key1").Key, Is.EqualTo("district/d09"));
            Assert.That(found.GetValueOrDefault("wp-key2").Key, Is.EqualTo("district/d09"));
            Assert.That(found.GetValueOrDefault("wp-key2").Partition, Is.EqualTo(found.GetValueOrDefault("wp-key1").Partition));
            Assert.That(found.GetValueOrDefault("md-key").Key, Is.EqualTo("district/d09"), "every kind is keyed by its district");
            Assert.That(found.GetValueOrDefault("md-key").Partition, Is.EqualTo(found.GetValueOrDefault("wp-key1").Partition));
        });
    }

    // The key and partition of each device's reading record (not the gateway's online events).
    private Dictionary<string, (string Key, int Partition)> ReadKeys(string[] devices, TimeSpan timeout)
    {
        var found = new Dictionary<string, (string Key, int Partition)>();
        using var consumer = new RecordConsumer(_city.KafkaOptions, "it-keys-" + Guid.NewGuid().ToString("N"), "it-keys");
        consumer.Subscribe(_city.KafkaOptions.Topics.Telemetry);
        var clock = Stopwatch.StartNew();
        while (found.Count < devices.Length && clock.Elapsed < timeout)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(500)) is { } record
                && TelemetryFrame.TryDecode(record.Value, out var frame, out _)
                && !frame.TryGet(Metric.Online, out _)
                && System.Text.Encoding.ASCII.GetString(frame.DeviceId) is var id && devices.Contains(id))
            {
                found[id] = (System.Text.Encoding.UTF8.GetString(record.Key), record.Partition);
            }
        }

        return found;
    }

    private HashSet<ulong> ReadSequences(string device, int expected, TimeSpan timeout)
    {
        using var consumer = new RecordConsumer(_city.KafkaOptions, "it-verify-" + Guid.NewGuid().ToString("N"), "it-verify");
        consumer.Subscribe(_city.KafkaOptions.Topics.Telemetry);
        var seen = new HashSet<ulong>();
        var clock = Stopwatch.StartNew();
        while (seen.Count < expected && clock.Elapsed < timeout)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(500)) is { } record
                && TelemetryFrame.TryDecode(record.Value, out var frame, out _)
                && frame.DeviceId.SequenceEqual(System.Text.Encoding.ASCII.GetBytes(device))
                && !frame.TryGet(Metric.Online, out _))
            {
                seen.Add(frame.Sequence);
            }
        }

        return seen;
    }

    private async Task<AlertEvent[]> ActiveAlertsAsync() =>
        await _http.GetFromJsonAsync($"{_city.FeedUrl}/api/alerts?state=active", AlertJsonContext.Default.AlertEventArray) ?? [];

    private async Task<double?> StoreValueAsync(string selector)
    {
        var query = Uri.EscapeDataString($"last_over_time({selector}[1h])");
        using var body = JsonDocument.Parse(await _http.GetStringAsync($"{_city.Store.BaseUrl}/api/v1/query?query={query}"));
        var result = body.RootElement.GetProperty("data").GetProperty("result");
        return result.GetArrayLength() == 0 ? null
            : double.Parse(result[0].GetProperty("value")[1].GetString()!, System.Globalization.CultureInfo.InvariantCulture);
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
