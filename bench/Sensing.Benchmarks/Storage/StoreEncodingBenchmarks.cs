using System.Buffers;
using System.Buffers.Binary;
using BenchmarkDotNet.Attributes;
using Sensing.Core.Devices;
using Sensing.Core.Telemetry;
using Sensing.Storage;
using Sensing.Storage.Aggregation;

namespace Sensing.Benchmarks.Storage;

/// <summary>
/// Per-point cost and allocation of what the processor encodes for the store: a raw reading as a line-protocol point
/// (3 tags, 2 fields, timestamp), and a reading added to the one-minute aggregates (with the aggregate points written
/// when minutes close). 10,000 readings of 1,000 gas meters per invocation, into a buffer reset between invocations.
/// </summary>
[MemoryDiagnoser]
public class StoreEncodingBenchmarks
{
    private const int Devices = 1_000;
    private const int Readings = 10_000;

    private readonly ArrayBufferWriter<byte> _output = new(4 << 20);
    private DeviceInfo[] _devices = [];
    private byte[][] _frames = [];
    private LineProtocolWriter _lines = null!;
    private MinuteAggregator _aggregates = null!;
    private long _minute;

    [GlobalSetup]
    public void Setup()
    {
        _devices = new DeviceInfo[Devices];
        _frames = new byte[Devices][];
        for (var i = 0; i < Devices; i++)
        {
            _devices[i] = new DeviceInfo($"gm-{i:D6}", DeviceKind.GasMeter, $"d{i % 40:D2}", 30, "");
            var frame = new ArrayBufferWriter<byte>();
            TelemetryFrame.Write(frame, _devices[i].IdUtf8, DeviceKind.GasMeter, 1_764_583_200_000 + i, 0, 1, default,
                [new MetricValue(Metric.GasFlow, 0.125 * i), new MetricValue(Metric.BatteryVolts, 3.6)]);
            _frames[i] = frame.WrittenSpan.ToArray();
        }

        _lines = new LineProtocolWriter(_output);
        _aggregates = new MinuteAggregator(new MinuteAggregatorOptions { InitialDevices = Devices });
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Readings)]
    public long RawReadingPoint()
    {
        _output.ResetWrittenCount();
        for (var i = 0; i < Readings; i++)
        {
            var device = _devices[i % Devices];
            TelemetryFrame.TryDecode(_frames[i % Devices], out var reading, out _);
            _lines.Measurement("sensing_reading"u8)
                .Tag("device"u8, reading.DeviceId)
                .Tag("district"u8, device.District)
                .Tag("kind"u8, device.Kind.Name());
            for (var m = 0; m < reading.MetricCount; m++)
            {
                var metric = reading.GetMetric(m);
                _lines.Field(metric.Metric == Metric.GasFlow ? "flow"u8 : "battery"u8, metric.Value);
            }

            _lines.EndLine(reading.EventTimeMs);
        }

        return _output.WrittenCount;
    }

    [Benchmark(OperationsPerInvoke = Readings)]
    public long MinuteAggregate()
    {
        // Ten readings per device per invocation, each with the device's next sequence number and all in the
        // invocation's own minute (a reading repeated would be a duplicate, one of a written minute late), then the
        // minute closes: one aggregate point per device.
        _output.ResetWrittenCount();
        _minute++;
        for (var i = 0; i < Readings; i++)
        {
            var frame = _frames[i % Devices];
            BinaryPrimitives.WriteInt64BigEndian(frame.AsSpan(4), 1_764_583_200_000 + (_minute * 60_000) + (i / Devices));
            BinaryPrimitives.WriteUInt64BigEndian(frame.AsSpan(20), (ulong)((_minute * (Readings / Devices)) + (i / Devices) + 1));
            TelemetryFrame.TryDecode(frame, out var reading, out _);
            _aggregates.Add(i % Devices, _devices[i % Devices], reading, _lines);
        }

        _aggregates.CloseAll(_lines);
        return _output.WrittenCount;
    }
}
