using System.Buffers.Binary;
using System.Text;
using BenchmarkDotNet.Attributes;
using Sensing.Core.Alerts;
using Sensing.Core.Devices;
using Sensing.Core.Telemetry;
using Sensing.Detection;

namespace Sensing.Benchmarks.Detection;

/// <summary>
/// Per-reading cost of the water detectors (low pressure, pipe burst CUSUM, night flow, reservoir colours, heavy
/// rain) over a water-only fleet of 1,000 devices in 25 districts: 600 pressure sensors (1 % standing low), 100 inlet
/// and 100 DMA flow meters, 100 reservoir gauges, 100 rain gauges. Every invocation stamps fresh sequence numbers and
/// event times 5 min apart per device round into the frames, so time moves on as in the field; the baselines are
/// warm (three weeks of readings in the setup) and the measured batches are steady state.
/// </summary>
[MemoryDiagnoser]
public class WaterDetectionBenchmarks
{
    private const int Devices = 1_000;
    private const int Batch = 10_000;
    private const long StepMs = 300_000;
    private const long StartMs = 1_748_822_400_000;

    // TelemetryFrame layout v1: event time (int64) at bytes 4..11, ingest time at 12..19, sequence (uint64) at 20..27.
    private const int EventTimeOffset = 4;
    private const int IngestTimeOffset = 12;
    private const int SequenceOffset = 20;

    private byte[] _frames = [];
    private int[] _offsets = [];
    private int[] _lengths = [];
    private DetectionEngine _engine = null!;
    private CountingSink _sink = new();
    private ulong _sequence;
    private long _round;

    /// <summary>Alert events seen by the sink (transitions are rare in steady state).</summary>
    public int Events => _sink.Count;

    [GlobalSetup]
    public void Setup()
    {
        var devices = new DeviceInfo[Devices];
        for (var i = 0; i < Devices; i++)
        {
            var (kind, parameters) = (i % 10) switch
            {
                6 => (DeviceKind.WaterFlow, i % 20 == 6 ? "role=inlet" : "role=dma"),
                7 => (DeviceKind.WaterFlow, i % 20 == 7 ? "role=inlet" : "role=dma"),
                8 => (DeviceKind.ReservoirLevel, "warning_m=18;guaranteed_m=19.5;historic_max_m=20.2"),
                9 => (DeviceKind.RainGauge, ""),
                _ => (DeviceKind.WaterPressure, "role=far-end"),
            };
            devices[i] = new DeviceInfo($"w-{i:D5}", kind, $"district-{i % 25:D2}", 300, "") { Parameters = DeviceParameters.Parse(parameters) };
        }

        var registry = new DeviceRegistry();
        registry.Upsert(devices);
        _sink = new CountingSink();
        _engine = new DetectionEngine(DetectionOptions.Default, registry, _sink);

        // Ten rounds of the fleet per batch, values with noise around a flat demand (the pre-encoded batch repeats,
        // so a diurnal curve would not line up with the advancing clock).
        _frames = new byte[Batch * TelemetryFrame.MaxLength];
        _offsets = new int[Batch];
        _lengths = new int[Batch];
        var random = new Random(42);
        var metric = new MetricValue[1];
        var at = 0;
        for (var i = 0; i < Batch; i++)
        {
            var device = devices[i % Devices];
            var noise = random.NextDouble() - 0.5;
            metric[0] = device.Kind switch
            {
                DeviceKind.WaterFlow => new MetricValue(Metric.WaterFlow, 300 + (20 * noise)),
                DeviceKind.ReservoirLevel => new MetricValue(Metric.Level, 12 + (0.02 * noise)),
                DeviceKind.RainGauge => new MetricValue(Metric.Rain, 0.1 + (0.1 * noise)),
                _ when i % Devices == 100 || i % Devices == 200 => new MetricValue(Metric.Pressure, 0.10 + (0.01 * noise)),
                _ => new MetricValue(Metric.Pressure, 0.35 + (0.01 * noise)),
            };
            var length = TelemetryFrame.Write(_frames.AsSpan(at), Encoding.ASCII.GetBytes(device.Id), device.Kind, StartMs, StartMs, 0, TraceContext.None, metric);
            _offsets[i] = at;
            _lengths[i] = length;
            at += length;
        }

        // Three weeks of 5-min rounds warm every 30-min slot of the weekly baselines and the night-flow baselines.
        for (var warm = 0L; warm < 21 * 288 / 10; warm++)
        {
            DecodeAndDetect();
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Batch, Description = "water fleet: stamp + decode only")]
    public long Decode()
    {
        long sum = 0;
        var round = _round;
        for (var i = 0; i < Batch; i++)
        {
            var span = Stamp(i, round);
            if (TelemetryFrame.TryDecode(span, out var reading, out _))
            {
                sum += (long)reading.Sequence;
            }
        }

        _round = round + (Batch / Devices);
        return sum;
    }

    [Benchmark(OperationsPerInvoke = Batch, Description = "water fleet: stamp + decode + engine")]
    public long DecodeAndDetect()
    {
        var round = _round;
        for (var i = 0; i < Batch; i++)
        {
            var span = Stamp(i, round);
            if (TelemetryFrame.TryDecode(span, out var reading, out _))
            {
                _engine.Process(i % Devices, reading);
            }
        }

        _round = round + (Batch / Devices);
        return _engine.Processed;
    }

    private Span<byte> Stamp(int i, long round)
    {
        var span = _frames.AsSpan(_offsets[i], _lengths[i]);
        var timeMs = StartMs + ((round + (i / Devices)) * StepMs);
        BinaryPrimitives.WriteInt64BigEndian(span[EventTimeOffset..], timeMs);
        BinaryPrimitives.WriteInt64BigEndian(span[IngestTimeOffset..], timeMs);
        BinaryPrimitives.WriteUInt64BigEndian(span[SequenceOffset..], ++_sequence);
        return span;
    }

    private sealed class CountingSink : IAlertSink
    {
        public int Count { get; private set; }

        public void OnAlert(AlertEvent alert) => Count++;
    }
}
