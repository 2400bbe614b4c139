using System.Globalization;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using Sensing.Core.Devices;
using Sensing.Core.Telemetry;
using Sensing.LocalServers;

namespace Sensing.IntegrationTests.Conformance;

/// <summary>
/// MQTTnet 5 (the .NET client a C# device or edge gateway would use) against the gateway, one Kafka broker and one
/// gateway with plain TCP, TLS and WebSocket listeners shared by every test: 3.1.1 and 5.0 connect, QoS 0/1/2
/// readings in <c>sensing.telemetry</c>, the will as an offline event, session takeover, a persistent session that
/// receives a command queued while it was away, TLS, WebSocket and a concentrator batch.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed partial class MqttNetConformanceTests
{
    private static readonly string[] Devices =
    [
        "mn-v4", "mn-v5", "mn-q0", "mn-q1", "mn-q2", "mn-will-4", "mn-will-5", "mn-take-4", "mn-take-5",
        "mn-persist-4", "mn-persist-5", "mn-tls", "mn-ws", "mn-example",
    ];

    private readonly GatewayFixture _gateway = new();
    private readonly MqttClientFactory _factory = new();
    private readonly string _directory = Directory.CreateTempSubdirectory("sensing-mqttnet-").FullName;
    private readonly int _tlsPort = FreePorts.Pick();
    private readonly int _wsPort = FreePorts.Pick();
    private X509Certificate2? _certificate;

    [OneTimeSetUp]
    public Task Start()
    {
        var certificate = Path.Combine(_directory, "gateway.crt");
        var key = Path.Combine(_directory, "gateway.key");
        TestCertificates.WriteSelfSigned(certificate, key);
        _certificate = X509Certificate2.CreateFromPemFile(certificate, key);
        var hash = DeviceRegistryFile.HashSecret(GatewayFixture.Password);
        DeviceInfo Meter(string id) => new(id, DeviceKind.GasMeter, "d11", 900, hash) { Parameters = DeviceParameters.Parse("qmax=6") };
        return _gateway.StartAsync(
            [
                .. GatewayFixture.Detectors(Devices), Meter("mn-gm-1"), Meter("mn-gm-2"),
                new DeviceInfo("mn-cc", DeviceKind.Concentrator, "d11", 900, hash) { Parameters = DeviceParameters.Parse("serves=district:d11") },
            ],
            o => o with { TlsListen = $"127.0.0.1:{_tlsPort}", TlsCertificate = certificate, TlsKey = key, WebSocketListen = $"127.0.0.1:{_wsPort}" });
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        await _gateway.DisposeAsync();
        _certificate?.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [TestCase("mn-v4", MqttProtocolVersion.V311)]
    [TestCase("mn-v5", MqttProtocolVersion.V500)]
    public async Task MqttNet_ConnectAndPublishQoS1_AcceptedAndReadingInKafka(string device, MqttProtocolVersion version)
    {
        using var client = _factory.CreateMqttClient();
        var connected = await client.ConnectAsync(Options(device, version).Build());
        Assert.That(connected.ResultCode, Is.EqualTo(MqttClientConnectResultCode.Success));

        var result = await client.PublishAsync(Reading(device, 11, MqttQualityOfServiceLevel.AtLeastOnce));
        Assert.That(result.IsSuccess, Is.True, result.ReasonString);
        await client.DisconnectAsync();

        var readings = await _gateway.WaitForReadingsAsync(device, r => r.Any(x => x.Sequence == 11));
        Assert.That(readings.Select(r => r.Sequence), Does.Contain(11UL));
    }

    [Test]
    public async Task MqttNet5_WrongPassword_RefusedBadUserNameOrPassword()
    {
        using var client = _factory.CreateMqttClient();
        var options = Options("mn-v5", MqttProtocolVersion.V500).WithCredentials("mn-v5", "not-the-password").Build();

        // MQTTnet 5 returns the refusing CONNACK's reason code instead of throwing.
        var refused = await client.ConnectAsync(options);

        Assert.That(refused.ResultCode, Is.EqualTo(MqttClientConnectResultCode.BadUserNameOrPassword));
        Assert.That(client.IsConnected, Is.False);
    }

    [TestCase("mn-q0", MqttQualityOfServiceLevel.AtMostOnce)]
    [TestCase("mn-q1", MqttQualityOfServiceLevel.AtLeastOnce)]
    [TestCase("mn-q2", MqttQualityOfServiceLevel.ExactlyOnce)]
    public async Task MqttNet5_PublishAtEachQoS_EveryReadingOnceInKafka(string device, MqttQualityOfServiceLevel qos)
    {
        using var client = _factory.CreateMqttClient();
        await client.ConnectAsync(Options(device, MqttProtocolVersion.V500).Build());

        for (ulong seq = 1; seq <= 20; seq++)
        {
            var result = await client.PublishAsync(Reading(device, seq, qos));
            Assert.That(result.IsSuccess, Is.True, $"seq {seq}: {result.ReasonCode} {result.ReasonString}");
        }

        // QoS 0 has no acknowledgement: the DISCONNECT right after them, and a close with FIN (see Options), is all.
        await client.DisconnectAsync();
        var readings = await _gateway.WaitForReadingsAsync(device, r => r.Length >= 20);
        Assert.That(readings.Select(r => r.Sequence).Order(), Is.EqualTo(Enumerable.Range(1, 20).Select(i => (ulong)i)),
            "each of the 21 readings exactly once: " + string.Join(", ", readings.Select(r => string.Join(" ", r.Metrics.Select(m => $"{m.Key}={m.Value}")) + " seq " + r.Sequence)));
    }

    [Test]
    public async Task MqttNet5_ForeignTopic_PubAckNotAuthorizedAndNothingInKafka()
    {
        using var client = _factory.CreateMqttClient();
        await client.ConnectAsync(Options("mn-v5", MqttProtocolVersion.V500).Build());

        var result = await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic("sensing/mn-v4/up")
            .WithPayload("{\"seq\":777,\"lel\":1}").WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());

        Assert.That(result.ReasonCode, Is.EqualTo(MqttClientPublishReasonCode.NotAuthorized));
        await client.DisconnectAsync();
        // Positive control: mn-v4's own reading 778 would come after reading 777 had it been written.
        await _gateway.PublishAndWaitAsync("mn-v4", 778);
        Assert.That(_gateway.ReadingsOf("mn-v4").Where(r => r.Sequence == 777), Is.Empty);
    }

    // MQTTnet closes its socket with SO_LINGER 0 by default: a TCP reset, which makes the kernel discard what the gateway
    // has not read yet (QoS 0 readings, the DISCONNECT, which then fires the will). A device closes with a FIN instead
    // (docs/devices.md, "Closing the socket"). WithTcpServer after WithEndPoint: WithEndPoint replaces the TCP options.
    private MqttClientOptionsBuilder Options(string device, MqttProtocolVersion version) =>
        new MqttClientOptionsBuilder()
            .WithEndPoint(_gateway.EndPoint)
            .WithTcpServer(tcp => tcp.LingerState = new LingerOption(false, 0))
            .WithProtocolVersion(version)
            .WithClientId(device)
            .WithCredentials(device, GatewayFixture.Password)
            .WithTimeout(TimeSpan.FromSeconds(10));

    private static MqttApplicationMessage Reading(string device, ulong seq, MqttQualityOfServiceLevel qos) =>
        new MqttApplicationMessageBuilder()
            .WithTopic($"sensing/{device}/up")
            .WithPayload(string.Create(CultureInfo.InvariantCulture, $"{{\"seq\":{seq},\"lel\":2}}"))
            .WithQualityOfServiceLevel(qos)
            .Build();

    private static Func<KafkaReading, bool> IsOnline(double value) => r => r.Metrics.TryGetValue(Metric.Online, out var v) && v == value;

    private static string Text(MqttApplicationMessage message) => Encoding.UTF8.GetString(message.Payload);
}
