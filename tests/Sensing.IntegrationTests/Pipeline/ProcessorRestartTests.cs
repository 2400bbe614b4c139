using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Sensing.Core.Alerts;
using Sensing.Core.Devices;
using Sensing.Kafka;
using Sensing.LocalServers;

namespace Sensing.IntegrationTests.Pipeline;

/// <summary>
/// The <c>sensing processor</c> executable killed with SIGKILL mid-stream against the real Kafka 0.9 broker and
/// started again, and two processors handing partitions over: with checkpoints they publish exactly the alert
/// events of an uninterrupted run. Each test has its own devices and consumer group.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed partial class ProcessorRestartTests
{
    private readonly LocalKafka _kafka = new(LocalKafkaOptions.Default);
    private readonly LocalVictoriaMetrics _store = new(LocalVictoriaMetricsOptions.Default);
    private DirectoryInfo? _work;
    private KafkaOptions _options = KafkaOptions.Default;

    [OneTimeSetUp]
    public async Task StartServers()
    {
        await Task.WhenAll(_kafka.StartAsync(), _store.StartAsync());
        _options = new KafkaOptions { BootstrapServers = _kafka.BootstrapServers, LegacyBrokerVersion = "0.9.0.1" }.Validate();
        foreach (var (topic, partitions) in _options.Topics.All)
        {
            await _kafka.CreateTopicAsync(topic, partitions, _options.Topics.ConfigOf(topic));
        }

        _work = Directory.CreateTempSubdirectory("sensing-restart-");
    }

    [OneTimeTearDown]
    public async Task StopServers()
    {
        await _kafka.DisposeAsync();
        await _store.DisposeAsync();
        _work?.Delete(recursive: true);
    }

    [Test]
    public async Task Processor_KilledMidStreamAndRestarted_AlertEventsEqualUninterruptedRun()
    {
        var (scenario, registry, expected) = Prepare("r");
        using var alerts = new AlertReader(_options, scenario);
        await ProduceAsync(scenario, 0, RestartScenario.Steps / 2);
        var first = StartProcessor(registry, "restart", "first", _ => { });
        try
        {
            // Kill once alerts flow (the first half's raises, escalations and clears number about 20): the first
            // half is then most likely still being processed, with alerts active and on-delays running.
            await alerts.ReadUntilAsync(read => read.Count >= 8, TimeSpan.FromSeconds(90));
        }
        finally
        {
            first.Kill();
            await first.WaitForExitAsync();
        }

        var beforeKill = alerts.Events.Count;
        await ProduceAsync(scenario, RestartScenario.Steps / 2, RestartScenario.Steps);
        var second = StartProcessor(registry, "restart", "second", _ => { });
        try
        {
            await alerts.ReadUntilAsync(read => read.Select(Identity).ToHashSet().IsSupersetOf(expected), TimeSpan.FromSeconds(120));

            // Anything published late (a re-raise a lost state would cause) shows up within a few batches.
            await alerts.ReadUntilAsync(_ => false, TimeSpan.FromSeconds(3));
        }
        finally
        {
            second.Kill();
            await second.WaitForExitAsync();
        }

        var actual = alerts.Events;
        TestContext.Progress.WriteLine($"restart: {beforeKill} alert events before the kill, {actual.Count} in all, {expected.Count} expected");
        Assert.Multiple(() =>
        {
            Assert.That(beforeKill, Is.LessThan(expected.Count), "the kill should come before the stream's end");
            Assert.That(actual.Select(Identity).ToHashSet(), Is.EquivalentTo(expected));
            var raisedTwice = actual.Where(e => e.Type == AlertEventType.Raised).Select(Identity).Distinct()
                .GroupBy(e => e.Id).Where(g => g.Count() > 1).Select(g => g.Key);
            Assert.That(raisedTwice, Is.Empty, "no alert id raised twice");
        });
    }

    [Test]
    public async Task Processors_SecondJoinsThenFirstKilled_AlertEventsEqualUninterruptedRun()
    {
        // Thirds of the stream: the first processor alone; both; the second alone (methane and rupture alerts are
        // active across both cuts, and clears follow in the last third).
        const int cut1 = 40, cut2 = 70;
        var (scenario, registry, expected) = Prepare("h");
        using var alerts = new AlertReader(_options, scenario);
        await ProduceAsync(scenario, 0, cut1);
        var first = StartProcessor(registry, "handover", "first", _ => { });
        Process? second = null;
        try
        {
            await alerts.ReadUntilAsync(read => read.Count >= 8, TimeSpan.FromSeconds(90));

            // A second processor joins: the group splits the partitions, the second restores the first's checkpoints.
            var joined = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var tookAll = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            second = StartProcessor(registry, "handover", "second", line =>
            {
                if (line.Contains("assigned partitions", StringComparison.Ordinal))
                {
                    (joined.Task.IsCompleted ? tookAll : joined).TrySetResult();
                }
            });
            await joined.Task.WaitAsync(TimeSpan.FromSeconds(60));
            await ProduceAsync(scenario, cut1, cut2);
            await alerts.ReadUntilAsync(_ => false, TimeSpan.FromSeconds(3));

            // The first dies: after its session times out, the second takes every partition back from its checkpoints.
            first.Kill();
            await first.WaitForExitAsync();
            await ProduceAsync(scenario, cut2, RestartScenario.Steps);
            await tookAll.Task.WaitAsync(TimeSpan.FromSeconds(60));
            await alerts.ReadUntilAsync(read => read.Select(Identity).ToHashSet().IsSupersetOf(expected), TimeSpan.FromSeconds(120));
            await alerts.ReadUntilAsync(_ => false, TimeSpan.FromSeconds(3));
        }
        finally
        {
            await KillAsync(first, second);
        }

        var actual = alerts.Events;
        TestContext.Progress.WriteLine($"hand-over: {actual.Count} alert events, {expected.Count} expected");
        Assert.Multiple(() =>
        {
            Assert.That(actual.Select(Identity).ToHashSet(), Is.EquivalentTo(expected));
            var raisedTwice = actual.Where(e => e.Type == AlertEventType.Raised).Select(Identity).Distinct()
                .GroupBy(e => e.Id).Where(g => g.Count() > 1).Select(g => g.Key);
            Assert.That(raisedTwice, Is.Empty, "no alert id raised twice");
        });
    }

    private static (string Id, AlertEventType Type, long EventTimeMs, AlertSeverity Severity) Identity(AlertEvent e) =>
        (e.Id, e.Type, e.EventTimeMs, e.Severity);

    private (RestartScenario Scenario, string Registry, HashSet<(string, AlertEventType, long, AlertSeverity)> Expected) Prepare(string prefix)
    {
        var scenario = new RestartScenario(prefix, DateTimeOffset.UtcNow.AddHours(-2).ToUnixTimeMilliseconds() / 1000 * 1000);
        var registry = Path.Combine(_work!.FullName, prefix + "-registry.csv");
        DeviceRegistryFile.Write(registry, scenario.Devices);
        var expected = scenario.Expected().Select(Identity).ToHashSet();
        Assert.That(expected.Count(e => e.Item2 == AlertEventType.Cleared), Is.GreaterThan(4), "the scenario should raise and clear");
        return (scenario, registry, expected);
    }

    private async Task ProduceAsync(RestartScenario scenario, int from, int to)
    {
        using var producer = new RecordProducer(_options, "it-restart");
        var deliveries = new List<Task<DeliveryOutcome>>();
        foreach (var (device, frame) in scenario.Frames(from, to))
        {
            deliveries.Add(producer.ProduceAndWaitAsync(_options.Topics.Telemetry, Encoding.UTF8.GetBytes(device), frame, CancellationToken.None));
        }

        var outcomes = await Task.WhenAll(deliveries);
        Assert.That(outcomes.All(o => o.Persisted), Is.True, "every frame should be in sensing.telemetry");
    }

    private static async Task KillAsync(params Process?[] processes)
    {
        foreach (var process in processes)
        {
            process?.Kill();
        }

        foreach (var process in processes)
        {
            if (process is not null)
            {
                await process.WaitForExitAsync();
            }
        }
    }

    private Process StartProcessor(string registry, string group, string name, Action<string> onLine, int maxBatch = 8, params string[] more)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in (string[])[Path.Combine(AppContext.BaseDirectory, "sensing.dll"), "processor",
            "--kafka", _kafka.BootstrapServers, "--kafka-legacy-version", "0.9.0.1", "--registry", registry, "--store", _store.BaseUrl,
            "--raw-samples", "None", "--max-batch", maxBatch.ToString(System.Globalization.CultureInfo.InvariantCulture), "--group", group, .. more])
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        void Line(string? line)
        {
            if (line is not null)
            {
                TestContext.Progress.WriteLine($"sensing[{group} {name}]: {line}");
                onLine(line);
            }
        }

        process.OutputDataReceived += (_, e) => Line(e.Data);
        process.ErrorDataReceived += (_, e) => Line(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>Every record of sensing.alerts, read by one consumer from the beginning.</summary>
    private sealed class AlertReader : IDisposable
    {
        private readonly RecordConsumer _consumer;

        private readonly HashSet<string> _sources;

        public AlertReader(KafkaOptions options, RestartScenario scenario)
            : this(options, scenario.Devices.Select(d => d.Id))
        {
        }

        public AlertReader(KafkaOptions options, IEnumerable<string> sources)
        {
            _sources = [.. sources];
            _consumer = new RecordConsumer(options, "it-restart-" + Guid.NewGuid().ToString("N"), "it-restart-alerts");
            _consumer.Subscribe(options.Topics.Alerts);
        }

        public List<AlertEvent> Events { get; } = [];

        public async Task ReadUntilAsync(Func<List<AlertEvent>, bool> done, TimeSpan timeout)
        {
            var clock = Stopwatch.StartNew();
            while (!done(Events) && clock.Elapsed < timeout)
            {
                if (await Task.Run(() => _consumer.Consume(TimeSpan.FromMilliseconds(200))) is { } record
                    && JsonSerializer.Deserialize(record.Value, AlertJsonContext.Default.AlertEvent) is { } alert
                    && _sources.Contains(alert.Source))
                {
                    Events.Add(alert);
                }
            }
        }

        public void Dispose() => _consumer.Dispose();
    }
}
