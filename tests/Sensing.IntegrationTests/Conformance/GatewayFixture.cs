using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Sensing.Core.Commands;
using Sensing.Core.Devices;
using Sensing.Core.Telemetry;
using Sensing.Gateway;
using Sensing.Kafka;
using Sensing.LocalServers;

namespace Sensing.IntegrationTests.Conformance;

/// <summary>One reading found in <c>sensing.telemetry</c>.</summary>
public sealed record KafkaReading(string Device, ulong Sequence, IReadOnlyDictionary<Metric, double> Metrics)
{
    /// <summary>The Kafka record's key.</summary>
    public string Key { get; init; } = "";
}

/// <summary>
/// A real Kafka 0.9 broker and the gateway hosted in this process, shared by the tests of one class. A background
/// consumer collects everything the gateway writes to <c>sensing.telemetry</c> and <c>sensing.deadletter</c>.
/// </summary>
public sealed class GatewayFixture : IAsyncDisposable
{
    public const string Password = "s3cret";

    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<KafkaReading> _readings = new();
    private readonly ConcurrentQueue<byte[]> _deadLetters = new();
    private WebApplication? _gateway;
    private RecordProducer? _commands;
    private Task? _collector;

    public LocalKafka Kafka { get; } = new(LocalKafkaOptions.Default);

    public KafkaOptions KafkaOptions { get; private set; } = KafkaOptions.Default;

    public IPEndPoint EndPoint { get; } = new(IPAddress.Loopback, FreePorts.Pick());

    public GatewayCounters Counters => _gateway!.Services.GetRequiredService<GatewayCounters>();

    public SessionBook Sessions => _gateway!.Services.GetRequiredService<SessionBook>();

    public IServiceProvider Services => _gateway!.Services;

    /// <summary>Registry entries for methane detectors with <see cref="Password"/>.</summary>
    public static DeviceInfo[] Detectors(params string[] ids)
    {
        var hash = DeviceRegistryFile.HashSecret(Password);
        return [.. ids.Select(id => new DeviceInfo(id, DeviceKind.MethaneDetector, "d01", 30, hash))];
    }

    public async Task StartAsync(IEnumerable<DeviceInfo> devices, Func<GatewayOptions, GatewayOptions>? configure = null)
    {
        await Kafka.StartAsync();
        KafkaOptions = new KafkaOptions { BootstrapServers = Kafka.BootstrapServers, LegacyBrokerVersion = "0.9.0.1" }.Validate();
        foreach (var (topic, partitions) in KafkaOptions.Topics.All)
        {
            await Kafka.CreateTopicAsync(topic, partitions);
        }

        var registry = new DeviceRegistry();
        registry.Upsert(devices);
        var options = new GatewayOptions { Listen = EndPoint.ToString(), GatewayId = "it-" + EndPoint.Port };
        _gateway = GatewayHost.Build((configure ?? (o => o))(options), KafkaOptions, registry,
            logging => logging.SetMinimumLevel(LogLevel.Warning));
        await _gateway.StartAsync();
        _commands = new RecordProducer(KafkaOptions, "it-commands");
        _collector = Task.Factory.StartNew(Collect, TaskCreationOptions.LongRunning);
    }

    /// <summary>Readings of <paramref name="device"/> collected so far.</summary>
    public KafkaReading[] ReadingsOf(string device) => [.. _readings.Where(r => r.Device == device)];

    /// <summary>Dead letters collected so far (the JSON record values).</summary>
    public byte[][] DeadLetters => [.. _deadLetters];

    /// <summary>Waits until <paramref name="found"/> holds for the device's readings; returns them.</summary>
    public async Task<KafkaReading[]> WaitForReadingsAsync(string device, Func<KafkaReading[], bool> found, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var readings = ReadingsOf(device);
            if (found(readings) || DateTime.UtcNow > deadline)
            {
                return readings;
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Produces a device command to <c>sensing.commands</c> (what the processor does); returns its JSON.</summary>
    public async Task<string> SendCommandAsync(string device, string command, string id)
    {
        var value = JsonSerializer.SerializeToUtf8Bytes(new DeviceCommand
        {
            Id = id, Device = device, Command = command, IssuedAtMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), Reason = "test",
        }, DeviceCommandJsonContext.Default.DeviceCommand);
        var outcome = await _commands!.ProduceAndWaitAsync(KafkaOptions.Topics.Commands, Encoding.UTF8.GetBytes(device), value, CancellationToken.None);
        Assert.That(outcome.Persisted, Is.True, "the command should be in Kafka");
        return Encoding.UTF8.GetString(value);
    }

    /// <summary>
    /// Publishes reading <paramref name="sequence"/> as the device itself (mosquitto_pub, QoS 1) and waits until it is
    /// in Kafka: the positive control of a "nothing written" check. A record the gateway handed to Kafka for the device
    /// before it shares its partition and comes first, so once this reading is collected, such a record would be too.
    /// </summary>
    public async Task PublishAndWaitAsync(string device, ulong sequence)
    {
        var result = await PeerClient.RunAsync(PeerClient.Mosquitto("mosquitto_pub", EndPoint,
            "-i", device, "-u", device, "-P", Password, "-q", "1", "-t", $"sensing/{device}/up", "-m", $"{{\"seq\":{sequence},\"lel\":1}}"));
        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        var readings = await WaitForReadingsAsync(device, r => r.Any(x => x.Sequence == sequence), TimeSpan.FromSeconds(60));
        Assert.That(readings.Select(r => r.Sequence), Does.Contain(sequence), $"reading {sequence} of {device} not seen in sensing.telemetry within 60 s");
    }

    /// <summary>Waits for a condition on the gateway's state.</summary>
    public static async Task<bool> EventuallyAsync(Func<bool> condition, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            await Task.Delay(50);
        }

        return true;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_collector is not null)
        {
            await _collector;
        }

        _commands?.Dispose();
        if (_gateway is not null)
        {
            await _gateway.StopAsync();
            await _gateway.DisposeAsync();
        }

        await Kafka.DisposeAsync();
        _stop.Dispose();
    }

    private void Collect()
    {
        using var consumer = new RecordConsumer(KafkaOptions, "it-collect-" + Guid.NewGuid().ToString("N"), "it-collect");
        consumer.Subscribe(KafkaOptions.Topics.Telemetry, KafkaOptions.Topics.DeadLetter);
        while (!_stop.IsCancellationRequested)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is not { } record)
            {
                continue;
            }

            if (record.Topic == KafkaOptions.Topics.DeadLetter)
            {
                _deadLetters.Enqueue(record.Value);
            }
            else if (TelemetryFrame.TryDecode(record.Value, out var frame, out _))
            {
                var metrics = new Dictionary<Metric, double>();
                for (var i = 0; i < frame.MetricCount; i++)
                {
                    var metric = frame.GetMetric(i);
                    metrics[metric.Metric] = metric.Value;
                }

                _readings.Enqueue(new KafkaReading(Encoding.ASCII.GetString(frame.DeviceId), frame.Sequence, metrics) { Key = Encoding.ASCII.GetString(record.Key) });
            }
        }
    }
}
