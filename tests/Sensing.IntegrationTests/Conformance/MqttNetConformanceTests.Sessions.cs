using System.Collections.Concurrent;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using Sensing.Core.Telemetry;

namespace Sensing.IntegrationTests.Conformance;

/// <summary>Wills, takeover and persistent sessions with MQTTnet.</summary>
public sealed partial class MqttNetConformanceTests
{
    [Test]
    public async Task MqttNet311_ConnectionDroppedWithoutDisconnect_WillIsOfflineEventInKafka()
    {
        const string device = "mn-will-4";
        var client = _factory.CreateMqttClient();
        await client.ConnectAsync(Options(device, MqttProtocolVersion.V311)
            .WithWillTopic($"sensing/{device}/up").WithWillPayload("gone").WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
        Assert.That(await GatewayFixture.EventuallyAsync(() => _gateway.Counters.Connections > 0), Is.True);

        // Disposing without DisconnectAsync closes the socket with no DISCONNECT, as a device that loses power.
        client.Dispose();

        var readings = await _gateway.WaitForReadingsAsync(device, r => r.Any(IsOnline(0)));
        Assert.That(readings.Select(r => r.Metrics[Metric.Online]), Is.EqualTo(new[] { 0.0 }), "the will's offline record alone");
    }

    [Test]
    public async Task MqttNet5_DisconnectWithWillMessage_OfflineEventInKafka()
    {
        const string device = "mn-will-5";
        using var client = _factory.CreateMqttClient();
        await client.ConnectAsync(Options(device, MqttProtocolVersion.V500).WithWillTopic($"sensing/{device}/up").WithWillPayload("gone").Build());
        await client.PublishAsync(Reading(device, 1, MqttQualityOfServiceLevel.AtLeastOnce));

        // 5.0 3.14.2.1: reason 0x04 Disconnect with Will Message.
        await client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithReason(MqttClientDisconnectOptionsReason.DisconnectWithWillMessage).Build());

        var readings = await _gateway.WaitForReadingsAsync(device, r => r.Any(IsOnline(0)));
        Assert.That(readings.Select(r => r.Metrics.ContainsKey(Metric.Online) ? "offline" : "seq " + r.Sequence), Is.EqualTo(new[] { "seq 1", "offline" }));
    }

    [TestCase("mn-take-4", MqttProtocolVersion.V311, MqttClientDisconnectReason.NormalDisconnection)]
    [TestCase("mn-take-5", MqttProtocolVersion.V500, MqttClientDisconnectReason.SessionTakenOver)]
    public async Task MqttNet_SecondConnectionSameDevice_FirstClosedAndSecondPublishes(string device, MqttProtocolVersion version, MqttClientDisconnectReason reason)
    {
        var takeovers = _gateway.Sessions.Takeovers;
        using var first = _factory.CreateMqttClient();
        var closed = new TaskCompletionSource<MqttClientDisconnectedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        first.DisconnectedAsync += e =>
        {
            closed.TrySetResult(e);
            return Task.CompletedTask;
        };
        await first.ConnectAsync(Options(device, version).Build());

        using var second = _factory.CreateMqttClient();
        await second.ConnectAsync(Options(device, version).Build());
        var gone = await closed.Task.WaitAsync(TimeSpan.FromSeconds(10));

        if (version == MqttProtocolVersion.V500)
        {
            // 5.0 3.1.4: DISCONNECT 0x8E Session taken over to the existing connection.
            Assert.That(gone.Reason, Is.EqualTo(reason));
        }

        Assert.That(gone.ClientWasConnected, Is.True);
        Assert.That(_gateway.Sessions.Takeovers, Is.GreaterThan(takeovers));
        var result = await second.PublishAsync(Reading(device, 5, MqttQualityOfServiceLevel.AtLeastOnce));
        Assert.That(result.IsSuccess, Is.True);
        await second.DisconnectAsync();
        var readings = await _gateway.WaitForReadingsAsync(device, r => r.Any(x => x.Sequence == 5));
        Assert.That(readings.Where(IsOnline(0)), Is.Empty, "a taken-over device was never offline");
    }

    [TestCase("mn-persist-4", MqttProtocolVersion.V311)]
    [TestCase("mn-persist-5", MqttProtocolVersion.V500)]
    public async Task MqttNet_PersistentSessionOffline_CommandQueuedAndDeliveredOnReconnect(string device, MqttProtocolVersion version)
    {
        MqttClientOptions Persistent() => (version == MqttProtocolVersion.V500
            ? Options(device, version).WithCleanStart(false).WithSessionExpiryInterval(3600)
            : Options(device, version).WithCleanSession(false)).Build();

        using (var subscriber = _factory.CreateMqttClient())
        {
            await subscriber.ConnectAsync(Persistent());
            var granted = await subscriber.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
                .WithTopicFilter($"sensing/{device}/down", MqttQualityOfServiceLevel.AtLeastOnce).Build());
            Assert.That(granted.Items.Single().ResultCode, Is.EqualTo(MqttClientSubscribeResultCode.GrantedQoS1));
            await subscriber.DisconnectAsync();
        }

        Assert.That(await GatewayFixture.EventuallyAsync(() => _gateway.Sessions.IsSubscribed(device)), Is.True, "the session outlives its connection");
        var command = await _gateway.SendCommandAsync(device, "valve-close", "cmd-" + device);
        Assert.That(await GatewayFixture.EventuallyAsync(() => _gateway.Sessions.QueuedFor(device) == 1), Is.True, "the command waits in the session");

        var received = new ConcurrentQueue<MqttApplicationMessage>();
        using var device2 = _factory.CreateMqttClient();
        device2.ApplicationMessageReceivedAsync += e =>
        {
            received.Enqueue(e.ApplicationMessage);
            return Task.CompletedTask;
        };
        var back = await device2.ConnectAsync(Persistent());

        Assert.That(back.IsSessionPresent, Is.True);
        Assert.That(await GatewayFixture.EventuallyAsync(() => !received.IsEmpty, TimeSpan.FromSeconds(10)), Is.True, "the queued command arrives");
        var message = received.Single();
        Assert.That(message.Topic, Is.EqualTo($"sensing/{device}/down"));
        Assert.That(message.QualityOfServiceLevel, Is.EqualTo(MqttQualityOfServiceLevel.AtLeastOnce));
        Assert.That(Text(message), Is.EqualTo(command));
        Assert.That(await GatewayFixture.EventuallyAsync(() => _gateway.Sessions.QueuedFor(device) == 0), Is.True, "MQTTnet's PUBACK completes the delivery");
        await device2.DisconnectAsync();
    }
}
