using Sensing.Core.Payloads;
using Sensing.Core.Telemetry;
using Sensing.Gateway;

namespace Sensing.IntegrationTests.Conformance;

/// <summary>
/// Uplink with real clients: QoS 0/1/2 readings reach Kafka; wrong password, ACL denial and an oversize packet are
/// refused the way each protocol version says; 5.0 topic aliases work.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class PublishConformanceTests
{
    private const int MaxPacketSize = 4096;
    private readonly GatewayFixture _gateway = new();

    [OneTimeSetUp]
    public Task Start() => _gateway.StartAsync(
        GatewayFixture.Detectors("md-q-4", "md-q-5", "md-acl-4", "md-acl-5", "md-big-4", "md-big-5", "md-pw", "md-alias", "md-other", "md-bin", "md-junk"),
        o => o with { MaxPacketSize = MaxPacketSize });

    [OneTimeTearDown]
    public async Task Stop() => await _gateway.DisposeAsync();

    [TestCase("md-q-4", "mqttv311")]
    [TestCase("md-q-5", "mqttv5")]
    public async Task MosquittoPub_QoS0To2_EveryReadingInKafka(string device, string version)
    {
        for (var qos = 0; qos <= 2; qos++)
        {
            var result = await PeerClient.RunAsync(Pub(device, version, qos, $"sensing/{device}/up", $"{{\"seq\":{qos + 10},\"lel\":{qos}.5}}"));
            Assert.That(result.ExitCode, Is.Zero, $"QoS {qos}: {result}");
        }

        var readings = await _gateway.WaitForReadingsAsync(device, r => r.Count(x => x.Sequence >= 10) == 3);
        Assert.That(readings.Where(r => r.Sequence >= 10).Select(r => r.Sequence), Is.EquivalentTo(new ulong[] { 10, 11, 12 }));
        Assert.That(readings.Single(r => r.Sequence == 12).Metrics[Metric.MethaneLel], Is.EqualTo(2.5));
    }

    [TestCase("5", "connack 134")]
    [TestCase("4", "connack 4")]
    public async Task Paho_WrongPassword_RefusedWithReason(string version, string expected)
    {
        var refused = _gateway.Counters.Refused;
        var result = await PeerClient.RunAsync(PeerClient.Paho(PahoScripts.ConnectOnly,
            "127.0.0.1", Port, "md-pw", "not-the-password", version));

        // 5.0 3.2.2.2: 0x86 Bad User Name or Password; 3.1.1 3.2.2.3: return code 4.
        Assert.That(result.Output, Does.Contain(expected), result.ToString());
        Assert.That(_gateway.Counters.Refused, Is.GreaterThan(refused));
    }

    [Test]
    public async Task Paho5_PublishToAnotherDevicesTopic_PubAckNotAuthorized()
    {
        var result = await PeerClient.RunAsync(PeerClient.Paho(PahoScripts.PublishTo,
            "127.0.0.1", Port, "md-acl-5", GatewayFixture.Password, "5", "{\"seq\":1,\"lel\":1}", "sensing/md-other/up"));

        // 5.0 3.3.4: PUBACK with 0x87; the connection stays (paho reports the acknowledgement, no close).
        Assert.That(result.Output, Does.Contain("acknowledged").And.Not.Contain("closed"), result.ToString());
        // Positive control: md-other's own reading 51 would come after a record written from the foreign publish.
        await _gateway.PublishAndWaitAsync("md-other", 51);
        Assert.That(_gateway.ReadingsOf("md-other").Where(r => r.Sequence == 1), Is.Empty, "nothing written for the other device");
    }

    [Test]
    public async Task MosquittoPub311_PublishToAnotherDevicesTopic_Disconnected()
    {
        var result = await PeerClient.RunAsync(Pub("md-acl-4", "mqttv311", 1, "sensing/md-other/up", "{\"seq\":1,\"lel\":1}"));

        // 3.1.1 has no negative PUBACK: the gateway closes the connection, so mosquitto_pub never gets its PUBACK.
        Assert.That(result.ExitCode, Is.Not.Zero, result.ToString());
        // Positive control: md-other's own reading 41 would come after a record written from the foreign publish.
        await _gateway.PublishAndWaitAsync("md-other", 41);
        Assert.That(_gateway.ReadingsOf("md-other").Where(r => r.Sequence == 1), Is.Empty, "nothing written for the other device");
    }

    [TestCase("mqttv311")]
    [TestCase("mqttv5")]
    public async Task MosquittoSub_AnotherDevicesDownlink_SubscriptionDenied(string version)
    {
        var result = await PeerClient.RunAsync(PeerClient.Mosquitto("mosquitto_sub", _gateway.EndPoint,
            "-V", version, "-i", "md-acl-4", "-u", "md-acl-4", "-P", GatewayFixture.Password, "-t", "sensing/md-other/down", "-d", "-W", "5"));

        // 3.1.1 3.9.3: SUBACK 0x80 Failure; 5.0 3.9.3: 0x87 Not authorized. Either way mosquitto_sub gives up.
        Assert.That(result.Output + result.Error, Does.Contain("denied").IgnoreCase, result.ToString());
        Assert.That(result.Output, Does.Contain(version == "mqttv5" ? "135" : "128"), result.ToString());
    }

    [Test]
    public async Task MosquittoPub311_PacketAboveMaximum_ConnectionClosedNothingWritten()
    {
        const string device = "md-big-4";
        var malformed = _gateway.Counters.Malformed;
        var result = await PeerClient.RunAsync(Pub(device, "mqttv311", 1, $"sensing/{device}/up", OversizePayload));

        Assert.That(result.ExitCode, Is.Not.Zero, result.ToString());
        Assert.That(_gateway.Counters.Malformed, Is.GreaterThan(malformed), "the oversize packet should close the connection");
        // Positive control: the device's next reading would come after reading 77 had it been written.
        await _gateway.PublishAndWaitAsync(device, 78);
        Assert.That(_gateway.ReadingsOf(device).Where(r => r.Sequence == 77), Is.Empty);
    }

    [Test]
    public async Task Paho5_PacketAboveMaximum_DisconnectPacketTooLarge()
    {
        const string device = "md-big-5";
        var result = await PeerClient.RunAsync(PeerClient.Paho(PahoScripts.PublishTo,
            "127.0.0.1", Port, device, GatewayFixture.Password, "5", OversizePayload, $"sensing/{device}/up"));

        // 5.0 3.1.2.11.4 / 4.13: DISCONNECT with 0x95 Packet too large (149).
        Assert.That(result.Output, Does.Contain("closed 149"), result.ToString());
        // Positive control: the device's next reading would come after reading 77 had it been written.
        await _gateway.PublishAndWaitAsync(device, 79);
        Assert.That(_gateway.ReadingsOf(device).Where(r => r.Sequence == 77), Is.Empty);
    }

    [Test]
    public async Task MosquittoPub5_PacketAboveAnnouncedMaximum_ClientDoesNotSendIt()
    {
        const string device = "md-big-5";
        var malformed = _gateway.Counters.Malformed;
        var result = await PeerClient.RunAsync(Pub(device, "mqttv5", 1, $"sensing/{device}/up", OversizePayload));

        // The CONNACK's Maximum Packet Size (5.0 3.2.2.3.6) tells mosquitto_pub not to send it at all.
        Assert.That(result.ExitCode, Is.Not.EqualTo(-1), result.ToString());
        Assert.That(_gateway.Counters.Malformed, Is.EqualTo(malformed));
        Assert.That(_gateway.ReadingsOf(device).Where(r => r.Sequence == 77), Is.Empty);
    }

    [Test]
    public async Task MosquittoPub_BinaryReading_DecodedIntoKafka()
    {
        var payload = new byte[BinaryReadingDecoder.HeaderLength + (2 * BinaryReadingDecoder.MetricLength)];
        BinaryReadingDecoder.Write(payload, 901, 1_795_667_580_000, [new(Metric.MethaneLel, 12.5), new(Metric.BatteryVolts, 3.5)]);
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllBytesAsync(file, payload);
            var result = await PeerClient.RunAsync(PeerClient.Mosquitto("mosquitto_pub", _gateway.EndPoint,
                "-i", "md-bin", "-u", "md-bin", "-P", GatewayFixture.Password, "-q", "1", "-t", "sensing/md-bin/up", "-f", file));
            Assert.That(result.ExitCode, Is.Zero, result.ToString());
        }
        finally
        {
            File.Delete(file);
        }

        var readings = await _gateway.WaitForReadingsAsync("md-bin", r => r.Any(x => x.Sequence == 901));
        var reading = readings.Single(x => x.Sequence == 901);
        Assert.That(reading.Metrics[Metric.MethaneLel], Is.EqualTo(12.5));
        Assert.That(reading.Metrics[Metric.BatteryVolts], Is.EqualTo(3.5));
    }

    [Test]
    public async Task MosquittoPub_PayloadNeitherJsonNorBinary_DeadLetterWithDeviceReasonAndBytes()
    {
        var before = _gateway.Counters.DeadLetters;
        const string junk = "reading=17;lel=3";
        var result = await PeerClient.RunAsync(Pub("md-junk", "mqttv311", 1, "sensing/md-junk/up", junk));

        Assert.That(result.ExitCode, Is.Zero, "the device still gets its PUBACK: " + result);
        Assert.That(_gateway.Counters.DeadLetters, Is.GreaterThan(before), "the dead-letter counter should count it");
        Assert.That(await GatewayFixture.EventuallyAsync(() => _gateway.DeadLetters.Any(l => DeadLetter.Device(l) == "md-junk")), Is.True);
        using var letter = System.Text.Json.JsonDocument.Parse(_gateway.DeadLetters.First(l => DeadLetter.Device(l) == "md-junk"));
        Assert.That(letter.RootElement.GetProperty("reason").GetString(), Is.EqualTo("MalformedJson"));
        Assert.That(letter.RootElement.GetProperty("payload").GetBytesFromBase64(), Is.EqualTo(System.Text.Encoding.UTF8.GetBytes(junk)));
    }

    [Test]
    public async Task MqttJs_TopicAlias_ReadingsInKafka()
    {
        var result = await PeerClient.RunAsync(PeerClient.MqttJs(MqttJsScripts.PublishWithTopicAlias,
            "127.0.0.1", Port, "md-alias", GatewayFixture.Password, "5", "5"));

        Assert.That(result.Output, Does.Contain("topicAliasMaximum=16").And.Contain("done"), result.ToString());
        var readings = await _gateway.WaitForReadingsAsync("md-alias", r => r.Count(x => x.Sequence > 0) == 5);
        Assert.That(readings.Where(r => r.Sequence > 0).Select(r => r.Sequence), Is.EqualTo(new ulong[] { 1, 2, 3, 4, 5 }));
    }

    private static string OversizePayload => $"{{\"seq\":77,\"lel\":1,\"pad\":\"{new string('x', MaxPacketSize)}\"}}";

    private string Port => _gateway.EndPoint.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private PeerClient Pub(string device, string version, int qos, string topic, string message) =>
        PeerClient.Mosquitto("mosquitto_pub", _gateway.EndPoint, "-V", version, "-i", device, "-u", device, "-P", GatewayFixture.Password,
            "-q", qos.ToString(System.Globalization.CultureInfo.InvariantCulture), "-t", topic, "-m", message);
}
