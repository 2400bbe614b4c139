using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Sensing.Core.Devices;
using Sensing.Core.Telemetry;
using Sensing.Detection;
using Sensing.IntegrationTests.Storage;
using Sensing.Kafka;
using Sensing.LocalServers;
using Sensing.Processor;

namespace Sensing.IntegrationTests.Pipeline;

/// <summary>
/// The processor against the real Kafka 0.9 broker and real VictoriaMetrics, with a short max.poll.interval.ms: the
/// store is stopped for several poll intervals while the telemetry topic fills. The processor pauses its partitions
/// and keeps polling, so it stays in the group (no revoke, no max-poll warning), commits nothing it has not stored,
/// and stores every reading once the store is back.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class ProcessorBackpressureTests
{
    private const int Devices = 12;
    private const string Group = "backpressure";

    // The shortest session Kafka 0.9 accepts (group.min.session.timeout.ms); librdkafka wants max.poll.interval.ms
    // at least as long.
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(6);
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(20);

    private readonly LocalKafka _kafka = new(LocalKafkaOptions.Default);
    private readonly LocalVictoriaMetrics _store = new(LocalVictoriaMetricsOptions.Default);
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private KafkaOptions _options = KafkaOptions.Default;

    [OneTimeSetUp]
    public async Task StartServers()
    {
        await Task.WhenAll(_kafka.StartAsync(), _store.StartAsync());
        _options = new KafkaOptions
        {
            BootstrapServers = _kafka.BootstrapServers,
            LegacyBrokerVersion = "0.9.0.1",
            ConsumerSessionTimeout = PollInterval,
            ConsumerMaxPollInterval = PollInterval,
        }.Validate();
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
    }

    // Both tests share the telemetry topic: this one counts its own group's records from the topic's start, so it runs first.
    [Test]
    [Order(1)]
    [CancelAfter(240_000)]
    public async Task StoreStoppedLongerThanMaxPollInterval_ProcessorStaysInGroupAndStoresEveryReading()
    {
        var devices = Enumerable.Range(1, Devices).Select(i => new DeviceInfo($"bp-{i}", DeviceKind.MethaneDetector, "d05", 3600, "")).ToList();
        var registry = new DeviceRegistry();
        registry.Upsert(devices);
        var t0 = DateTimeOffset.UtcNow.AddMinutes(-30).ToUnixTimeMilliseconds() / 60_000 * 60_000;
        var log = new ConcurrentQueue<string>();
        await using var processorStore = ProcessorStore.Create(_store.BaseUrl);
        var processor = new TelemetryProcessor(
            ProcessorOptions.Default with { GroupId = Group, MaxBatch = 50 }, _options, registry, DetectionOptions.Default, processorStore,
            line =>
            {
                log.Enqueue(line);
                TestContext.Progress.WriteLine($"processor: {line}");
            });
        using var stop = new CancellationTokenSource();
        var run = Task.Factory.StartNew(() => processor.Run(stop.Token), stop.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        using var inspector = new TopicInspector(_options);
        try
        {
            await ProduceAsync(devices, t0, 0, 50);
            await WaitForAsync(() => Committed(inspector) == Devices * 50, TimeSpan.FromSeconds(90), "the first readings are committed");

            await _store.StopAsync();
            var outage = Stopwatch.StartNew();
            await ProduceAsync(devices, t0, 50, 250);
            await Task.Delay(Outage - outage.Elapsed);
            var consumedInOutage = processor.Counters.Consumed;
            var committedInOutage = Committed(inspector);
            await Task.Delay(TimeSpan.FromSeconds(2));

            Assert.Multiple(() =>
            {
                Assert.That(processor.Counters.HoldBacks, Is.GreaterThan(0), "the processor held back while the store was down");
                Assert.That(processor.Counters.Consumed, Is.EqualTo(consumedInOutage), "nothing more is read while the writer is full");
                Assert.That(consumedInOutage, Is.LessThan(Devices * 250), "the backlog waits in Kafka, not in the processor");
                Assert.That(Committed(inspector), Is.EqualTo(committedInOutage).And.EqualTo(Devices * 50), "nothing is committed that is not stored");
            });

            await _store.StartAsync();
            TestContext.Progress.WriteLine($"store outage: {outage.Elapsed.TotalSeconds:0.0} s, max.poll.interval.ms {PollInterval.TotalMilliseconds}");
            await WaitForAsync(() => Committed(inspector) == Devices * 250, TimeSpan.FromSeconds(90), "every reading is committed after the outage");

            long stored = 0;
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < TimeSpan.FromSeconds(60) && stored != Devices * 250)
            {
                await _store.FlushAsync();
                stored = await StoredReadingsAsync(t0);
                await Task.Delay(500);
            }

            var lines = log.ToArray();
            Assert.Multiple(() =>
            {
                Assert.That(stored, Is.EqualTo(Devices * 250), "distinct raw readings in the store equal the readings produced");
                Assert.That(lines.Count(l => l.Contains("assigned partitions", StringComparison.Ordinal)), Is.EqualTo(1), "assigned once, never again");
                Assert.That(lines.Where(l => l.Contains("revoked partitions", StringComparison.Ordinal)), Is.Empty, "no partition was revoked");
                Assert.That(lines.Where(l => l.Contains("MAXPOLL", StringComparison.Ordinal) || l.Contains("poll interval", StringComparison.Ordinal)), Is.Empty,
                    "the client never left the group for want of polling");
            });
        }
        finally
        {
            await stop.CancelAsync();
            await run;
        }
    }

    [Test]
    [Order(2)]
    [CancelAfter(240_000)]
    public async Task StoreStopped_DetectingProcessorRaisesTheAlertAtOnce_StoreSinkStoresEveryReadingAndTheAlertAfterwards()
    {
        var devices = Enumerable.Range(1, Devices).Select(i => new DeviceInfo($"sp-{i}", DeviceKind.MethaneDetector, "d06", 3600, "")).ToList();
        var registry = new DeviceRegistry();
        registry.Upsert(devices);
        var t0 = DateTimeOffset.UtcNow.AddMinutes(-20).ToUnixTimeMilliseconds() / 60_000 * 60_000;
        Action<string> log = line => TestContext.Progress.WriteLine($"split: {line}");
        await using var detectStore = ProcessorStore.Create(_store.BaseUrl);
        await using var readingStore = ProcessorStore.Create(ProcessorStoreOptions.Default with
        {
            Writer = Sensing.Storage.StoreWriterOptions.Default with { Url = _store.BaseUrl }, ActiveAlerts = false,
        });
        await using var alertStore = ProcessorStore.Create(_store.BaseUrl);
        var detect = new TelemetryProcessor(
            ProcessorOptions.Default with { GroupId = "split-detect", Role = ProcessorRole.Detect, MaxBatch = 50 }, _options, registry, DetectionOptions.Default, detectStore, log);
        var sink = new TelemetryProcessor(
            ProcessorOptions.Default with { GroupId = "split-store", Role = ProcessorRole.Store, MaxBatch = 50 }, _options, registry, DetectionOptions.Default, readingStore, log);
        var alertSink = new AlertStoreSink(_options, "split-store.alerts", alertStore, log);
        using var stop = new CancellationTokenSource();
        var runs = new[]
        {
            Task.Factory.StartNew(() => detect.Run(stop.Token), stop.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default),
            Task.Factory.StartNew(() => sink.Run(stop.Token), stop.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default),
            Task.Factory.StartNew(() => alertSink.Run(stop.Token), stop.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default),
        };
        using var inspector = new TopicInspector(_options);
        long CommittedBy(string group) => inspector.CommittedRecords(_options.Topics.Telemetry, group, TimeSpan.FromSeconds(10));
        try
        {
            await ProduceAsync(devices, t0, 0, 30);
            var records = inspector.CountRecords(_options.Topics.Telemetry, TimeSpan.FromSeconds(10));
            await WaitForAsync(() => CommittedBy("split-detect") == records && CommittedBy("split-store") == records, TimeSpan.FromSeconds(90),
                "both groups committed the first readings");

            await _store.StopAsync();
            var outage = Stopwatch.StartNew();
            // sp-1 reads 60 %LEL from step 30 on: gas.methane-high, raised while the store is down.
            await ProduceAsync(devices, t0, 30, 60, leakFrom: 30);
            records = inspector.CountRecords(_options.Topics.Telemetry, TimeSpan.FromSeconds(10));
            await WaitForAsync(() => CommittedBy("split-detect") == records && detect.Counters.AlertEvents > 0, TimeSpan.FromSeconds(30),
                "the detecting processor raised the alert and committed every reading with the store down");
            var raisedAfter = outage.Elapsed;
            var storedInOutage = CommittedBy("split-store");
            Assert.Multiple(() =>
            {
                Assert.That(detect.Counters.HoldBacks, Is.Zero, "the detecting processor never held back for the store");
                Assert.That(storedInOutage, Is.LessThan(records), "the store sink commits nothing the store does not have");
            });

            await _store.StartAsync();
            TestContext.Progress.WriteLine($"alert raised and readings committed {raisedAfter.TotalSeconds:0.0} s into the store outage");
            await WaitForAsync(() => CommittedBy("split-store") == records, TimeSpan.FromSeconds(90), "the store sink committed every reading after the outage");

            long stored = 0;
            var alerts = 0;
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < TimeSpan.FromSeconds(60) && (stored != Devices * 60 || alerts == 0))
            {
                await _store.FlushAsync();
                stored = await StoredReadingsAsync(t0, "sp");
                alerts = (await StoreExport.ReadAsync(_http, _store.BaseUrl, "sensing_alert_value{source=\"sp-1\"}", t0 - 60_000, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds())).Count;
                await Task.Delay(500);
            }

            Assert.Multiple(() =>
            {
                Assert.That(stored, Is.EqualTo(Devices * 60), "distinct raw readings in the store equal the readings produced");
                Assert.That(alerts, Is.GreaterThan(0), "the alert event reached the store through the store sink");
                Assert.That(sink.Counters.AlertEvents, Is.Zero, "the store sink raises nothing");
            });
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(runs);
        }
    }

    private long Committed(TopicInspector inspector) =>
        inspector.CommittedRecords(_options.Topics.Telemetry, Group, TimeSpan.FromSeconds(10));

    private async Task ProduceAsync(List<DeviceInfo> devices, long t0, int from, int to, int leakFrom = int.MaxValue)
    {
        using var producer = new RecordProducer(_options, "it-backpressure");
        var buffer = new byte[TelemetryFrame.MaxLength];
        var deliveries = new List<Task<DeliveryOutcome>>();
        for (var step = from; step < to; step++)
        {
            foreach (var device in devices)
            {
                var timeMs = t0 + (step * 1000L);
                var length = TelemetryFrame.Write(buffer, Encoding.UTF8.GetBytes(device.Id), device.Kind, timeMs, timeMs, (ulong)step + 1,
                    TraceContext.None, [new MetricValue(Metric.MethaneLel, device == devices[0] && step >= leakFrom ? 60 : 1 + (step % 5))]);
                deliveries.Add(producer.ProduceAndWaitAsync(_options.Topics.Telemetry, Encoding.UTF8.GetBytes(device.Id), buffer.AsSpan(0, length).ToArray(), CancellationToken.None));
            }
        }

        var outcomes = await Task.WhenAll(deliveries);
        Assert.That(outcomes.All(o => o.Persisted), Is.True, "every frame should be in sensing.telemetry");
    }

    // Distinct (device, event time) pairs: at-least-once may write a reading twice, it must never miss one.
    private async Task<long> StoredReadingsAsync(long t0, string prefix = "bp")
    {
        var series = await StoreExport.ReadAsync(_http, _store.BaseUrl, $"sensing_reading_lel{{device=~\"{prefix}-[0-9]+\"}}", t0 - 60_000, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        return series.Sum(s => (long)s.Timestamps.Distinct().Count());
    }

    private static async Task WaitForAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!await Task.Run(condition))
        {
            if (clock.Elapsed > timeout)
            {
                Assert.Fail($"timed out after {timeout.TotalSeconds:0} s waiting until {what}");
            }

            await Task.Delay(250);
        }
    }
}
