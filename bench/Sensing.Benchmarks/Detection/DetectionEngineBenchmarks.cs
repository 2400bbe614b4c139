using System.Buffers.Binary;
using System.Text;
using BenchmarkDotNet.Attributes;
using Sensing.Core.Alerts;
using Sensing.Core.Devices;
using Sensing.Core.Telemetry;
using Sensing.Detection;

namespace Sensing.Benchmarks.Detection;

/// <summary>
/// Per-reading cost of the detection engine over a batch of pre-encoded telemetry frames from 1,000 methane
/// detectors. Every invocation stamps fresh sequence numbers into the frames first (in every benchmark, baseline
/// included), so the engine never takes its duplicate shortcut.
/// </summary>
[MemoryDiagnoser]
public class DetectionEngineBenchmarks
{
    private const int Devices = 1_000;
    private const int Batch = 10_000;

    // TelemetryFrame layout v1: device sequence number, big-endian uint64 at bytes 20..27.
    private const int SequenceOffset = 20;

    private byte[] _frames = [];
    private int[] _offsets = [];
    private int[] _lengths = [];
    private int[] _deviceNumbers = [];
    private DeviceRegistry _registry = new();
    private DetectionEngine _engine = null!;
    private ulong _sequence;

    [GlobalSetup]
    public void Setup()
    {
        var devices = new DeviceInfo[Devices];
        for (var i = 0; i < Devices; i++)
        {
            devices[i] = new DeviceInfo($"md-{i:D5}", DeviceKind.MethaneDetector, $"district-{i % 40:D2}", 30, "");
        }

        _registry = new DeviceRegistry();
        _registry.Upsert(devices);
        _engine = new DetectionEngine(DetectionOptions.Default, _registry, new CountingSink());

        _frames = new byte[Batch * TelemetryFrame.MaxLength];
        _offsets = new int[Batch];
        _lengths = new int[Batch];
        _deviceNumbers = new int[Batch];
        var random = new Random(42);
        var metrics = new MetricValue[2];
        var at = 0;
        for (var i = 0; i < Batch; i++)
        {
            var device = i % Devices;

            // 1 % of the detectors sit in an active alarm (30 %LEL: repeats, no events); the rest read 0-10 %LEL.
            var lel = device % 100 == 7 ? 30.0 : Math.Round(random.NextDouble() * 10, 1);
            metrics[0] = new MetricValue(Metric.MethaneLel, lel);
            metrics[1] = new MetricValue(Metric.BatteryVolts, 3.6);
            var length = TelemetryFrame.Write(
                _frames.AsSpan(at), Encoding.ASCII.GetBytes(devices[device].Id), DeviceKind.MethaneDetector,
                1_750_000_000_000 + (i * 1_000L), 1_750_000_000_000 + (i * 1_000L) + 40, 0, TraceContext.None, metrics);
            _offsets[i] = at;
            _lengths[i] = length;
            _deviceNumbers[i] = device;
            at += length;
        }

        // Warm up: raise the standing alarms so the measured runs are steady state.
        DecodeAndDetect();
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

        return _engine.Processed;
    }

    private sealed class CountingSink : IAlertSink
    {
        public int Count { get; private set; }

        public void OnAlert(AlertEvent alert) => Count++;
    }
}
