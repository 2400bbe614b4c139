using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using Sensing.Core.Alerts;
using Sensing.Core.Devices;
using Sensing.Core.Telemetry;
using Sensing.Detection;
using Sensing.Feed;
using Sensing.Feed.Auth;
using Sensing.Kafka;
using Sensing.LocalServers;
using Sensing.Processor;
using Sensing.Storage.Telemetry;

namespace Sensing.IntegrationTests.Pipeline;

/// <summary>
/// The operator's "repaired" report end to end against the real Kafka 0.9 broker: a district's inlet meter streams 45
/// days of 5-minute readings with a leak (docs/leaks.md), the detecting processor raises it, the operator posts
/// "repaired" on the feed, and the processor hands the report to the detector: the alert clears with the note, the
/// inlet's base flow is learned again, and the same step later raises a new alert over the re-learned baseline. Across
/// restarts the report is taken once: not lost when it was posted while no processor ran, not taken again after the
/// checkpoint that holds it. Each test has its own district, device and consumer group.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class RepairedReportTests
{
    private const long T0 = 1_748_822_400_000;
    private const long Minute = 60_000;
    private const long Hour = 60 * Minute;
    private const long Day = 24 * Hour;

    // A step that starts in the night is judged once the morning's demand tells a new constant flow from a new demand
    // level (inletLeak.stepSplit, docs/leaks.md): raised within 12 h of its start.
    private const long FoundBy = 12 * Hour;
    private const long Step = 5 * Minute;

    // As WaterInletLeakTests: profile 14 days, calibration 7; a leak of 8 % of the mean inflow starts at 01:00 local
    // (17:00 UTC) on day 28, the flow is back down on day 33 when the repair is reported, and the same step comes again
    // on day 42, after the 7 days the repair's calibration takes.
    private const long NightStart = 17 * Hour;
    private const long Leak = (28 * Day) + NightStart;
    private const long FixedAt = 33 * Day;
    private const long Again = (42 * Day) + NightStart;
    private const long End = 45 * Day;
    private const double LeakM3h = 27;

    private readonly LocalKafka _kafka = new(LocalKafkaOptions.Default);
    private readonly LocalApiKeys _keys = LocalApiKeys.Create();
    private KafkaOptions _options = KafkaOptions.Default;
    private WebApplication? _feed;
    private HttpClient? _operator;

    [OneTimeSetUp]
    public async Task StartServers()
    {
        await _kafka.StartAsync();
        _options = new KafkaOptions { BootstrapServers = _kafka.BootstrapServers, LegacyBrokerVersion = "0.9.0.1" }.Validate();
        foreach (var (topic, partitions) in _options.Topics.All)
        {
            await _kafka.CreateTopicAsync(topic, partitions, _options.Topics.ConfigOf(topic));
        }

        _feed = FeedHost.Build(new FeedOptions { Url = "http://127.0.0.1:0", ApiKeys = _keys.Ring }, _options,
            logging => logging.SetMinimumLevel(LogLevel.Warning));
        await _feed.StartAsync();
        _operator = new HttpClient { BaseAddress = new Uri(FeedHost.BoundUrl(_feed)), Timeout = TimeSpan.FromSeconds(20) };
        _operator.DefaultRequestHeaders.Add("X-Api-Key", _keys.OperatorKey);
    }

    [OneTimeTearDown]
    public async Task StopServers()
    {
        _operator?.Dispose();
        if (_feed is not null)
        {
            await _feed.StopAsync();
            await _feed.DisposeAsync();
        }

        await _kafka.DisposeAsync();
    }

    [Test]
    [CancelAfter(300_000)]
    public async Task RepairedPostedOnTheFeed_AlertClearsAndTheSameStepRaisesAgainOverTheRelearnedBaseline()
    {
        var inlet = new InletMeter("wf-repair-a", "repair-a", seed: 33);
        using var alerts = new DistrictAlerts(_options, inlet.District);
        var processor = new RunningProcessor(_options, inlet.Registry, "repair-a", TimeSpan.Zero);
        try
        {
            await ProduceAsync(inlet, 0, FixedAt);
            await WaitForAsync(() => processor.Counters.Processed == inlet.Produced, "the 33 days are processed");
            var raised = alerts.Read().Single(e => e.Type == AlertEventType.Raised);
            Assert.That(raised.RaisedAtMs - (T0 + Leak), Is.InRange(0, FoundBy), "the leak is raised by the morning after it started");

            await ReportRepairedAsync(raised.Id, "joint replaced on Xianggang Rd");
            await WaitForAsync(() => alerts.Read().Any(e => e.Type == AlertEventType.Cleared), "the processor clears the alert");
            Assert.That(processor.Counters.RepairsApplied, Is.EqualTo(1));
            Assert.That(ObservedRepairsApplied(), Is.EqualTo(1), "the processor's metrics export the report applied");

            await ProduceAsync(inlet, FixedAt, End);
            await WaitForAsync(() => processor.Counters.Processed == inlet.Produced, "the last 12 days are processed");
        }
        finally
        {
            await processor.StopAsync();
        }

        var events = alerts.Read();
        var cleared = events.Single(e => e.Type == AlertEventType.Cleared);
        var raisedAgain = events.Where(e => e.Type == AlertEventType.Raised).Skip(1).ToList();
        var detail = await _operator!.GetFromJsonAsync<AlertDetail>($"/api/alerts/{cleared.Id}", FeedJson);
        Assert.Multiple(() =>
        {
            Assert.That(cleared.Note, Is.EqualTo("joint replaced on Xianggang Rd"));
            Assert.That(raisedAgain, Has.Count.EqualTo(1), "the same step over the re-learned baseline is a new leak");
            Assert.That(raisedAgain.Select(e => e.RaisedAtMs - (T0 + Again)), Has.All.InRange(0, FoundBy));
            Assert.That(raisedAgain.Select(e => e.Id), Has.None.EqualTo(cleared.Id));
            Assert.That(detail!.History.Select(e => e.Type), Is.SupersetOf(new[] { AlertEventType.Raised, AlertEventType.Repaired, AlertEventType.Cleared }));
        });
    }

    [Test]
    [CancelAfter(300_000)]
    public async Task RepairedWhileStoppedThenRestartedTwice_TakenOnceNeitherLostNorAppliedAgain()
    {
        var inlet = new InletMeter("wf-repair-b", "repair-b", seed: 33);
        using var alerts = new DistrictAlerts(_options, inlet.District);
        const string group = "repair-b";

        // The first processor raises the leak and stops before the report: its last checkpoint is from before it.
        var first = new RunningProcessor(_options, inlet.Registry, group, TimeSpan.Zero);
        try
        {
            await ProduceAsync(inlet, 0, FixedAt);
            await WaitForAsync(() => first.Counters.Processed == inlet.Produced, "the 33 days are processed");
        }
        finally
        {
            await first.StopAsync();
        }

        var raised = alerts.Read().Single(e => e.Type == AlertEventType.Raised);
        await ReportRepairedAsync(raised.Id, "valve chamber resealed");

        // The second restores the checkpoint from before the report: it reads the report and takes it (not lost).
        var second = new RunningProcessor(_options, inlet.Registry, group, TimeSpan.Zero);
        try
        {
            await WaitForAsync(() => second.Counters.RepairsApplied == 1, "the restarted processor takes the report");
            await WaitForAsync(() => second.Counters.Checkpoints > 0 && second.Counters.Batches > 0, "its state is checkpointed with the report taken");
        }
        finally
        {
            await second.StopAsync();
        }

        // The third restores the checkpoint holding the report: it takes it no more, and reads on from the re-learning.
        var third = new RunningProcessor(_options, inlet.Registry, group, TimeSpan.Zero);
        try
        {
            await ProduceAsync(inlet, FixedAt, End);
            await WaitForAsync(() => third.Counters.Processed == inlet.Produced - (FixedAt / Step), "the last 12 days are processed");
            // The alert of the step after the repair is written after anything the report could still cause.
            await WaitForAsync(() => alerts.Read().Any(e => e.Type == AlertEventType.Raised && e.RaisedAtMs >= T0 + Again), "the step after the repair is raised");
        }
        finally
        {
            await third.StopAsync();
        }

        var events = alerts.Read();
        Assert.Multiple(() =>
        {
            Assert.That(first.Counters.RepairsApplied, Is.Zero);
            Assert.That(third.Counters.RepairsApplied, Is.Zero, "the checkpoint holds the report: not taken again");
            Assert.That(third.Log, Has.Some.Contains("restored 1 devices from checkpoint"));
            Assert.That(events.Where(e => e.Type == AlertEventType.Cleared).Select(e => (e.Id, e.Note)), Is.EqualTo(new[] { (raised.Id, "valve chamber resealed") }),
                "cleared once");
            Assert.That(events.Where(e => e.Type == AlertEventType.Raised && e.RaisedAtMs - (T0 + Again) is >= 0 and <= FoundBy).ToList(), Has.Count.EqualTo(1),
                "the restored state re-learned the baseline: the same step raises a new alert");
        });
    }

    [Test]
    [CancelAfter(300_000)]
    public async Task RepairedThenRestartedFromAnOlderCheckpoint_TakenWhereTheReplayReachesIt()
    {
        var inlet = new InletMeter("wf-repair-c", "repair-c", seed: 33);
        using var alerts = new DistrictAlerts(_options, inlet.District);
        const string group = "repair-c";

        // The first day, checkpointed: the meter's partition is in the group's checkpoints (the topic also holds the
        // other tests' readings, which a first batch may be made of).
        var start = new RunningProcessor(_options, inlet.Registry, group, TimeSpan.Zero);
        try
        {
            await ProduceAsync(inlet, 0, Day);
            await WaitForAsync(() => start.Counters.Processed == inlet.Produced, "the first day is processed");
        }
        finally
        {
            await start.StopAsync();
        }

        // Checkpointed once more, at its first batch (the first days of the stream): a restart replays a month of readings.
        var first = new RunningProcessor(_options, inlet.Registry, group, TimeSpan.FromHours(1), maxBatch: 200);
        try
        {
            await ProduceAsync(inlet, Day, FixedAt);
            await WaitForAsync(() => first.Counters.Processed == inlet.Produced - (Day / Step), "the next 32 days are processed");
        }
        finally
        {
            await first.StopAsync();
        }

        var raised = alerts.Read().Single(e => e.Type == AlertEventType.Raised);
        await ReportRepairedAsync(raised.Id, "service pipe replaced");

        // The report waits until the replay has read up to it: taken on day 33's state, not on day 0.7's (a meter
        // still learning its profile, no alert open: the report would change nothing and the replayed leak stay open).
        var second = new RunningProcessor(_options, inlet.Registry, group, TimeSpan.Zero, maxBatch: 200);
        try
        {
            await WaitForAsync(() => second.Counters.RepairsApplied == 1, "the replaying processor takes the report");
            await ProduceAsync(inlet, FixedAt, End);
            await WaitForAsync(() => alerts.Read().Any(e => e.Type == AlertEventType.Raised && e.RaisedAtMs >= T0 + Again), "the step after the repair is raised");
        }
        finally
        {
            await second.StopAsync();
        }

        var events = alerts.Read();
        Assert.Multiple(() =>
        {
            Assert.That(second.Log, Has.Some.Contains("restored 1 devices from checkpoint"));
            Assert.That(events.Where(e => e.Type == AlertEventType.Cleared).Select(e => (e.Id, e.Note)), Is.EqualTo(new[] { (raised.Id, "service pipe replaced") }));
            Assert.That(events.Where(e => e.Type == AlertEventType.Raised && e.RaisedAtMs - (T0 + Again) is >= 0 and <= FoundBy).ToList(), Has.Count.EqualTo(1),
                "the baseline was learned again after the repair");
        });
    }

    private static readonly JsonSerializerOptions FeedJson = new(JsonSerializerDefaults.Web)
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
    };

    // The feed must know the alert before it takes an action on it.
    private async Task ReportRepairedAsync(string alertId, string note)
    {
        await WaitForAsync(async () => (await _operator!.GetAsync($"/api/alerts/{alertId}")).StatusCode == HttpStatusCode.OK, "the feed lists the alert");
        using var response = await _operator!.PostAsJsonAsync($"/api/alerts/{alertId}/repaired", new { note });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
    }

    // Readings from..to (ms after T0) of the meter; the leak flows from Leak to FixedAt and from Again on.
    private async Task ProduceAsync(InletMeter inlet, long from, long to)
    {
        using var producer = new RecordProducer(_options, "it-repaired");
        var key = Encoding.UTF8.GetBytes(inlet.Id);
        var buffer = new byte[TelemetryFrame.MaxLength];
        var deliveries = new List<Task<DeliveryOutcome>>();
        for (var t = from; t < to; t += Step)
        {
            var leak = (t >= Leak && t < FixedAt) || t >= Again ? LeakM3h : 0;
            var length = TelemetryFrame.Write(buffer, key, DeviceKind.WaterFlow, T0 + t, T0 + t, (ulong)(t / Step) + 1, TraceContext.None,
                [new MetricValue(Metric.WaterFlow, inlet.Flow(t) + leak)]);
            deliveries.Add(producer.ProduceAndWaitAsync(_options.Topics.Telemetry, key, buffer.AsSpan(0, length).ToArray(), CancellationToken.None));
            inlet.Produced++;
        }

        var outcomes = await Task.WhenAll(deliveries);
        Assert.That(outcomes.All(o => o.Persisted), Is.True, "every reading should be in sensing.telemetry");
    }

    // What sensing.processor.repairs_applied exports now (the one processor of this test runs in this process).
    private static long ObservedRepairsApplied()
    {
        long observed = -1;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == PipelineMetrics.MeterName && instrument.Name == "sensing.processor.repairs_applied")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => observed = Math.Max(observed, value));
        listener.Start();
        listener.RecordObservableInstruments();
        return observed;
    }

    private static Task WaitForAsync(Func<bool> condition, string what) => Eventually.HoldsAsync(condition, TimeSpan.FromSeconds(120), what);

    private static Task WaitForAsync(Func<Task<bool>> condition, string what) => Eventually.HoldsAsync(condition, TimeSpan.FromSeconds(120), what);

    /// <summary>A district's inlet meter (role=inlet, no pressure sensor) and its demand, as WaterSeries in the unit tests.</summary>
    private sealed class InletMeter(string id, string district, int seed)
    {
        private readonly Random _random = new(seed);

        public string Id => id;

        public string District => district;

        public int Produced { get; set; }

        public DeviceRegistry Registry { get; } = RegistryOf(id, district);

        // 100 m3/h of base flow plus 400 at full demand (night minimum around 03:00 local, UTC+8, peaks at 07:30 and
        // 19:30), noise sigma 8 (Box-Muller).
        public double Flow(long atMs)
        {
            var hour = ((T0 + atMs + (8 * Hour)) % Day) / (double)Hour;
            var demand = 0.55 + (0.3 * Math.Sin(2 * Math.PI * (hour - 9) / 24))
                + (0.15 * Math.Exp(-Math.Pow(hour - 7.5, 2) / 2)) + (0.15 * Math.Exp(-Math.Pow(hour - 19.5, 2) / 2));
            var u1 = 1.0 - _random.NextDouble();
            var u2 = _random.NextDouble();
            return 100 + (400 * demand) + (8 * Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2));
        }

        private static DeviceRegistry RegistryOf(string id, string district)
        {
            var registry = new DeviceRegistry();
            registry.Upsert([new DeviceInfo(id, DeviceKind.WaterFlow, district, 300, "") { Parameters = DeviceParameters.Parse("role=inlet") }]);
            return registry;
        }
    }

    /// <summary>A detecting processor (no store) on its own thread, its log kept.</summary>
    private sealed class RunningProcessor
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly TelemetryProcessor _processor;
        private readonly Task _run;
        private readonly ProcessorStore _store = ProcessorStore.Create("http://127.0.0.1:9");

        public RunningProcessor(KafkaOptions kafka, DeviceRegistry registry, string group, TimeSpan checkpointInterval, int maxBatch = 5_000)
        {
            _processor = new TelemetryProcessor(
                ProcessorOptions.Default with { GroupId = group, Role = ProcessorRole.Detect, CheckpointInterval = checkpointInterval, MaxBatch = maxBatch },
                kafka, registry, DetectionOptions.Default, _store, line =>
                {
                    Log.Add(line);
                    TestContext.Progress.WriteLine(line);
                });
            _run = Task.Factory.StartNew(() => _processor.Run(_stop.Token), _stop.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }

        public ProcessorCounters Counters => _processor.Counters;

        public System.Collections.Concurrent.ConcurrentBag<string> Log { get; } = [];

        public async Task StopAsync()
        {
            await _stop.CancelAsync();
            await _run.ContinueWith(_ => { }, TaskScheduler.Default);
            await _store.DisposeAsync();
            _stop.Dispose();
        }
    }

    /// <summary>Every event of one district on <c>sensing.alerts</c>, read from the beginning as they come.</summary>
    private sealed class DistrictAlerts : IDisposable
    {
        private readonly TopicFollower _follower;
        private readonly string _district;
        private readonly List<AlertEvent> _events = [];

        public DistrictAlerts(KafkaOptions kafka, string district)
        {
            _district = district;
            _follower = new TopicFollower(kafka, kafka.Topics.Alerts, "it-repaired-" + district);
            _follower.Assign(_follower.EndOffsets(TimeSpan.FromSeconds(10)).ToDictionary(p => p.Key, _ => 0L));
        }

        public List<AlertEvent> Read()
        {
            while (_follower.Consume(TimeSpan.FromMilliseconds(200)) is { } record)
            {
                if (JsonSerializer.Deserialize(record.Value, AlertJsonContext.Default.AlertEvent) is { } alert && alert.District == _district
                    && alert.Condition == AlertCondition.InletLeak.Name())
                {
                    _events.Add(alert);
                }
            }

            return [.. _events];
        }

        public void Dispose() => _follower.Dispose();
    }
}
