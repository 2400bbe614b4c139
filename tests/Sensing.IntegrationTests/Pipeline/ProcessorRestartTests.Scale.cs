using System.Diagnostics;
using System.Text;
using Sensing.Core.Alerts;
using Sensing.Core.Devices;
using Sensing.Core.Telemetry;
using Sensing.Detection;
using Sensing.Gateway;
using Sensing.Kafka;
using Sensing.Processor;

namespace Sensing.IntegrationTests.Pipeline;

/// <summary>
/// Checkpoints of state past Kafka 0.9's message size limit, and district rules over processors sharing the partitions.
/// </summary>
public sealed partial class ProcessorRestartTests
{
    [Test]
    public async Task Processor_PartitionStateOverOneMegabyte_CheckpointInChunksRestoredAfterKill()
    {
        // 2,000 gas meters on one partition: about 0.9 kB of state each, twice Kafka 0.9's 1,000,012-byte record limit
        // before compression.
        const int meters = 2_000;
        const string group = "chunks";
        var startMs = DateTimeOffset.UtcNow.AddHours(-1).ToUnixTimeMilliseconds();
        var devices = Enumerable.Range(0, meters)
            .Select(i => new DeviceInfo($"gm-c{i:D4}", DeviceKind.GasMeter, "d01", 3600, "") { Parameters = DeviceParameters.Parse("qmax=6") })
            .ToList();
        var registry = Path.Combine(_work!.FullName, "chunks-registry.csv");
        DeviceRegistryFile.Write(registry, devices);
        using (var producer = new RecordProducer(_options, "it-chunks"))
        {
            var buffer = new byte[TelemetryFrame.MaxLength];
            var deliveries = devices.Select(device =>
            {
                var length = TelemetryFrame.Write(buffer, device.IdUtf8, device.Kind, startMs, startMs, 1, TraceContext.None,
                    [new MetricValue(Metric.GasFlow, 0.4), new MetricValue(Metric.GasVolume, 100), new MetricValue(Metric.ValveOpen, 1)]);

                // One key for every meter: the partitioner puts them all on one partition.
                return producer.ProduceAndWaitAsync(_options.Topics.Telemetry, "chunks"u8.ToArray(), buffer.AsSpan(0, length).ToArray(), CancellationToken.None);
            }).ToList();
            Assert.That((await Task.WhenAll(deliveries)).All(o => o.Persisted), Is.True);
        }

        // Chunks of 4 KiB: compressed, the partition's state fits in one record of the default 512 KiB.
        var first = StartProcessor(registry, group, "first", _ => { }, maxBatch: 5_000, "--checkpoint-chunk-bytes", "4096");
        PartitionCheckpoint.Restored checkpoint = default;
        var chunkSizes = new List<int>();
        try
        {
            // Until a checkpoint of the partition holds every meter (the first batches may hold only some).
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < TimeSpan.FromSeconds(120))
            {
                var latest = CompactedTopicReader.ReadLatest(_options, _options.Topics.Checkpoints, TimeSpan.FromSeconds(20));
                var found = Enumerable.Range(0, _options.Topics.TelemetryPartitions)
                    .Select(p => (Prefix: PartitionCheckpoint.PrefixOf(group, _options.Topics.Telemetry, p), Latest: latest))
                    .Select(c => PartitionCheckpoint.TryRestore(c.Latest, c.Prefix, out var r, out _, out _)
                        ? (r, c.Latest.Where(e => e.Key.StartsWith(c.Prefix + r.Slot + "/", StringComparison.Ordinal)).Select(e => e.Value.Length).ToList())
                        : default)
                    .Where(c => c.r.Snapshot is not null && Restorable(c.r.Snapshot, devices) == meters)
                    .ToList();
                if (found.Count == 1)
                {
                    (checkpoint, chunkSizes) = found[0];
                    break;
                }

                await Task.Delay(1000);
            }
        }
        finally
        {
            first.Kill();
            await first.WaitForExitAsync();
        }

