using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Sensing.Core.Devices;
using Sensing.Core.Telemetry;
using Sensing.Gateway;
using Sensing.Kafka;
using Sensing.LocalServers;
using Sensing.Mqtt;
using Sensing.Simulators.Mqtt;

namespace Sensing.IntegrationTests.Pipeline;

/// <summary>
/// The gateway while its Kafka broker is away for seconds (the quick kill-and-restart case is
/// <see cref="ThinPathTests.BrokerRestart_DuringPublishing_NoAcknowledgedReadingLost"/>): a real Kafka 0.9 broker is
/// killed and restarted under devices publishing QoS 1 over real MQTT connections.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class KafkaOutageTests
{
    private const string Password = "outage";
    private const int Devices = 4;
    private const int MaxInFlight = 50;
    private const int PerDeviceDuringOutage = 40;

    [Test]
    public async Task BrokerDown_DevicesPublishQoS1_NoAckBoundedIntakeAndEverythingInKafkaAfterRestart()
    {
        await using var kafka = new LocalKafka(LocalKafkaOptions.Default);
        await kafka.StartAsync();
        var options = new KafkaOptions { BootstrapServers = kafka.BootstrapServers, LegacyBrokerVersion = "0.9.0.1" }.Validate();
        foreach (var (topic, partitions) in options.Topics.All)
        {
            await kafka.CreateTopicAsync(topic, partitions);
        }

        var registry = new DeviceRegistry();
        registry.Upsert(Enumerable.Range(1, Devices).Select(i =>
            new DeviceInfo($"md-out-{i}", DeviceKind.MethaneDetector, "d01", 30, DeviceRegistryFile.HashSecret(Password))));
        var endPoint = new IPEndPoint(IPAddress.Loopback, FreePorts.Pick());
        await using var gateway = GatewayHost.Build(new GatewayOptions { Listen = endPoint.ToString() }, options, registry,
            l => l.SetMinimumLevel(LogLevel.None), new IngestOptions { MaxInFlight = MaxInFlight });
        await gateway.StartAsync();
        var ingest = gateway.Services.GetRequiredService<ReadingIngest>();
        var counters = gateway.Services.GetRequiredService<GatewayCounters>();

        var clients = new DeviceMqttClient[Devices];
        for (var d = 0; d < Devices; d++)
        {
            clients[d] = new DeviceMqttClient();
            await clients[d].ConnectAsync(new DeviceMqttConnectOptions
            {
                Host = "127.0.0.1", Port = endPoint.Port, ClientId = $"md-out-{d + 1}", UserName = $"md-out-{d + 1}",
                Password = Password, KeepAliveSeconds = 0, MaxInFlight = 32,
            });
        }

        // While the broker is up: acknowledged at once.
        for (var d = 0; d < Devices; d++)
        {
            for (var seq = 1; seq <= 5; seq++)
            {
                await clients[d].PublishAsync(Topic(d), Reading(seq), MqttQoS.AtLeastOnce);
            }
        }

        kafka.KillBroker();
        var pending = new List<Task>();
        for (var d = 0; d < Devices; d++)
        {
            for (var seq = 6; seq < 6 + PerDeviceDuringOutage; seq++)
            {
                pending.Add(clients[d].PublishAsync(Topic(d), Reading(seq), MqttQoS.AtLeastOnce).AsTask());
            }
        }

        var opened = await WaitForAsync(() => ingest.Circuit.Opened > 0, TimeSpan.FromSeconds(20));
        // A "no PUBACK" window: the first 5 readings per device, acknowledged at once, are its positive control.
        await Task.Delay(TimeSpan.FromSeconds(2));
        var taken = counters.ReadingsIn;
        var inFlight = ingest.InFlight;
        var acknowledgedDuringOutage = pending.Count(t => t.IsCompleted);
        TestContext.Progress.WriteLine($"outage: circuit opened {ingest.Circuit.Opened}x, readings taken {taken}, in flight {inFlight}, acknowledged {acknowledgedDuringOutage}");

        await kafka.StartBrokerAsync();
        var all = Task.WhenAll(pending);
        var finished = await Task.WhenAny(all, Task.Delay(TimeSpan.FromSeconds(90)));
        TestContext.Progress.WriteLine($"recovery: circuit {ingest.Circuit.State}, in flight {ingest.InFlight}, persisted {counters.PersistedInKafka}, failures {counters.KafkaFailures}, acknowledged {pending.Count(t => t.IsCompletedSuccessfully)}/{pending.Count}, faulted {pending.Count(t => t.IsFaulted)}");
        var inKafka = ReadSequences(options, Devices * (5 + PerDeviceDuringOutage), TimeSpan.FromSeconds(60));
        foreach (var client in clients)
        {
            await client.DisposeAsync();
        }

        await gateway.StopAsync();

        Assert.That(opened, Is.True, "the producer's circuit should open while the broker is down");
        Assert.That(acknowledgedDuringOutage, Is.Zero, "no PUBACK while Kafka cannot take the readings");
        Assert.That(inFlight, Is.LessThanOrEqualTo(MaxInFlight));
        // Bounded intake: the 20 readings from before with the devices' online events, at most MaxInFlight handed to
        // the client, and at most one decoded reading per connection waiting for a slot; the rest stays in the devices'
        // sockets (TCP backpressure).
        Assert.That(taken, Is.LessThanOrEqualTo((Devices * 5) + Devices + MaxInFlight + Devices));
        Assert.That(finished, Is.SameAs(all), "every publish should be acknowledged once the broker is back");
        Assert.That(all.IsCompletedSuccessfully, Is.True);
        Assert.That(ingest.Circuit.IsOpen, Is.False, "the circuit should close after recovery");
        for (var d = 0; d < Devices; d++)
        {
            var expected = Enumerable.Range(1, 5 + PerDeviceDuringOutage).Select(s => (ulong)s);
            Assert.That(expected.Except(inKafka[$"md-out-{d + 1}"]), Is.Empty, $"md-out-{d + 1}: every acknowledged reading in sensing.telemetry");
        }
    }

    private static string Topic(int device) => $"sensing/md-out-{device + 1}/up";

    private static byte[] Reading(int seq) => Encoding.ASCII.GetBytes($"{{\"seq\":{seq},\"ts\":{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()},\"lel\":2.5}}");

    private static Dictionary<string, HashSet<ulong>> ReadSequences(KafkaOptions options, int expected, TimeSpan timeout)
    {
        using var consumer = new RecordConsumer(options, "it-outage-" + Guid.NewGuid().ToString("N"), "it-outage");
        consumer.Subscribe(options.Topics.Telemetry);
        var seen = new Dictionary<string, HashSet<ulong>>();
        for (var d = 1; d <= Devices; d++)
        {
            seen[$"md-out-{d}"] = [];
        }

        var count = 0;
        var clock = Stopwatch.StartNew();
        while (count < expected && clock.Elapsed < timeout)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(500)) is { } record
                && TelemetryFrame.TryDecode(record.Value, out var frame, out _)
                && frame.Sequence != 0 // the gateway's online/offline events carry sequence 0, readings start at 1
                && seen.TryGetValue(Encoding.ASCII.GetString(frame.DeviceId), out var sequences)
                && sequences.Add(frame.Sequence))
            {
                count++;
            }
        }

        return seen;
    }

    private static async Task<bool> WaitForAsync(Func<bool> condition, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > timeout)
            {
                return false;
            }

            await Task.Delay(100);
        }

        return true;
    }
}
