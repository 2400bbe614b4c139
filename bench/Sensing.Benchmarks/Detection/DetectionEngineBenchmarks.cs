using System.Buffers.Binary;
using System.Text;
using BenchmarkDotNet.Attributes;
using Sensing.Core.Alerts;
using Sensing.Core.Devices;
using Sensing.Core.Telemetry;
using Sensing.Detection;

namespace Sensing.Benchmarks.Detection;

/// <summary>
/// Per-reading cost of the detection engine over a batch of pre-encoded telemetry frames from a mixed fleet of
/// 1,000 devices of every kind (gas meters, methane detectors, EV chargers, water pressure and flow, reservoir and
/// rain gauges, in the city's proportions), so every detector runs. Every invocation stamps fresh sequence numbers
/// into the frames first (in every benchmark, baseline included), so the engine never takes its duplicate
/// shortcut; the engine benchmarks end with one <see cref="DetectionEngine.AdvanceTo"/> per batch, as the
/// processor calls it once per batch.
/// </summary>
[MemoryDiagnoser]
public class DetectionEngineBenchmarks
{
    private const int Devices = 1_000;
    private const int Batch = 10_000;

    /// <summary>Readings each benchmark invocation processes.</summary>
    public const int ReadingsPerInvocation = Batch;

    // TelemetryFrame layout v1: device sequence number, big-endian uint64 at bytes 20..27.
    private const int SequenceOffset = 20;

    private byte[] _frames = [];
    private int[] _offsets = [];
    private int[] _lengths = [];
    private int[] _deviceNumbers = [];
    private DeviceRegistry _registry = new();
    private DetectionEngine _engine = null!;
    private ulong _sequence;

    // Device classes in roughly the city's proportions (DOMAIN.md: gas meters dominate, then chargers).
    private static readonly (DeviceKind Kind, int Share)[] Mix =
    [
        (DeviceKind.GasMeter, 55), (DeviceKind.MethaneDetector, 15), (DeviceKind.EvCharger, 15), (DeviceKind.WaterPressure, 8),
        (DeviceKind.WaterFlow, 4), (DeviceKind.ReservoirLevel, 2), (DeviceKind.RainGauge, 1),
    ];

    private long _watermarkMs;

    [GlobalSetup]
    public void Setup()
    {
        var devices = new DeviceInfo[Devices];
        for (var i = 0; i < Devices; i++)
        {
            var kind = KindOf(i);
            devices[i] = new DeviceInfo($"{kind.Name()}-{i:D5}", kind, $"district-{i % 40:D2}", 30, "")
            {
                Parameters = kind == DeviceKind.GasMeter ? DeviceParameters.Parse("qmax=6") : DeviceParameters.Empty,
            };
        }

        _registry = new DeviceRegistry();
        _registry.Upsert(devices);
        _engine = new DetectionEngine(DetectionOptions.Default, _registry, new CountingSink());

        _frames = new byte[Batch * TelemetryFrame.MaxLength];
        _offsets = new int[Batch];
        _lengths = new int[Batch];
        _deviceNumbers = new int[Batch];
        var random = new Random(42);
        var metrics = new MetricValue[5];
        var at = 0;
        for (var i = 0; i < Batch; i++)
        {
            var device = i % Devices;
            var kind = devices[device].Kind;
            var count = Fill(metrics, kind, device, i, random);

            // 10 ms apart: each device reports every 10 s of event time, well inside its 30 s interval.
            var timeMs = 1_750_000_000_000 + (i * 10L);
            var length = TelemetryFrame.Write(
                _frames.AsSpan(at), Encoding.ASCII.GetBytes(devices[device].Id), kind, timeMs, timeMs + 40, 0, TraceContext.None,
                metrics.AsSpan(0, count));
            _offsets[i] = at;
            _lengths[i] = length;
            _deviceNumbers[i] = device;
            _watermarkMs = timeMs;
            at += length;
        }

        // Warm up: raise the standing alarms so the measured runs are steady state.
        DecodeAndDetect();
    }