        var restoredLine = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var second = StartProcessor(registry, group, "second", line =>
        {
            if (line.Contains($"restored {meters} devices", StringComparison.Ordinal))
            {
                restoredLine.TrySetResult(line);
            }
        }, maxBatch: 5_000, "--checkpoint-chunk-bytes", "4096");
        string line;
        try
        {
            line = await restoredLine.Task.WaitAsync(TimeSpan.FromSeconds(60));
        }
        finally
        {
            second.Kill();
            await second.WaitForExitAsync();
        }

        TestContext.Progress.WriteLine($"chunks: checkpoint {checkpoint.Generation}, {checkpoint.Snapshot?.Length} bytes of state, {checkpoint.StoredBytes} compressed, in {checkpoint.Chunks} chunks ({string.Join(", ", chunkSizes)} bytes)");
        Assert.Multiple(() =>
        {
            Assert.That(checkpoint.Snapshot, Is.Not.Null, "a checkpoint holding every meter should be in sensing.checkpoints");
            Assert.That(checkpoint.Snapshot?.Length, Is.GreaterThan(1_000_012), "the partition's state is past Kafka 0.9's record limit");
            Assert.That(checkpoint.StoredBytes, Is.LessThan((checkpoint.Snapshot?.Length ?? 0) / 10), "the chunks hold the state compressed");
            Assert.That(checkpoint.Chunks, Is.GreaterThanOrEqualTo(2), "the compressed state is split over records");
            Assert.That(chunkSizes, Has.All.LessThanOrEqualTo(4096));
            Assert.That(line, Does.Contain($"restored {meters} devices"));
        });
    }

    [Test]
    public async Task Processors_TwoShareThePartitions_DistrictLowPressureAlertsEqualOneEngine()
    {
        // Eight districts of three pressure sensors, no inlet meter; in each, two sensors drop below 0.14 MPa together
        // for 20 minutes and the third for 8 of them: the first low sensor's device alert, then one district alert,
        // joined by the third, cleared. Records go through the gateway's ingest, which keys them by district; two
        // processors share the partitions. Keyed by device, a district's sensors would be split between the two and
        // neither would see two low at once.
        const int districts = 8, sensors = 3, steps = 60;
        const string group = "districts";
        var startMs = DateTimeOffset.UtcNow.AddHours(-2).ToUnixTimeMilliseconds() / 60_000 * 60_000;
        var devices = (from d in Enumerable.Range(0, districts)
                       from s in Enumerable.Range(0, sensors)
                       select new DeviceInfo($"wp-k{d}{s}", DeviceKind.WaterPressure, $"kd{d}", 3600, "") { Parameters = DeviceParameters.Parse("role=far-end") })
            .ToList();
        var registryFile = Path.Combine(_work!.FullName, "districts-registry.csv");
        DeviceRegistryFile.Write(registryFile, devices);
        var readings = new List<(DeviceInfo Device, long TimeMs, ulong Sequence, double Mpa)>();
        for (var step = 0; step < steps; step++)
        {
            foreach (var device in devices)
            {
                var (d, s) = (device.Id[4] - '0', device.Id[5] - '0');
                var lowFrom = 10 + (2 * d) + (s == 2 ? 6 : 0);
                var low = step >= lowFrom && step < 30 + (2 * d) - (s == 2 ? 6 : 0);
                readings.Add((device, startMs + (step * 60_000L), (ulong)step + 1, low ? 0.11 : 0.30 + (0.001 * s)));
            }
        }

        var expected = ExpectedOfOneEngine(devices, readings).Select(Identity).ToHashSet();
        var districtRaises = ExpectedOfOneEngine(devices, readings).Where(e => e.Type == AlertEventType.Raised && e.Source.StartsWith("kd", StringComparison.Ordinal));
        Assert.That(districtRaises.Select(e => e.Source).Distinct().Count(), Is.EqualTo(districts), "one engine raises one district alert per district");

        using var alerts = new AlertReader(_options, devices.Select(d => d.District).Distinct().Concat(devices.Select(d => d.Id)));
        var assigned = new[] { new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        Action<string> OnAssigned(int n) => line =>
        {
            if (line.Contains("assigned partitions", StringComparison.Ordinal))
            {
                assigned[n].TrySetResult();
            }
        };
        var first = StartProcessor(registryFile, group, "first", OnAssigned(0));
        Process? second = null;
        try
        {
            await assigned[0].Task.WaitAsync(TimeSpan.FromSeconds(60));
            second = StartProcessor(registryFile, group, "second", OnAssigned(1));
            await assigned[1].Task.WaitAsync(TimeSpan.FromSeconds(60));

            using var producer = new RecordProducer(_options, "it-districts");
            var ingest = new ReadingIngest(producer, _options.Topics, new GatewayCounters());
            var durable = new List<Task<bool>>();
            foreach (var (device, timeMs, sequence, mpa) in readings)
            {
                var done = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
                durable.Add(done.Task);
                var payload = Encoding.UTF8.GetBytes(FormattableString.Invariant($"{{\"seq\":{sequence},\"ts\":{timeMs},\"pressure\":{mpa}}}"));
                await ingest.IngestAsync(device, payload, timeMs, done.SetResult, CancellationToken.None);
            }

            Assert.That(await Task.WhenAll(durable), Has.All.True, "every reading in sensing.telemetry");
            await alerts.ReadUntilAsync(read => read.Select(Identity).ToHashSet().IsSupersetOf(expected), TimeSpan.FromSeconds(120));
            await alerts.ReadUntilAsync(_ => false, TimeSpan.FromSeconds(3));
        }
        finally
        {
            await KillAsync(first, second);
        }

        var actual = alerts.Events;
        TestContext.Progress.WriteLine($"districts: {actual.Count} alert events, {expected.Count} expected");
        Assert.Multiple(() =>
        {
            Assert.That(actual.Select(Identity).ToHashSet(), Is.EquivalentTo(expected));
            Assert.That(actual.Where(e => e.Type == AlertEventType.Raised && e.Source.StartsWith("kd", StringComparison.Ordinal)).Select(e => e.Source).Distinct().Count(),
                Is.EqualTo(districts), "every district's sensors seen together by one processor");
        });
    }

    private static int Restorable(byte[] snapshot, List<DeviceInfo> devices)
    {
        var registry = new DeviceRegistry();
        registry.Upsert(devices);
        return new DetectionEngine(DetectionOptions.Default, registry, new NoAlerts()).RestoreSnapshot(snapshot);
    }

    private static List<AlertEvent> ExpectedOfOneEngine(List<DeviceInfo> devices, List<(DeviceInfo Device, long TimeMs, ulong Sequence, double Mpa)> readings)
    {
        var registry = new DeviceRegistry();
        registry.Upsert(devices);
        var sink = new NoAlerts();
        var engine = new DetectionEngine(DetectionOptions.Default, registry, sink);
        var buffer = new byte[TelemetryFrame.MaxLength];
        foreach (var (device, timeMs, sequence, mpa) in readings)
        {
            var length = TelemetryFrame.Write(buffer, device.IdUtf8, device.Kind, timeMs, timeMs, sequence, TraceContext.None, [new MetricValue(Metric.Pressure, mpa)]);
            TelemetryFrame.TryDecode(buffer.AsSpan(0, length), out var frame, out _);
            registry.TryFind(device.IdUtf8, out var number);
            engine.Process(number, frame);
        }

        return sink.Events;
    }

    private sealed class NoAlerts : IAlertSink
    {
        public List<AlertEvent> Events { get; } = [];

        public void OnAlert(AlertEvent alert) => Events.Add(alert);
    }
}
