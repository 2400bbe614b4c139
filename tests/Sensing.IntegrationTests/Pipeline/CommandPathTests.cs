using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Sensing.Core.Alerts;
using Sensing.Core.Commands;
using Sensing.Core.Devices;
using Sensing.Kafka;

namespace Sensing.IntegrationTests.Pipeline;

/// <summary>
/// Per-device detection through the real path (mosquitto_pub as the devices, gateway, Kafka 0.9, processor, feed):
/// a gas meter rupture's alert reaches the feed and its valve-close command reaches <c>sensing.commands</c>, keyed
/// by the meter; a device that falls silent is reported offline once other devices' readings move event time on,
/// and a district whose devices all fall silent is one district alert, not one per device.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class CommandPathTests
{
    private const string Password = "m3ter";
    private const string Meter = "gm-rupture";
    private const string Silent = "md-silent";
    private const string Talker = "md-talker";
    private const string OutageDistrict = "d09";
    private static readonly string[] OutageDevices = [.. Enumerable.Range(1, 6).Select(i => $"md-d09-{i}")];
    private readonly PipelineFixture _city = new();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };

    [OneTimeSetUp]
    public Task StartCity()
    {
        _http.DefaultRequestHeaders.Add("X-Api-Key", _city.FeedKeys.ViewerKey);
        return _city.StartAsync(
        [
            new DeviceInfo(Meter, DeviceKind.GasMeter, "d07", 900, DeviceRegistryFile.HashSecret(Password)) { Parameters = DeviceParameters.Parse("qmax=6") },
            new DeviceInfo(Silent, DeviceKind.MethaneDetector, "d07", 1, DeviceRegistryFile.HashSecret(Password)),
            new DeviceInfo(Talker, DeviceKind.MethaneDetector, "d07", 3_600, DeviceRegistryFile.HashSecret(Password)),
            .. OutageDevices.Select(id => new DeviceInfo(id, DeviceKind.MethaneDetector, OutageDistrict, 1, DeviceRegistryFile.HashSecret(Password))),
        ]);
    }

    [OneTimeTearDown]
    public async Task StopCity()
    {
        _http.Dispose();
        await _city.DisposeAsync();
    }

    [Test]
    public async Task MosquittoPub_FlowNearQmaxForFiveMinutes_RuptureAlertAndValveCloseCommandInKafka()
    {
        // Two readings 300 s apart in event time (the rupture duration), both within the clock-skew limit of now.
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var first = now - 290_000;
        var second = now + 10_000;
        Assert.That(await Publish(1, first, 5.8), Is.Zero, "mosquitto_pub should get its PUBACK");
        Assert.That(await Publish(2, second, 5.9), Is.Zero, "mosquitto_pub should get its PUBACK");

        var command = ReadCommand(TimeSpan.FromSeconds(60));
        Assert.That(command, Is.Not.Null, "a valve-close command should be on sensing.commands");
        Assert.That(command!.Value.Key, Is.EqualTo(Meter));
        Assert.That(command.Value.Command.Command, Is.EqualTo(DeviceCommandNames.ValveClose));
        Assert.That(command.Value.Command.IssuedAtMs, Is.EqualTo(second));

        var alerts = await _http.GetFromJsonAsync($"{_city.FeedUrl}/api/alerts?state=active", AlertJsonContext.Default.AlertEventArray) ?? [];
        var rupture = alerts.SingleOrDefault(a => a.Source == Meter && a.Condition == "gas.meter-rupture");
        Assert.That(rupture, Is.Not.Null, "the feed should list the rupture");
        Assert.That(rupture!.Severity, Is.EqualTo(AlertSeverity.Critical));
        Assert.That(command.Value.Command.AlertId, Is.EqualTo(rupture.Id));
        Assert.That(_city.Processor!.Counters.Commands, Is.EqualTo(1));
    }

    [Test]
    public async Task MosquittoPub_DeviceSilentForThreeIntervals_OfflineAlertInFeed()
    {
        // md-silent reports every second; after its one reading only md-talker is heard, 5 s later.
        var heard = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        Assert.That(await PublishLel(Silent, heard), Is.Zero);
        var published = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await Task.Delay(TimeSpan.FromSeconds(5));
        Assert.That(await PublishLel(Talker, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()), Is.Zero);

        AlertEvent? offline = null;
        var clock = Stopwatch.StartNew();
        while (offline is null && clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            var alerts = await _http.GetFromJsonAsync($"{_city.FeedUrl}/api/alerts?state=active", AlertJsonContext.Default.AlertEventArray) ?? [];
            offline = alerts.FirstOrDefault(a => a.Source == Silent && a.Condition == "device.offline");
            await Task.Delay(offline is null ? 500 : 0);
        }

        Assert.That(offline, Is.Not.Null, "the feed should list md-silent as offline");
        // Last heard is its reading or the gateway's record of its CONNECT, whichever is later: both lie between
        // `heard` and `published`.
        Assert.That(offline!.RaisedAtMs, Is.InRange(heard + 3_000, published + 3_000), "raised when three report intervals had passed");
    }

    [Test]
    public async Task MosquittoPub_SixDevicesOfADistrictFallSilent_OneDistrictAlertInFeed()
    {
        // Six detectors of d09 reporting every second are heard once; md-talker, 5 s later, moves event time on.
        foreach (var id in OutageDevices)
        {
            Assert.That(await PublishLel(id, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()), Is.Zero);
        }

        await Task.Delay(TimeSpan.FromSeconds(5));
        Assert.That(await PublishLel(Talker, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()), Is.Zero);

        AlertEvent[] offline = [];
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            var alerts = await _http.GetFromJsonAsync($"{_city.FeedUrl}/api/alerts?state=active", AlertJsonContext.Default.AlertEventArray) ?? [];
            offline = [.. alerts.Where(a => a.Condition == "device.offline" && (a.Source == OutageDistrict || OutageDevices.Contains(a.Source)))];
            if (offline.Any(a => a.Source == OutageDistrict))
            {
                break;
            }

            await Task.Delay(500);
        }

        // The first four raised device alerts; the fifth made a district alert that folded them in; the sixth joined
        // it without an alert of its own (the district alert lists it from its next update, a minute of event time on).
        Assert.That(offline.Select(a => a.Source), Is.EqualTo(new[] { OutageDistrict }), "one active offline alert for the district");
        Assert.That(offline[0].Devices, Is.EquivalentTo(OutageDevices.Take(5)));
    }

    private Task<int> PublishLel(string device, long ts) =>
        MosquittoPub.PublishAsync(_city.GatewayEndPoint, device, Password, $"sensing/{device}/up", $"{{\"seq\":1,\"ts\":{ts},\"lel\":1}}");

    private Task<int> Publish(int seq, long ts, double flow) =>
        MosquittoPub.PublishAsync(_city.GatewayEndPoint, Meter, Password, $"sensing/{Meter}/up",
            $"{{\"seq\":{seq},\"ts\":{ts},\"flow\":{flow.ToString(System.Globalization.CultureInfo.InvariantCulture)},\"valve\":1}}");

    private (string Key, DeviceCommand Command)? ReadCommand(TimeSpan timeout)
    {
        using var consumer = new RecordConsumer(_city.KafkaOptions, "it-commands-" + Guid.NewGuid().ToString("N"), "it-commands");
        consumer.Subscribe(_city.KafkaOptions.Topics.Commands);
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(500)) is { } record)
            {
                var command = JsonSerializer.Deserialize(record.Value, DeviceCommandJsonContext.Default.DeviceCommand)!;
                return (System.Text.Encoding.UTF8.GetString(record.Key), command);
            }
        }

        return null;
    }
}
