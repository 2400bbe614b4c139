using System.Buffers;
using BenchmarkDotNet.Attributes;
using Sensing.Core.Payloads;
using Sensing.Core.Telemetry;
using Sensing.Mqtt;

namespace Sensing.Benchmarks.Mqtt;

/// <summary>
/// What the gateway does per PUBLISH before handing a reading to Kafka: find the packet in the socket's bytes and
/// decode it (3.1.1 and 5.0 with properties), then decode the device payload (a JSON gas meter reading as NB-IoT
/// platforms send it, and the same reading in the 44-byte binary form); and a concentrator's batch of 10 such readings
/// (JSON array with the device in each item, and the 0xB2 binary batch): split with the envelope check, then decode
/// of every item, reported per reading. Per operation; 0 B allocated is the claim.
/// </summary>
[MemoryDiagnoser]
public class GatewayDecodeBenchmarks
{
    private static readonly byte[] JsonGasMeter =
        """{"seq":18211,"ts":"2026-11-21T04:33:00Z","volume":1234.567,"flow":0.75,"valve":"open","battery":3.58,"rsrp":-95,"temp":12.5,"imei":"860000000000001"}"""u8.ToArray();

    private readonly MetricValue[] _metrics = new MetricValue[TelemetryFrame.MaxMetrics];
    private readonly MqttFrameBuffer _reassembly = new();
    private ReadOnlySequence<byte> _publish311;
    private ReadOnlySequence<byte> _publish5;
    private byte[] _binaryGasMeter = [];
    private byte[] _jsonBatch = [];
    private byte[] _binaryBatch = [];

    // Readings in each concentrator batch.
    private const int BatchItems = 10;

    [GlobalSetup]
    public void Setup()
    {
        _publish311 = new ReadOnlySequence<byte>(Publish(MqttProtocolVersion.V311));
        _publish5 = new ReadOnlySequence<byte>(Publish(MqttProtocolVersion.V500));
        _binaryGasMeter = new byte[BinaryReadingDecoder.HeaderLength + (6 * BinaryReadingDecoder.MetricLength)];
        BinaryReadingDecoder.Write(_binaryGasMeter, 18211, 1_795_667_580_000,
        [
            new(Metric.GasVolume, 1234.567), new(Metric.GasFlow, 0.75), new(Metric.ValveOpen, 1), new(Metric.BatteryVolts, 3.58),
            new(Metric.SignalRsrp, -95), new(Metric.Temperature, 12.5),
        ]);
        var json = new List<byte> { (byte)'[' };
        var binary = new List<byte> { ConcentratorBatch.Marker };
        for (var i = 0; i < BatchItems; i++)
        {
            var id = System.Text.Encoding.ASCII.GetBytes($"gm-{i + 1:D6}");
            json.AddRange(System.Text.Encoding.ASCII.GetBytes($"{{\"device\":\"gm-{i + 1:D6}\","));
            json.AddRange(JsonGasMeter.AsSpan(1).ToArray());
            json.Add(i == BatchItems - 1 ? (byte)']' : (byte)',');
            binary.Add((byte)id.Length);
            binary.AddRange(id);
            binary.AddRange(_binaryGasMeter);
        }

        _jsonBatch = [.. json];
        _binaryBatch = [.. binary];
    }

    [GlobalCleanup]
    public void Cleanup() => _reassembly.Dispose();

    [Benchmark(Baseline = true, Description = "PUBLISH 3.1.1: frame + decode")]
    public int DecodePublish311() => DecodePublish(_publish311, MqttProtocolVersion.V311);

    [Benchmark(Description = "PUBLISH 5.0 with properties: frame + decode")]
    public int DecodePublish5() => DecodePublish(_publish5, MqttProtocolVersion.V500);

    [Benchmark(Description = "JSON gas meter payload")]
    public int DecodeJsonGasMeter() => DecodePayload(JsonGasMeter);

    [Benchmark(Description = "binary gas meter payload")]
    public int DecodeBinaryGasMeter() => DecodePayload(_binaryGasMeter);

    [Benchmark(OperationsPerInvoke = BatchItems, Description = "concentrator JSON batch, per reading")]
    public int DecodeJsonBatch() => DecodeBatch(_jsonBatch);

    [Benchmark(OperationsPerInvoke = BatchItems, Description = "concentrator binary batch, per reading")]
    public int DecodeBinaryBatch() => DecodeBatch(_binaryBatch);

    // As the gateway does: one pass splits the items and checks the envelope, then each item's reading is decoded.
    private int DecodeBatch(byte[] payload)
    {
        var count = ConcentratorBatch.MaxItems(payload);
        var batch = new ConcentratorBatch(payload);
        while (batch.TryRead(out var deviceId, out var item))
        {
            count += deviceId.Length + (DevicePayload.TryDecode(item, 1, _metrics, out var reading, out _) ? reading.MetricCount : -1);
        }

        return count;
    }

    private int DecodePublish(in ReadOnlySequence<byte> bytes, MqttProtocolVersion version) =>
        MqttFrameReader.TryRead(bytes, 65_536, _reassembly, out var frame, out _, out _) == MqttFrameStatus.Complete
        && MqttPublish.TryDecode(frame, version, out var publish, out _)
            ? publish.Payload.Length + publish.Topic.Length + publish.PacketId
            : -1;

    private int DecodePayload(byte[] payload) =>
        DevicePayload.TryDecode(payload, 1, _metrics, out var reading, out _) ? reading.MetricCount : -1;

    private static byte[] Publish(MqttProtocolVersion version)
    {
        var writer = new ArrayBufferWriter<byte>();
        MqttPacketWriter.WritePublish(writer, version, "sensing/gm-000123/up"u8, JsonGasMeter, MqttQoS.AtLeastOnce, 17, false, false,
            new MqttPublishProperties { ContentType = "application/json"u8, UserPropertyName = "traceparent"u8, UserPropertyValue = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"u8 });
        return writer.WrittenSpan.ToArray();
    }
}
