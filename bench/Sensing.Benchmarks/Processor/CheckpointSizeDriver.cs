using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using Sensing.Core.Alerts;
using Sensing.Core.Devices;
using Sensing.Core.Telemetry;
using Sensing.Detection;
using Sensing.Processor;
using Sensing.Simulators.City;

namespace Sensing.Benchmarks.Processor;

/// <summary>
/// <c>checkpoint-size [devices] [readings]</c>: the default city's detection state as a processor checkpoints it. Every
/// device of the city sends <c>readings</c> readings (a minute apart) through one detection engine; then the state of
/// each of <c>sensing.telemetry</c>'s partitions (devices spread as the gateway's district keys spread them) is
/// snapshotted, and stored as the processor stores it (<see cref="PartitionCheckpoint.Split"/>, Brotli quality 1) and,
/// for comparison, with zlib at its fastest. Prints the snapshot's bytes per device of each kind, then bytes and the
/// time of each step, median of five rounds.
/// </summary>
public static class CheckpointSizeDriver
{
    private const int Partitions = 6;

    /// <summary>Runs; <paramref name="args"/>: devices (default 190,000), readings per device (default 3).</summary>
    public static int Run(TextWriter output, string[] args)
    {
        var devices = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 190_000;
        var readings = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3;
        var city = CityModel.Create(CityOptions.Default with { Devices = devices, Districts = Math.Max(1, devices / 1900) });
        var registry = new DeviceRegistry();
        registry.Upsert(city.RegistryEntries);
        var engine = new DetectionEngine(DetectionOptions.Default, registry, new NoAlerts());
        var frame = new byte[TelemetryFrame.MaxLength];
        var metrics = new MetricValue[CityModel.MaxMetrics];
        var startMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - (readings * 60_000L);
        ulong sequence = 0;
        for (var round = 0; round < readings; round++)
        {
            foreach (var device in city.Devices)
            {
                var count = city.Measure(device, startMs + (round * 60_000L), metrics, out var eventMs);
                registry.TryFind(device.Info.IdUtf8, out var number);
                var length = TelemetryFrame.Write(frame, device.Info.IdUtf8, device.Info.Kind, eventMs, eventMs, ++sequence, default, metrics.AsSpan(0, count));
                TelemetryFrame.TryDecode(frame.AsSpan(0, length), out var decoded, out _);
                engine.Process(number, decoded);
            }
        }

        // A district's devices share a partition (the gateway keys them by district); districts are dealt round robin
        // in the order they first appear, so every run splits the city alike.
        var ofPartition = Enumerable.Range(0, Partitions).Select(_ => new List<int>()).ToArray();
        var partitionOf = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var number = 0; number < registry.Count; number++)
        {
            var district = registry[number].District ?? "";
            if (!partitionOf.TryGetValue(district, out var partition))
            {
                partitionOf[district] = partition = partitionOf.Count % Partitions;
            }

            ofPartition[partition].Add(number);
        }

        output.WriteLine("| kind | devices | snapshot bytes per device |");
        output.WriteLine("|---|---|---|");
        foreach (var kind in Enum.GetValues<DeviceKind>())
        {
            var numbers = Enumerable.Range(0, registry.Count).Where(n => registry[n].Kind == kind).ToArray();
            if (numbers.Length > 0)
            {
                var state = new ArrayBufferWriter<byte>(1 << 16);
                engine.WriteSnapshot(numbers, state);
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {kind} | {numbers.Length:N0} | {state.WrittenCount / (double)numbers.Length:N0} |"));
            }
        }

        output.WriteLine();
        output.WriteLine($"| round | devices | snapshot MB | snapshot ms | stored (Brotli q1, chunks) MB | Brotli ms | zlib fastest MB | zlib ms |");
        output.WriteLine("|---|---|---|---|---|---|---|---|");
        var snapshot = new ArrayBufferWriter<byte>(1 << 20);
        var rows = new List<double[]>();
        for (var round = 1; round <= 5; round++)
        {
            double snapshotMs = 0, brotliMs = 0, zlibMs = 0, raw = 0, stored = 0, zlib = 0;
            foreach (var numbers in ofPartition)
            {
                snapshot.ResetWrittenCount();
                var clock = Stopwatch.StartNew();
                engine.WriteSnapshot(numbers.ToArray(), snapshot);
                snapshotMs += clock.Elapsed.TotalMilliseconds;
                raw += snapshot.WrittenCount;
                clock.Restart();
                stored += PartitionCheckpoint.Split("bench/sensing.telemetry/0/", 0, round, 0, 0, snapshot.WrittenSpan, 512 * 1024).Sum(c => c.Value.Length);
                brotliMs += clock.Elapsed.TotalMilliseconds;
                clock.Restart();
                using var zlibOut = new MemoryStream();
                using (var z = new ZLibStream(zlibOut, CompressionLevel.Fastest, leaveOpen: true))
                {
                    z.Write(snapshot.WrittenSpan);
                }

                zlibMs += clock.Elapsed.TotalMilliseconds;
                zlib += zlibOut.Length;
            }

            rows.Add([raw, snapshotMs, stored, brotliMs, zlib, zlibMs]);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {round} | {registry.Count:N0} | {raw / 1e6:0.0} | {snapshotMs:0} | {stored / 1e6:0.00} | {brotliMs:0} | {zlib / 1e6:0.00} | {zlibMs:0} |"));
        }

        double Median(int column) => rows.Select(r => r[column]).Order().ElementAt(rows.Count / 2);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| median | {registry.Count:N0} | {Median(0) / 1e6:0.0} | {Median(1):0} | {Median(2) / 1e6:0.00} | {Median(3):0} | {Median(4) / 1e6:0.00} | {Median(5):0} |"));
        return 0;
    }

    private sealed class NoAlerts : IAlertSink
    {
        public void OnAlert(AlertEvent alert)
        {
        }
    }
}
