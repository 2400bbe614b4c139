using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using Sensing.Core.Telemetry;

namespace Sensing.IntegrationTests.Conformance;

/// <summary>TLS, WebSocket and a concentrator batch with MQTTnet.</summary>
public sealed partial class MqttNetConformanceTests
{
    [Test]
    public async Task MqttNet5_OverTlsTrustingTheGatewayCertificate_ReadingInKafka()
    {
        const string device = "mn-tls";
        string? seen = null;
        using var client = _factory.CreateMqttClient();
        var options = Options(device, MqttProtocolVersion.V500)
            .WithEndPoint(new IPEndPoint(IPAddress.Loopback, _tlsPort))
            .WithTcpServer(tcp => tcp.LingerState = new LingerOption(false, 0))
            .WithTlsOptions(tls => tls.UseTls().WithTargetHost("localhost").WithCertificateValidationHandler(e =>
            {
                // The device pins the gateway's certificate: a self-signed one is trusted by thumbprint only.
                seen = e.Certificate.GetCertHashString();
                return seen == _certificate!.Thumbprint;
            }))
            .Build();

        await client.ConnectAsync(options);
        var result = await client.PublishAsync(Reading(device, 21, MqttQualityOfServiceLevel.AtLeastOnce));
        await client.DisconnectAsync();

        Assert.That(seen, Is.EqualTo(_certificate!.Thumbprint), "the TLS port presented the gateway's certificate");
        Assert.That(result.IsSuccess, Is.True);
        var readings = await _gateway.WaitForReadingsAsync(device, r => r.Any(x => x.Sequence == 21));
        Assert.That(readings.Select(r => r.Sequence), Does.Contain(21UL));
    }

    [Test]
    public async Task MqttNet311_OverWebSocket_PublishesAndReceivesCommand()
    {
        const string device = "mn-ws";
        var received = new ConcurrentQueue<string>();
        using var client = _factory.CreateMqttClient();
        client.ApplicationMessageReceivedAsync += e =>
        {
            received.Enqueue(e.ApplicationMessage.Topic + " " + Text(e.ApplicationMessage));
            return Task.CompletedTask;
        };
        var options = Options(device, MqttProtocolVersion.V311)
            .WithWebSocketServer(ws => ws.WithUri($"ws://127.0.0.1:{_wsPort}/mqtt"))
            .Build();

        await client.ConnectAsync(options);
        await client.SubscribeAsync($"sensing/{device}/down", MqttQualityOfServiceLevel.AtLeastOnce);
        var result = await client.PublishAsync(Reading(device, 31, MqttQualityOfServiceLevel.AtLeastOnce));
        Assert.That(result.IsSuccess, Is.True);
        var command = await _gateway.SendCommandAsync(device, "valve-close", "cmd-" + device);

        Assert.That(await GatewayFixture.EventuallyAsync(() => !received.IsEmpty, TimeSpan.FromSeconds(20)), Is.True, "the command arrives over WebSocket");
        Assert.That(received.Single(), Is.EqualTo($"sensing/{device}/down {command}"));
        await client.DisconnectAsync();
        var readings = await _gateway.WaitForReadingsAsync(device, r => r.Any(x => x.Sequence == 31));
        Assert.That(readings.Select(r => r.Sequence), Does.Contain(31UL));
    }

    [Test]
    public async Task MqttNet5_ConcentratorBatch_EachReadingUnderItsDeviceAfterOnePubAck()
    {
        var persisted = _gateway.Counters.PersistedInKafka;
        using var client = _factory.CreateMqttClient();
        await client.ConnectAsync(Options("mn-cc", MqttProtocolVersion.V500).Build());
        const string batch = """[{"device":"mn-gm-1","seq":501,"volume":12.5,"flow":0.5},{"device":"mn-gm-2","seq":502,"volume":7,"flow":0}]""";

        var result = await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic("sensing/mn-cc/up").WithPayload(batch)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
        await client.DisconnectAsync();

        Assert.That(result.IsSuccess, Is.True, result.ReasonString);
        Assert.That(_gateway.Counters.PersistedInKafka - persisted, Is.GreaterThanOrEqualTo(2), "PUBACK after both records were in Kafka");
        var first = (await _gateway.WaitForReadingsAsync("mn-gm-1", r => r.Length > 0)).Single();
        Assert.That(first.Sequence, Is.EqualTo(501UL));
        Assert.That(first.Metrics[Metric.GasVolume], Is.EqualTo(12.5));
        var second = (await _gateway.WaitForReadingsAsync("mn-gm-2", r => r.Length > 0)).Single();
        Assert.That(second.Sequence, Is.EqualTo(502UL));
        Assert.That(second.Key, Is.EqualTo("district/d11"), "keyed as if the meter had published it");
        Assert.That(_gateway.ReadingsOf("mn-cc"), Is.Empty, "nothing under the concentrator itself");
    }
}
