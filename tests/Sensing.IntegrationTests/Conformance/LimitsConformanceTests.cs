using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Sensing.Gateway;

namespace Sensing.IntegrationTests.Conformance;

/// <summary>
/// Per-device limits with real clients: a device publishing above the message rate is slowed (its socket left
/// unread), counted and logged while another device is served; connections beyond the per-address limit are refused
/// with the protocol's reason.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class LimitsConformanceTests
{
    private const int Rate = 50;
    private const int PerAddress = 2;
    private readonly GatewayFixture _gateway = new();

    [OneTimeSetUp]
    public Task Start() => _gateway.StartAsync(
        GatewayFixture.Detectors("md-flood", "md-fair", "md-a1", "md-a2", "md-a3"),
        o => o with { MaxMessagesPerSecond = Rate, MaxConnectionsPerAddress = PerAddress });

    [OneTimeTearDown]
    public async Task Stop() => await _gateway.DisposeAsync();

    [Test]
    public async Task MosquittoPub_FloodAboveRate_SlowedCountedWhileOtherDeviceServed()
    {
        const int messages = 3 * Rate;
        long measured = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == DeviceLimits.MeterName && instrument.Name == "sensing.gateway.throttled")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref measured, value));
        listener.Start();
        var limits = _gateway.Services.GetRequiredService<DeviceLimits>();
        var throttledBefore = limits.Throttled;

        // QoS 0: mosquitto_pub writes as fast as the socket takes them, so only the gateway's rate holds it back.
        var clock = Stopwatch.StartNew();
        var flood = await PeerClient.RunAsync(Pub("md-flood", 0, "{\"seq\":1,\"lel\":1}", "--repeat", messages.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.That(flood.ExitCode, Is.Zero, flood.ToString());
        var fair = await PeerClient.RunAsync(Pub("md-fair", 1, "{\"seq\":1,\"lel\":1}"), TimeSpan.FromSeconds(20));
        Assert.That(fair.ExitCode, Is.Zero, "the other device is acknowledged while the flood is held back: " + fair);
        Assert.That(_gateway.ReadingsOf("md-flood").Length, Is.LessThan(messages), "the flood should still be held back");

        var readings = await _gateway.WaitForReadingsAsync("md-flood", r => r.Count(x => x.Sequence == 1) == messages);
        var elapsed = clock.Elapsed;
        Assert.That(readings.Count(x => x.Sequence == 1), Is.EqualTo(messages), "slowed, not dropped: every reading is in Kafka");
        // One second of burst, then the rate: 150 messages take at least 2 s at 50 msg/s (no upper bound asserted).
        Assert.That(elapsed, Is.GreaterThanOrEqualTo(TimeSpan.FromSeconds(1.5)));
        Assert.That(limits.Throttled, Is.GreaterThan(throttledBefore));
        Assert.That(Interlocked.Read(ref measured), Is.GreaterThan(0), "sensing.gateway.throttled should count the hold-backs");
    }

    [TestCase("5", "connack 159")]
    [TestCase("4", "connack 3")]
    public async Task Paho_MoreConnectionsThanAllowedFromOneAddress_Refused(string version, string expected)
    {
        const string address = "127.0.0.9";
        await using var first = PeerClient.Mosquitto("mosquitto_sub", _gateway.EndPoint, "-A", address, "-i", "md-a1", "-u", "md-a1", "-P", GatewayFixture.Password, "-t", "sensing/md-a1/down");
        await using var second = PeerClient.Mosquitto("mosquitto_sub", _gateway.EndPoint, "-A", address, "-i", "md-a2", "-u", "md-a2", "-P", GatewayFixture.Password, "-t", "sensing/md-a2/down");
        Assert.That(await GatewayFixture.EventuallyAsync(() => _gateway.Sessions.IsSubscribed("md-a1") && _gateway.Sessions.IsSubscribed("md-a2")), Is.True);

        var refused = await PeerClient.RunAsync(PeerClient.Paho(PahoScripts.ConnectFrom,
            "127.0.0.1", _gateway.EndPoint.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "md-a3", GatewayFixture.Password, version, address));
        Assert.That(refused.Output, Does.Contain(expected), refused.ToString());

        var elsewhere = await PeerClient.RunAsync(PeerClient.Paho(PahoScripts.ConnectFrom,
            "127.0.0.1", _gateway.EndPoint.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "md-a3", GatewayFixture.Password, version, "127.0.0.10"));
        Assert.That(elsewhere.Output, Does.Contain("connack 0"), "another address is not limited: " + elsewhere);
    }

    private PeerClient Pub(string device, int qos, string message, params string[] extra) =>
        PeerClient.Mosquitto("mosquitto_pub", _gateway.EndPoint, [
            "-i", device, "-u", device, "-P", GatewayFixture.Password, "-q", qos.ToString(System.Globalization.CultureInfo.InvariantCulture), "-t", $"sensing/{device}/up", "-m", message, .. extra]);
}
