using System.Net;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using Sensing.Core.Commands;
using Sensing.Core.Devices;
using Sensing.Gateway;
using Sensing.IntegrationTests.Registry;
using Sensing.Kafka;
using Sensing.LocalServers;

namespace Sensing.IntegrationTests.Conformance;

/// <summary>
/// A command queued for an offline device survives the gateway that held it, against the real Kafka 0.9 broker, real
/// <c>sensing gateway</c> processes (SIGKILLed by process id) and mosquitto_sub as the device: a gateway started after
/// the kill delivers it, and once the device acknowledged it no gateway, restarted or new, delivers it again.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class CommandSurvivesGatewayTests
{
    private const string Device = "gm-ledger";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly LocalKafka _kafka = new(LocalKafkaOptions.Default);
    private KafkaOptions _options = KafkaOptions.Default;
    private string _dir = "";
    private string _registry = "";

    [OneTimeSetUp]
    public async Task StartKafka()
    {
        _dir = Directory.CreateTempSubdirectory("sensing-ledger-").FullName;
        await _kafka.StartAsync();
        _options = new KafkaOptions { BootstrapServers = _kafka.BootstrapServers, LegacyBrokerVersion = "0.9.0.1" }.Validate();
        foreach (var (topic, partitions) in _options.Topics.All)
        {
            await _kafka.CreateTopicAsync(topic, partitions, _options.Topics.ConfigOf(topic));
        }

        _registry = Path.Combine(_dir, "devices.csv");
        DeviceRegistryFile.Write(_registry, GatewayFixture.Detectors(Device));
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        await _kafka.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Test]
    [CancelAfter(300_000)]
    public async Task CommandQueuedOnAKilledGateway_AnotherGatewayDeliversIt_AndNoGatewayDeliversItAgainOnceAcknowledged()
    {
        // The device subscribes with a persistent session on gateway A, and goes offline.
        var (a, endPointA) = await StartGatewayAsync("ledger-a");
        var subscribed = await PeerClient.RunAsync(Subscribe(endPointA, wait: 2), TimeSpan.FromSeconds(20));
        Assert.That(subscribed.Error, Does.Not.Contain("Connection Refused"), subscribed.ToString());

        // The processor's valve-close for it, while it is offline; then A dies with the command in its memory at most.
        var command = await ProduceCommandAsync("cmd-ledger-1");
        a.Kill();

        // Gateway B never saw the device: the command reaches the device there.
        var (b, endPointB) = await StartGatewayAsync("ledger-b");
        var received = await PeerClient.RunAsync(Subscribe(endPointB, wait: 30, count: 1), TimeSpan.FromSeconds(45));
        Assert.That(received.Output.Trim(), Is.EqualTo($"sensing/{Device}/down {command}"), received.ToString());

        // Its PUBACK is on sensing.command-acks...
        Assert.That(await GatewayFixture.EventuallyAsync(() => Acks().Any(ack => ack.CommandId == "cmd-ledger-1" && ack.Device == Device && ack.Gateway == "ledger-b"), Patience),
            Is.True, "gateway B should write the device's acknowledgement");
        b.Kill();

        // ...so neither B restarted nor a gateway that was down all along sends it again.
        var (again, endPointAgain) = await StartGatewayAsync("ledger-b");
        var nothing = await PeerClient.RunAsync(Subscribe(endPointAgain, wait: 6), TimeSpan.FromSeconds(20));
        again.Dispose();
        var (c, endPointC) = await StartGatewayAsync("ledger-c");
        var nothingC = await PeerClient.RunAsync(Subscribe(endPointC, wait: 6), TimeSpan.FromSeconds(20));
        c.Dispose();
        Assert.Multiple(() =>
        {
            Assert.That(nothing.Output, Does.Not.Contain("cmd-ledger-1"), "a restarted gateway must not deliver an acknowledged command");
            Assert.That(nothingC.Output, Does.Not.Contain("cmd-ledger-1"), "a new gateway must not deliver an acknowledged command");
        });
    }

    [Test]
    public void Ledger_KeepsWhatIsNotAcknowledged_ForgetsTheAcknowledgedAndTheExpired()
    {
        var options = GatewayOptions.Default with { CommandTtl = TimeSpan.FromHours(1), MaxQueuedCommandsPerDevice = 2 };
        var ledger = new CommandLedger(options);
        const long now = 1_800_000_000_000;
        Assert.Multiple(() =>
        {
            Assert.That(ledger.Add("c1", "d1", now - 1000, [1], now), Is.True);
            Assert.That(ledger.Add("c1", "d1", now - 1000, [1], now), Is.False, "read again: not pending twice");
            Assert.That(ledger.Add("old", "d1", now - (2 * 3_600_000), [9], now), Is.False, "past its time to live");
        });

        ledger.Acknowledge("c2", "d1", now);
        Assert.That(ledger.Add("c2", "d1", now - 500, [2], now), Is.False, "an acknowledgement read before its command");
        Assert.That(ledger.Add("c3", "d1", now, [3], now), Is.True);
        Assert.That(ledger.Add("c4", "d1", now, [4], now), Is.True);
        Assert.That(ledger.PendingFor("d1", now).Select(p => p[0]), Is.EqualTo(new byte[] { 3, 4 }), "at most two per device: the oldest went");

        ledger.Acknowledge("c3", "d1", now);
        Assert.Multiple(() =>
        {
            Assert.That(ledger.PendingFor("d1", now).Select(p => p[0]), Is.EqualTo(new byte[] { 4 }));
            Assert.That(ledger.PendingFor("d1", now + 3_700_000), Is.Empty, "expired");
            Assert.That(ledger.PendingFor("d2", now), Is.Empty);
        });
    }

    private PeerClient Subscribe(IPEndPoint gateway, int wait, int? count = null)
    {
        string[] args = ["-c", "-i", Device, "-u", Device, "-P", GatewayFixture.Password, "-q", "1", "-t", $"sensing/{Device}/down", "-v", "-W", wait.ToString(System.Globalization.CultureInfo.InvariantCulture)];
        return PeerClient.Mosquitto("mosquitto_sub", gateway, count is { } n ? [.. args, "-C", n.ToString(System.Globalization.CultureInfo.InvariantCulture)] : args);
    }

    private async Task<(SensingServerProcess Gateway, IPEndPoint EndPoint)> StartGatewayAsync(string id)
    {
        var endPoint = new IPEndPoint(IPAddress.Loopback, FreePorts.Pick());
        var gateway = SensingServerProcess.Start(id, "gateway", "--kafka", _kafka.BootstrapServers, "--kafka-legacy-version", "0.9.0.1",
            "--registry", _registry, "--listen", endPoint.ToString(), "--store", $"http://127.0.0.1:{FreePorts.Pick()}", "--gateway-id", id);
        await gateway.WaitForLineAsync("gateway: ", TimeSpan.FromSeconds(60));
        Assert.That(await GatewayFixture.EventuallyAsync(() => Accepts(endPoint), Patience), Is.True, $"{id} should listen on {endPoint}");
        return (gateway, endPoint);
    }

    private async Task<string> ProduceCommandAsync(string id)
    {
        var command = new DeviceCommand { Id = id, Device = Device, Command = DeviceCommandNames.ValveClose, IssuedAtMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), Reason = "test" };
        var value = JsonSerializer.SerializeToUtf8Bytes(command, DeviceCommandJsonContext.Default.DeviceCommand);
        using var producer = new RecordProducer(_options, "it-ledger");
        var outcome = await producer.ProduceAndWaitAsync(_options.Topics.Commands, Encoding.UTF8.GetBytes(Device), value, CancellationToken.None);
        Assert.That(outcome.Persisted, Is.True, outcome.Error);
        return Encoding.UTF8.GetString(value);
    }

    private List<DeviceCommandAck> Acks()
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = _kafka.BootstrapServers, GroupId = "ledger-it-reader", EnableAutoCommit = false,
            ApiVersionRequest = false, BrokerVersionFallback = "0.9.0.1",
        };
        using var consumer = new ConsumerBuilder<byte[], byte[]>(config).Build();
        var partition = new TopicPartition(_options.Topics.CommandAcks, 0);
        var end = consumer.QueryWatermarkOffsets(partition, TimeSpan.FromSeconds(10)).High.Value;
        var acks = new List<DeviceCommandAck>();
        if (end <= 0)
        {
            return acks;
        }

        consumer.Assign(new TopicPartitionOffset(partition, Offset.Beginning));
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (DateTime.UtcNow < deadline && consumer.Consume(TimeSpan.FromSeconds(1)) is { } result)
        {
            acks.Add(JsonSerializer.Deserialize(result.Message.Value, DeviceCommandJsonContext.Default.DeviceCommandAck)!);
            if (result.Offset.Value + 1 >= end)
            {
                break;
            }
        }

        return acks;
    }

    private static bool Accepts(IPEndPoint endPoint)
    {
        try
        {
            using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
            socket.Connect(endPoint);
            return true;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
    }
}
