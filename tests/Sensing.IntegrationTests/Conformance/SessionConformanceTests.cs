using Sensing.Core.Telemetry;

namespace Sensing.IntegrationTests.Conformance;

/// <summary>
/// Connection state and sessions with real clients: no connection record for a device that connects, publishes and
/// disconnects; the will (offline event) when a connection ends without DISCONNECT or by keep-alive expiry, and the
/// online event when that device connects again; none after a clean DISCONNECT; session takeover.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class SessionConformanceTests
{
    private readonly GatewayFixture _gateway = new();

    [OneTimeSetUp]
    public Task Start() => _gateway.StartAsync(GatewayFixture.Detectors(
        "md-online", "md-return", "md-will-4", "md-will-5", "md-silent-4", "md-silent-5", "md-clean", "md-take-4", "md-take-5", "md-take-sub", "md-delay", "md-back"));

    [OneTimeTearDown]
    public async Task Stop() => await _gateway.DisposeAsync();

    [Test]
    public async Task MosquittoPub_ConnectPublishDisconnectThreeTimes_ExactlyTheReadingsAndNoOnlineRecordInKafka()
    {
        // An NB-IoT meter's day: a new connection per reading, each ended with DISCONNECT.
        for (var seq = 1; seq <= 3; seq++)
        {
            var result = await PeerClient.RunAsync(PeerClient.Mosquitto("mosquitto_pub", _gateway.EndPoint,
                "-i", "md-online", "-u", "md-online", "-P", GatewayFixture.Password, "-q", "1", "-t", "sensing/md-online/up", "-m", $"{{\"seq\":{seq},\"lel\":1}}"));
            Assert.That(result.ExitCode, Is.Zero, result.ToString());
        }

        await _gateway.WaitForReadingsAsync("md-online", r => r.Any(x => x.Sequence == 3));
        // Records of one device share a partition and keep their order: a connection record would precede reading 3.
        // Reading 3 is the positive control; the fixed window only looks for a stray record after it.
        await Task.Delay(TimeSpan.FromSeconds(1));
        var readings = _gateway.ReadingsOf("md-online");
        Assert.That(readings.Select(r => r.Sequence), Is.EqualTo(new ulong[] { 1, 2, 3 }), "exactly the three readings, one record each");
        Assert.That(readings.Where(r => r.Metrics.ContainsKey(Metric.Online)), Is.Empty, "a device never offline gets no online record");
    }

    [Test]
    public async Task Paho_WillFiredThenDeviceReturns_OfflineThenOnlineThenTheReadingInKafka()
    {
        var died = await PeerClient.RunAsync(PeerClient.Paho(PahoScripts.DieWithoutDisconnect, Args("md-return", "4")));
        Assert.That(died.Output, Does.Contain("connack 0"), died.ToString());
        await _gateway.WaitForReadingsAsync("md-return", r => r.Any(IsOnline(0)));

        var back = await PeerClient.RunAsync(PeerClient.Paho(PahoScripts.PublishAndDisconnect, [.. Args("md-return", "4"), "{\"seq\":9,\"lel\":1}"]));
        Assert.That(back.Output, Does.Contain("published True"), back.ToString());
        var readings = await _gateway.WaitForReadingsAsync("md-return", r => r.Any(x => x.Sequence == 9));

        // The will's offline record, the online record of the return, then the reading; a second visit adds nothing.
        Assert.That(readings.Select(Describe), Is.EqualTo(new[] { "online=0", "online=1", "seq 9" }));
        var again = await PeerClient.RunAsync(PeerClient.Paho(PahoScripts.PublishAndDisconnect, [.. Args("md-return", "4"), "{\"seq\":10,\"lel\":1}"]));
        Assert.That(again.Output, Does.Contain("published True"), again.ToString());
        readings = await _gateway.WaitForReadingsAsync("md-return", r => r.Any(x => x.Sequence == 10));
        Assert.That(readings.Select(Describe), Is.EqualTo(new[] { "online=0", "online=1", "seq 9", "seq 10" }));
    }

    [TestCase("md-will-4", "4")]
    [TestCase("md-will-5", "5")]
    public async Task Paho_ProcessDiesWithoutDisconnect_OfflineEventInKafka(string device, string version)
    {
        var result = await PeerClient.RunAsync(PeerClient.Paho(PahoScripts.DieWithoutDisconnect, Args(device, version)));
        Assert.That(result.Output, Does.Contain("connack 0"), result.ToString());

        var readings = await _gateway.WaitForReadingsAsync(device, r => r.Any(IsOnline(0)));
        Assert.That(readings.Where(IsOnline(0)), Is.Not.Empty, "a connection lost without DISCONNECT fires the will: online=0");
        Assert.That(readings.Select(r => r.Metrics[Metric.Online]), Is.EqualTo(new[] { 0.0 }), "the offline record alone: the CONNECT of a device not known offline writes none");
    }

    [TestCase("md-silent-4", "4", "")]
    [TestCase("md-silent-5", "5", "e0")]
    public async Task Paho_SilentPastKeepAlive_ClosedAndOfflineEventInKafka(string device, string version, string disconnectHeader)
    {
        var result = await PeerClient.RunAsync(PeerClient.Paho(PahoScripts.GoSilent, Args(device, version)), TimeSpan.FromSeconds(30));
        Assert.That(result.Output, Does.Contain("closed after"), result.ToString());
        var seconds = double.Parse(result.Output.Split("closed after ")[1].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        // 3.1.2.10: the server closes after 1.5 x keep alive (1 s here), not before.
        Assert.That(seconds, Is.InRange(1.0, 10.0), result.ToString());
        if (disconnectHeader.Length != 0)
        {
            // 5.0: DISCONNECT (0xE0) with reason 0x8D Keep Alive timeout.
            // Skip PINGRESPs (d000) for pings paho sent before it went silent.
            var sent = result.Output.Split(": ")[1].Trim();
            while (sent.StartsWith("d000", StringComparison.Ordinal))
            {
                sent = sent[4..];
            }

            Assert.That(sent, Does.StartWith(disconnectHeader), result.ToString());
            Assert.That(sent.Substring(4, 2), Is.EqualTo("8d"), result.ToString());
        }

        var readings = await _gateway.WaitForReadingsAsync(device, r => r.Any(IsOnline(0)));
        Assert.That(readings.Where(IsOnline(0)), Is.Not.Empty, "keep-alive expiry fires the will: online=0");
    }

    [Test]
    public async Task Paho5_WillDelayAndNoReconnect_OfflineEventAfterTheDelay()
    {
        var result = await PeerClient.RunAsync(PeerClient.Paho(PahoScripts.DieWithDelayedWill, [.. Args("md-delay", "5"), "2"]));
        Assert.That(result.Output, Does.Contain("connack 0"), result.ToString());
        var died = DateTime.UtcNow;

        var readings = await _gateway.WaitForReadingsAsync("md-delay", r => r.Any(IsOnline(0)));
        Assert.That(readings.Where(IsOnline(0)), Is.Not.Empty, "the delayed will fires when the device stays away");
        // 5.0 3.1.3.2.2: not before the Will Delay Interval (2 s; the gap between process exit and seeing it is extra).
        Assert.That(DateTime.UtcNow - died, Is.GreaterThanOrEqualTo(TimeSpan.FromSeconds(1.5)));
    }

    [Test]
    public async Task Paho5_WillDelayAndReconnectWithinIt_NoOfflineEvent()
    {
        var result = await PeerClient.RunAsync(PeerClient.Paho(PahoScripts.DieWithDelayedWill, [.. Args("md-back", "5"), "3"]));
        Assert.That(result.Output, Does.Contain("connack 0"), result.ToString());
        var back = await PeerClient.RunAsync(PeerClient.Paho(PahoScripts.PublishAndDisconnect, [.. Args("md-back", "5"), "{\"seq\":8,\"lel\":1}"]));
        Assert.That(back.Output, Does.Contain("published True"), back.ToString());

        await _gateway.WaitForReadingsAsync("md-back", r => r.Any(x => x.Sequence == 8));
        // The will delay (3 s) runs out in this window; reading 9 is the positive control: a will fired in it would precede it.
        await Task.Delay(TimeSpan.FromSeconds(4));
        await _gateway.PublishAndWaitAsync("md-back", 9);
        Assert.That(_gateway.ReadingsOf("md-back").Where(IsOnline(0)), Is.Empty, "back within the will delay: the device was never offline");
    }

    [Test]
    public async Task Paho_CleanDisconnect_NoOfflineEvent()
    {
        var result = await PeerClient.RunAsync(PeerClient.Paho(PahoScripts.PublishAndDisconnect, [.. Args("md-clean", "5"), "{\"seq\":3,\"lel\":2}"]));
        Assert.That(result.Output, Does.Contain("published True"), result.ToString());

        await _gateway.WaitForReadingsAsync("md-clean", r => r.Any(x => x.Sequence == 3));
        // Once the connection has ended, a will would be marked and handed to Kafka before the next CONNECT is taken, so it
        // would precede reading 4 (and that CONNECT would write online=1).
        Assert.That(await GatewayFixture.EventuallyAsync(() => !_gateway.Sessions.IsConnected("md-clean"), TimeSpan.FromSeconds(60)), Is.True,
            "the gateway should see the connection end");
        await _gateway.PublishAndWaitAsync("md-clean", 4);
        Assert.That(_gateway.ReadingsOf("md-clean").Where(IsOnline(0)), Is.Empty, "a DISCONNECT discards the will (3.1.2.5)");
        Assert.That(_gateway.ReadingsOf("md-clean").Where(IsOnline(1)), Is.Empty, "and the device was never offline");
    }

    [Test]
    public async Task Paho5_SecondConnectionSameDevice_FirstClosedWithSessionTakenOver()
    {
        var takeovers = _gateway.Sessions.Takeovers;
        var result = await PeerClient.RunAsync(PeerClient.Paho(PahoScripts.TakeOver, Args("md-take-5", "5")));

        // 5.0 3.1.4: DISCONNECT with 0x8E (142) to the existing connection.
        Assert.That(result.Output, Does.Contain("first closed 142"), result.ToString());
        Assert.That(_gateway.Sessions.Takeovers, Is.GreaterThan(takeovers));
        // Both connections have ended (the second with DISCONNECT): an offline record of either would precede reading 1.
        Assert.That(await GatewayFixture.EventuallyAsync(() => !_gateway.Sessions.IsConnected("md-take-5"), TimeSpan.FromSeconds(60)), Is.True,
            "the gateway should see both connections end");
        await _gateway.PublishAndWaitAsync("md-take-5", 1);
        Assert.That(_gateway.ReadingsOf("md-take-5").Where(IsOnline(0)), Is.Empty, "a taken-over device is still online");
        Assert.That(_gateway.ReadingsOf("md-take-5").Where(IsOnline(1)), Is.Empty, "and was never offline: no online record either");
    }

    [Test]
    public async Task Paho311_SecondConnectionSameDevice_FirstClosed()
    {
        var result = await PeerClient.RunAsync(PeerClient.Paho(PahoScripts.TakeOver, Args("md-take-4", "4")));

        // 3.1.1 [MQTT-3.1.4-2]: the server disconnects the existing client (no reason code in 3.1.1).
        Assert.That(result.Output, Does.Contain("first closed"), result.ToString());
        Assert.That(result.Output, Does.Contain("connack 0").And.Not.Contain("connack 5"), result.ToString());
    }

    [Test]
    public async Task MosquittoSub_ThenMosquittoPubSameId_SubscriberTakenOver()
    {
        await using var subscriber = PeerClient.Mosquitto("mosquitto_sub", _gateway.EndPoint,
            "-V", "mqttv5", "-i", "md-take-sub", "-u", "md-take-sub", "-P", GatewayFixture.Password, "-t", "sensing/md-take-sub/down", "-v", "-d");
        Assert.That(await GatewayFixture.EventuallyAsync(() => _gateway.Sessions.Count > 0 && subscriber.Output.Contains("SUBACK", StringComparison.Ordinal)), Is.True, subscriber.Output);
        var takeovers = _gateway.Sessions.Takeovers;

        var publish = await PeerClient.RunAsync(PeerClient.Mosquitto("mosquitto_pub", _gateway.EndPoint,
            "-V", "mqttv5", "-i", "md-take-sub", "-u", "md-take-sub", "-P", GatewayFixture.Password, "-q", "1", "-t", "sensing/md-take-sub/up", "-m", "{\"seq\":1,\"lel\":1}"));

        Assert.That(publish.ExitCode, Is.Zero, publish.ToString());
        Assert.That(_gateway.Sessions.Takeovers, Is.GreaterThan(takeovers));
        Assert.That(await GatewayFixture.EventuallyAsync(() => subscriber.Output.Contains("DISCONNECT", StringComparison.Ordinal)), Is.True,
            "mosquitto_sub should receive the DISCONNECT: " + subscriber.Output);
    }

    private string[] Args(string device, string version) =>
        ["127.0.0.1", _gateway.EndPoint.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), device, GatewayFixture.Password, version];

    private static string Describe(KafkaReading reading) =>
        reading.Metrics.TryGetValue(Metric.Online, out var online) ? $"online={online}" : $"seq {reading.Sequence}";

    private static Func<KafkaReading, bool> IsOnline(double value) => r => r.Metrics.TryGetValue(Metric.Online, out var v) && v == value;
}
