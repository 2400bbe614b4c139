using System.Globalization;
using System.Text;
using System.Text.Json;
using Sensing.Core.Devices;
using Sensing.Core.Payloads;
using Sensing.Core.Telemetry;
using Sensing.Gateway;

namespace Sensing.IntegrationTests.Conformance;

/// <summary>
/// A concentrator (docs/gateway.md, "Concentrators") publishing batches with real clients (mosquitto_pub, paho):
/// every item it serves lands in <c>sensing.telemetry</c> under its own device, keyed as if the device had published
/// it; an item for a device it does not serve goes to <c>sensing.deadletter</c> while the rest are taken; the PUBACK
/// comes only once every record of the batch is in Kafka.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class ConcentratorConformanceTests
{
    private readonly GatewayFixture _gateway = new();

    [OneTimeSetUp]
    public Task Start()
    {
        var hash = DeviceRegistryFile.HashSecret(GatewayFixture.Password);
        DeviceInfo Meter(string id, string district) => new(id, DeviceKind.GasMeter, district, 900, hash) { Parameters = DeviceParameters.Parse("qmax=6") };
        return _gateway.StartAsync(
        [
            Meter("gm-c-1", "d07"), Meter("gm-c-2", "d07"), Meter("gm-c-3", "d07"), Meter("gm-c-4", "d07"), Meter("gm-c-5", "d07"),
            Meter("gm-x-1", "d08"), Meter("gm-solo", "d08"),
            new DeviceInfo("wp-c-1", DeviceKind.WaterPressure, "d07", 120, hash) { Parameters = DeviceParameters.Parse("role=far-end") },
            new DeviceInfo("cc-d07", DeviceKind.Concentrator, "d07", 900, hash) { Parameters = DeviceParameters.Parse("serves=district:d07|gm-solo") },
        ]);
    }

    [OneTimeTearDown]
    public async Task Stop() => await _gateway.DisposeAsync();

    [Test]
    public async Task MosquittoPub_JsonBatch_EachReadingUnderItsDeviceAndForeignItemDeadLettered()
    {
        var persisted = _gateway.Counters.PersistedInKafka;
        const string batch = """
            [{"device":"gm-c-1","seq":101,"volume":10.5,"flow":0.4},
             {"device":"gm-x-1","seq":102,"volume":3,"flow":9},
             {"device":"gm-c-2","seq":103,"ts":1795667580000,"flow":0,"valve":"closed"},
             {"device":"gm-solo","seq":104,"flow":1.25},
             {"device":"wp-c-1","seq":105,"pressure":0.31}]
            """;
        var result = await PeerClient.RunAsync(Pub("mqttv311", "-m", batch));

        // mosquitto_pub -q 1 exits 0 only after its PUBACK, and the PUBACK follows the last of the 5 records.
        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(_gateway.Counters.PersistedInKafka - persisted, Is.GreaterThanOrEqualTo(5), "PUBACK before every record was in Kafka");

        var first = await SingleReadingAsync("gm-c-1", 101, "district/d07");
        Assert.That(first.Metrics[Metric.GasVolume], Is.EqualTo(10.5));
        Assert.That(first.Metrics[Metric.GasFlow], Is.EqualTo(0.4));
        var second = await SingleReadingAsync("gm-c-2", 103, "district/d07");
        Assert.That(second.Metrics[Metric.ValveOpen], Is.Zero);
        var solo = await SingleReadingAsync("gm-solo", 104, "district/d08");
        Assert.That(solo.Metrics[Metric.GasFlow], Is.EqualTo(1.25), "a device named in serves, outside the district");
        var pressure = await SingleReadingAsync("wp-c-1", 105, "district/d07");
        Assert.That(pressure.Metrics[Metric.Pressure], Is.EqualTo(0.31).Within(1e-6), "a water sensor keyed by its district, as when it publishes itself");

        var letter = await DeadLetterAsync("gm-x-1");
        Assert.That(letter.GetProperty("reason").GetString(), Is.EqualTo(nameof(PayloadError.NotServedByConcentrator)));
        Assert.That(letter.GetProperty("concentrator").GetString(), Is.EqualTo("cc-d07"));
        Assert.That(Encoding.UTF8.GetString(letter.GetProperty("payload").GetBytesFromBase64()), Does.Contain("\"seq\":102"));
        Assert.That(_gateway.ReadingsOf("gm-x-1"), Is.Empty, "nothing written for the foreign device");
    }

    [Test]
    public async Task MosquittoPub5_BinaryBatch_EachReadingUnderItsDevice()
    {
        var payload = new List<byte> { ConcentratorBatch.Marker };
        void Item(string id, uint seq, MetricValue[] metrics)
        {
            var reading = new byte[BinaryReadingDecoder.HeaderLength + (metrics.Length * BinaryReadingDecoder.MetricLength)];
            BinaryReadingDecoder.Write(reading, seq, 1_795_667_580_000, metrics);
            payload.Add((byte)id.Length);
            payload.AddRange(Encoding.ASCII.GetBytes(id));
            payload.AddRange(reading);
        }

        Item("gm-c-3", 201, [new(Metric.GasVolume, 20), new(Metric.GasFlow, 0.5)]);
        Item("gm-nobody", 202, [new(Metric.GasFlow, 1)]);
        Item("gm-c-4", 203, [new(Metric.GasFlow, 0.75), new(Metric.BatteryVolts, 3.5)]);
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllBytesAsync(file, [.. payload]);
            var result = await PeerClient.RunAsync(Pub("mqttv5", "-f", file));
            Assert.That(result.ExitCode, Is.Zero, result.ToString());
        }
        finally
        {
            File.Delete(file);
        }

        Assert.That((await SingleReadingAsync("gm-c-3", 201)).Metrics[Metric.GasVolume], Is.EqualTo(20));
        Assert.That((await SingleReadingAsync("gm-c-4", 203)).Metrics[Metric.BatteryVolts], Is.EqualTo(3.5));
        var letter = await DeadLetterAsync("gm-nobody");
        Assert.That(letter.GetProperty("reason").GetString(), Is.EqualTo(nameof(PayloadError.UnknownDevice)));
    }

    [Test]
    public async Task Paho5_BatchWithGarbledEnvelope_OneDeadLetterNoReading()
    {
        var result = await PeerClient.RunAsync(PeerClient.Paho(PahoScripts.PublishTo, "127.0.0.1", Port, "cc-d07", GatewayFixture.Password, "5",
            """[{"device":"gm-c-5","seq":301,"flow":0.1}, {"device":"gm-c-5","seq":302""", "sensing/cc-d07/up"));

        Assert.That(result.Output, Does.Contain("acknowledged"), result.ToString());
        var letter = await DeadLetterAsync("cc-d07");
        Assert.That(letter.GetProperty("reason").GetString(), Is.EqualTo(nameof(PayloadError.MalformedJson)));
        // Positive control: a good batch after it; gm-c-5's reading 303 would come after any reading taken from the garbled one.
        var good = await PeerClient.RunAsync(PeerClient.Paho(PahoScripts.PublishTo, "127.0.0.1", Port, "cc-d07", GatewayFixture.Password, "5",
            """[{"device":"gm-c-5","seq":303,"flow":0.1}]""", "sensing/cc-d07/up"));
        Assert.That(good.Output, Does.Contain("acknowledged"), good.ToString());
        await SingleReadingAsync("gm-c-5", 303);
        Assert.That(_gateway.ReadingsOf("gm-c-5").Where(r => r.Sequence != 303), Is.Empty, "half a garbled batch is not taken");
    }

    [Test]
    public async Task MosquittoPub_ConcentratorConnects_NoOnlineRecordForItOrItsDevices()
    {
        var result = await PeerClient.RunAsync(Pub("mqttv311", "-m", """[{"device":"gm-c-1","seq":401,"flow":0}]"""));
        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        await SingleReadingAsync("gm-c-1", 401);

        Assert.That(_gateway.ReadingsOf("cc-d07"), Is.Empty, "a concentrator is not a device the processor tracks");
        Assert.That(_gateway.ReadingsOf("gm-c-1").Where(r => r.Metrics.ContainsKey(Metric.Online)), Is.Empty, "devices behind it are judged by their readings' age");
    }

    // key: the telemetry key the device's own publish would have had (its district), checked when given.
    private async Task<KafkaReading> SingleReadingAsync(string device, ulong sequence, string? key = null)
    {
        var readings = await _gateway.WaitForReadingsAsync(device, r => r.Any(x => x.Sequence == sequence));
        var reading = readings.Single(r => r.Sequence == sequence);
        if (key is not null)
        {
            Assert.That(reading.Key, Is.EqualTo(key), "keyed as if the device had published it itself");
        }

        return reading;
    }

    private async Task<JsonElement> DeadLetterAsync(string device)
    {
        Assert.That(await GatewayFixture.EventuallyAsync(() => _gateway.DeadLetters.Any(l => DeadLetter.Device(l) == device)), Is.True, $"no dead letter for {device}");
        return JsonDocument.Parse(_gateway.DeadLetters.First(l => DeadLetter.Device(l) == device)).RootElement.Clone();
    }

    private string Port => _gateway.EndPoint.Port.ToString(CultureInfo.InvariantCulture);

    private PeerClient Pub(string version, string payloadOption, string payload) =>
        PeerClient.Mosquitto("mosquitto_pub", _gateway.EndPoint, "-V", version, "-i", "cc-d07", "-u", "cc-d07", "-P", GatewayFixture.Password,
            "-q", "1", "-t", "sensing/cc-d07/up", payloadOption, payload);
}