    internal static DeviceKind KindOf(int device)
    {
        var slot = device % 100;
        foreach (var (kind, share) in Mix)
        {
            if (slot < share)
            {
                return kind;
            }

            slot -= share;
        }

        return DeviceKind.GasMeter;
    }

    internal static int Fill(MetricValue[] m, DeviceKind kind, int device, int i, Random random)
    {
        m[0] = new MetricValue(Metric.BatteryVolts, Math.Round(3.55 + (random.NextDouble() * 0.1), 2));
        switch (kind)
        {
            case DeviceKind.GasMeter:
                var flow = random.Next(4) == 0 ? 0 : Math.Round(random.NextDouble() * 2.5, 3);
                m[1] = new MetricValue(Metric.GasFlow, flow);
                m[2] = new MetricValue(Metric.GasVolume, 1_000 + (i * 0.001));
                m[3] = new MetricValue(Metric.ValveOpen, 1);
                m[4] = new MetricValue(Metric.AlarmBits, 0);
                return 5;
            case DeviceKind.MethaneDetector:
                // 10 detectors (1 % of the fleet) sit in an active alarm (30 %LEL: repeats, no events); the rest read 0-10 %LEL.
                m[1] = new MetricValue(Metric.MethaneLel, device % 100 == 57 ? 30.0 : Math.Round(random.NextDouble() * 10, 1));
                return 2;
            case DeviceKind.EvCharger:
                m[1] = new MetricValue(Metric.ConnectorStatus, (double)ChargerStatus.Charging);
                m[2] = new MetricValue(Metric.ChargerErrorCode, (double)ChargerError.NoError);
                m[3] = new MetricValue(Metric.PowerKw, Math.Round(random.NextDouble() * 22, 1));
                return 4;
            case DeviceKind.WaterPressure:
                m[1] = new MetricValue(Metric.Pressure, Math.Round(0.25 + (random.NextDouble() * 0.05), 4));
                return 2;
            case DeviceKind.WaterFlow:
                m[1] = new MetricValue(Metric.WaterFlow, Math.Round(100 + (random.NextDouble() * 20), 2));
                return 2;
            case DeviceKind.ReservoirLevel:
                m[1] = new MetricValue(Metric.Level, Math.Round(10 + random.NextDouble(), 3));
                return 2;
            default:
                m[1] = new MetricValue(Metric.Rain, 0);
                return 2;
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Batch, Description = "decode only")]
    public long Decode()
    {
        long sum = 0;
        for (var i = 0; i < Batch; i++)
        {
            var span = _frames.AsSpan(_offsets[i], _lengths[i]);
            BinaryPrimitives.WriteUInt64BigEndian(span[SequenceOffset..], ++_sequence);
            if (TelemetryFrame.TryDecode(span, out var reading, out _))
            {
                sum += (long)reading.Sequence;
            }
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = Batch, Description = "decode + engine")]
    public long DecodeAndDetect()
    {
        for (var i = 0; i < Batch; i++)
        {
            var span = _frames.AsSpan(_offsets[i], _lengths[i]);
            BinaryPrimitives.WriteUInt64BigEndian(span[SequenceOffset..], ++_sequence);
            if (TelemetryFrame.TryDecode(span, out var reading, out _))
            {
                _engine.Process(_deviceNumbers[i], reading);
            }
        }

        _engine.AdvanceTo(_watermarkMs);
        return _engine.Processed;
    }

    [Benchmark(OperationsPerInvoke = Batch, Description = "decode + registry lookup + engine")]
    public long DecodeLookupAndDetect()
    {
        for (var i = 0; i < Batch; i++)
        {
            var span = _frames.AsSpan(_offsets[i], _lengths[i]);
            BinaryPrimitives.WriteUInt64BigEndian(span[SequenceOffset..], ++_sequence);
            if (TelemetryFrame.TryDecode(span, out var reading, out _) && _registry.TryFind(reading.DeviceId, out var number))
            {
                _engine.Process(number, reading);
            }
        }

        _engine.AdvanceTo(_watermarkMs);
        return _engine.Processed;
    }

    private sealed class CountingSink : IAlertSink
    {
        public int Count { get; private set; }

        public void OnAlert(AlertEvent alert) => Count++;
    }
}
