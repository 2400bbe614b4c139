using System.Buffers.Binary;
using System.Text;
using BenchmarkDotNet.Attributes;
using Sensing.Core.Alerts;
using Sensing.Core.Devices;
using Sensing.Core.Telemetry;
using Sensing.Detection;

namespace Sensing.Benchmarks.Detection;

/// <summary>
/// Per-reading cost of the fire detectors (smoke alarm verification and confirmation, faults and heartbeat, residual
/// current, circuit temperature and rate, the daily-peak trend, fire-water pressure per building) over a fire-only
/// fleet of 1,000 devices in 100 buildings: 500 smoke alarms (one building with two in a standing confirmed alarm, one
/// alarm removed from its base), 200 electrical fire detectors (1 % in a standing residual pre-alarm), 200 fire-water
/// pressure sensors (one building with a closed valve) and 100 methane detectors with a building. Every invocation
/// stamps fresh sequence numbers and event times 5 min apart per device round, and advances the watermark, so days
/// pass and daily peaks move through their rings; the measured batches are steady state.
/// </summary>
[MemoryDiagnoser]
public class FireDetectionBenchmarks
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
            var kind = (i % 10) switch
            {
                < 5 => DeviceKind.SmokeAlarm,
                < 7 => DeviceKind.ElectricalFireDetector,
                < 9 => DeviceKind.FireWaterPressure,
                _ => DeviceKind.MethaneDetector,
            };
            devices[i] = new DeviceInfo($"f-{i:D5}", kind, $"district-{i % 25:D2}", 3600, "") { Parameters = DeviceParameters.Parse($"building=b{i / 10:D3}") };
        }

        var registry = new DeviceRegistry();
        registry.Upsert(devices);
        _sink = new CountingSink();
        _engine = new DetectionEngine(DetectionOptions.Default, registry, _sink);

        // Ten rounds of the fleet per batch, values with noise.
        _frames = new byte[Batch * TelemetryFrame.MaxLength];
        _offsets = new int[Batch];
        _lengths = new int[Batch];
        var random = new Random(42);
        var metric = new MetricValue[2];
        var at = 0;
        for (var i = 0; i < Batch; i++)
        {
            var device = devices[i % Devices];
            var noise = random.NextDouble() - 0.5;
            var d = i % Devices;
            var count = 1;
            switch (device.Kind)
            {
                case DeviceKind.SmokeAlarm:
                    metric[0] = new MetricValue(Metric.AlarmBits, d is 0 or 1 ? SmokeAlarmBits.Alarm : d == 12 ? SmokeAlarmBits.Removed : 0);
                    metric[1] = new MetricValue(Metric.BatteryVolts, 3.0 + (0.01 * noise));
                    count = 2;
                    break;
                case DeviceKind.ElectricalFireDetector:
                    metric[0] = new MetricValue(Metric.ResidualCurrentMa, d % 100 == 5 ? 260 : 80 + (20 * noise));
                    metric[1] = new MetricValue(Metric.Temperature, 35 + (2 * noise));
                    count = 2;
                    break;
                case DeviceKind.FireWaterPressure:
                    metric[0] = new MetricValue(Metric.Pressure, d / 10 == 3 ? 0.02 : 0.35 + (0.01 * noise));
                    break;
                default:
                    metric[0] = new MetricValue(Metric.MethaneLel, 1 + noise);
                    break;
            }

            var length = TelemetryFrame.Write(_frames.AsSpan(at), Encoding.ASCII.GetBytes(device.Id), device.Kind, StartMs, StartMs, 0, TraceContext.None, metric.AsSpan(0, count));
            _offsets[i] = at;
            _lengths[i] = length;
            at += length;
        }

        // Two days of 5-min rounds raise the standing alerts and fill daily peaks.
        for (var warm = 0L; warm < 2 * 288 / 10; warm++)
        {
            DecodeAndDetect();
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Batch, Description = "fire fleet: stamp + decode only")]
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

    [Benchmark(OperationsPerInvoke = Batch, Description = "fire fleet: stamp + decode + engine + AdvanceTo")]
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
        _engine.AdvanceTo(StartMs + (_round * StepMs));
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
