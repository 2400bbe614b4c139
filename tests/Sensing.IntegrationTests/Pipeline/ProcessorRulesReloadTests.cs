using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Sensing.Core.Devices;
using Sensing.Core.Telemetry;
using Sensing.IntegrationTests.Storage;
using Sensing.Kafka;
using Sensing.LocalServers;
using Sensing.Processor;
using Sensing.Rules;

namespace Sensing.IntegrationTests.Pipeline;

/// <summary>
/// The processor with <c>--rules</c> against the real Kafka 0.9 broker and real VictoriaMetrics: the rules file is
/// edited while it runs. A change is applied between batches without losing the engine's state (an active alert is not
/// raised again), a bad edit is refused and the rules in force stay, and each step is a <c>sensing_rules</c> point in
/// the store carrying the file's hash.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class ProcessorRulesReloadTests
{
    private const string Tunnel = "md-tunnel";
    private const string Street = "md-street";

    private readonly LocalKafka _kafka = new(LocalKafkaOptions.Default);
    private readonly LocalVictoriaMetrics _store = new(LocalVictoriaMetricsOptions.Default);
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private KafkaOptions _options = KafkaOptions.Default;
    private string _dir = "";

    [OneTimeSetUp]
    public async Task StartServers()
    {
        _dir = Directory.CreateTempSubdirectory("rules-reload-").FullName;
        await Task.WhenAll(_kafka.StartAsync(), _store.StartAsync());
        _options = new KafkaOptions { BootstrapServers = _kafka.BootstrapServers, LegacyBrokerVersion = "0.9.0.1" }.Validate();
        foreach (var (topic, partitions) in _options.Topics.All)
        {
            await _kafka.CreateTopicAsync(topic, partitions, _options.Topics.ConfigOf(topic));
        }
    }

    [OneTimeTearDown]
    public async Task StopServers()
    {
        _http.Dispose();
        await _kafka.DisposeAsync();
        await _store.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Test]
    [CancelAfter(180_000)]
    public async Task RulesFileEdited_AppliedWithoutReRaisingBadEditRefusedEachStepStored()
    {
        var path = Path.Combine(_dir, "rules.yaml");
        Write(path, "districts:\n  tunnel-1:\n    methane:\n      level1Lel: 20\n      level2Lel: 35\n");
        var loaded = RulesFile.Load(path);
        var registry = new DeviceRegistry();
        registry.Upsert([new DeviceInfo(Tunnel, DeviceKind.MethaneDetector, "tunnel-1", 30, ""), new DeviceInfo(Street, DeviceKind.MethaneDetector, "d05", 30, "")]);
        var log = new ConcurrentQueue<string>();
        var startMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await using var processorStore = ProcessorStore.Create(_store.BaseUrl);
        var processor = new TelemetryProcessor(
            ProcessorOptions.Default with { GroupId = "rules-reload", RulesPollInterval = TimeSpan.FromMilliseconds(100) }, _options, registry, loaded,
            processorStore, line =>
            {
                log.Enqueue(line);
                TestContext.Progress.WriteLine(line);
            });
        using var stop = new CancellationTokenSource();
        var run = Task.Factory.StartNew(() => processor.Run(stop.Token), stop.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        try
        {
            // 21 %LEL: above the tunnel's 20, below the city's 25.
            var t0 = DateTimeOffset.UtcNow.AddMinutes(-10).ToUnixTimeMilliseconds();
            await ProduceAsync((Tunnel, 1, t0, 21), (Street, 1, t0, 21));
            await WaitForAsync(() => processor.Counters.Processed == 2 && processor.Counters.AlertEvents == 1, "the tunnel's alert is published");

            // An unrelated threshold changes: the tunnel's alert stays active, further high readings raise nothing new.
            Write(path, "districts:\n  tunnel-1:\n    methane:\n      level1Lel: 20\n      level2Lel: 35\nhealth:\n  lowBatteryVolts: 3.2\n");
            await WaitForAsync(() => processor.Counters.RulesApplied == 1, "the edit is applied");
            var applied = processor.Rules!;
            await ProduceAsync((Tunnel, 2, t0 + 30_000, 22), (Tunnel, 3, t0 + 60_000, 23), (Street, 2, t0 + 30_000, 24));
            await WaitForAsync(() => processor.Counters.Processed == 5, "the later readings are processed");
            // The readings processed are the positive control; the window only lets an alert raised with them be counted.
            await Task.Delay(1_000);
            Assert.That(processor.Counters.AlertEvents, Is.EqualTo(1), "no alert raised again, none for the street");

            // A bad edit: refused, the rules in force stay.
            Write(path, "districts:\n  tunnel-1:\n    methane:\n      level1Lell: 20\n");
            await WaitForAsync(() => processor.Counters.RulesRejected == 1, "the bad edit is refused");
            Assert.That(processor.Rules, Is.SameAs(applied));
            Assert.That(log, Has.Some.EqualTo(
                $"processor: rules not applied, those in force stay (sha256 {applied.Sha256}): {path}:4: districts.tunnel-1.methane.level1Lell: "
                + "unknown key (expected one of: level1Lel, level2Lel, deadbandLel, onDelay, offDelay)"));
            Assert.That(log, Has.Some.EqualTo($"processor: rules {path} applied (sha256 {applied.Sha256}), 1 key changed: health.lowBatteryVolts: (default) -> 3.2"));

            // Every step is in the store, by event and hash.
            var badSha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path)));
            List<ExportedSeries> points = [];
            var clock = Stopwatch.StartNew();
            while (points.Count < 3 && clock.Elapsed < TimeSpan.FromSeconds(30))
            {
                await _store.FlushAsync();
                points = await StoreExport.ReadAsync(_http, _store.BaseUrl, "sensing_rules_keys", startMs - 60_000, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
                await Task.Delay(250);
            }

            Assert.That(points.Select(p => (p.Labels["event"], p.Labels["sha256"], p.Labels["file"], p.Values.Single())), Is.EquivalentTo(new[]
            {
                ("loaded", loaded.Sha256, path, 2.0),
                ("applied", applied.Sha256, path, 3.0),
                ("rejected", badSha256, path, 0.0),
            }));
        }
        finally
        {
            await stop.CancelAsync();
            await run;
        }
    }

    // As editors save: a new file renamed over the old one.
    private static void Write(string path, string text)
    {
        File.WriteAllText(path + ".tmp", text);
        File.Move(path + ".tmp", path, overwrite: true);
    }

    private async Task ProduceAsync(params (string Device, ulong Sequence, long TimeMs, double Lel)[] readings)
    {
        using var producer = new RecordProducer(_options, "it-rules");
        var buffer = new byte[TelemetryFrame.MaxLength];
        foreach (var (device, sequence, timeMs, lel) in readings)
        {
            var length = TelemetryFrame.Write(buffer, Encoding.UTF8.GetBytes(device), DeviceKind.MethaneDetector, timeMs, timeMs, sequence,
                TraceContext.None, [new MetricValue(Metric.MethaneLel, lel)]);
            var outcome = await producer.ProduceAndWaitAsync(_options.Topics.Telemetry, Encoding.UTF8.GetBytes(device), buffer.AsSpan(0, length).ToArray(), CancellationToken.None);
            Assert.That(outcome.Persisted, Is.True, "the frame should be in sensing.telemetry");
        }
    }

    private static async Task WaitForAsync(Func<bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(60))
            {
                Assert.Fail($"timed out waiting until {what}");
            }

            await Task.Delay(100);
        }
    }
}
