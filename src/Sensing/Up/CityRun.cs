using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Sensing.Core.Devices;
using Sensing.Detection;
using Sensing.Feed;
using Sensing.Feed.Auth;
using Sensing.Gateway;
using Sensing.Kafka;
using Sensing.LocalServers;
using Sensing.Processor;
using Sensing.Simulators.City;
using Sensing.Simulators.Incidents;
using Sensing.Simulators.Publishing;
using Sensing.Simulators.Truth;
using Sensing.Storage;
using Sensing.Storage.Telemetry;
using Spectre.Console;

namespace Sensing.Up;

/// <summary>
/// The whole city on one machine: real Kafka and VictoriaMetrics, a gateway, a processor and the alert feed,
/// driven by a simulated fleet over real MQTT connections, with one injected methane leak whose alert must
/// reach Kafka, the store and the feed.
/// </summary>
public sealed class CityRun(UpOptions options, IAnsiConsole console)
{
    /// <summary>Runs the city; returns the process exit code (0 when the leak's alert was found everywhere).</summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        options.Validate();
        var clock = Stopwatch.StartNew();
        var work = Directory.CreateTempSubdirectory("sensing-up-");
        void Log(string message) => console.MarkupLineInterpolated($"[grey]{clock.Elapsed:mm\\:ss}[/] {message}");

        Log($"starting ZooKeeper + Kafka 0.9 and VictoriaMetrics in {work.FullName}");
        await using var kafkaServer = new LocalKafka(LocalKafkaOptions.Default);
        await using var store = new LocalVictoriaMetrics(LocalVictoriaMetricsOptions.Default);
        await Task.WhenAll(kafkaServer.StartAsync(cancellationToken), store.StartAsync(cancellationToken));
        var kafka = new KafkaOptions { BootstrapServers = kafkaServer.BootstrapServers, LegacyBrokerVersion = "0.9.0.1" }.Validate();
        foreach (var (topic, partitions) in kafka.Topics.All)
        {
            await kafkaServer.CreateTopicAsync(topic, partitions, kafka.Topics.ConfigOf(topic), cancellationToken);
        }

        Log($"Kafka at {kafkaServer.BootstrapServers}, store at {store.BaseUrl}, topics created");

        // Each part exports its own instruments with its service tag; the processor also exports the shared store ones.
        var metricsStore = StoreWriterOptions.Default with { Url = store.BaseUrl };
        using var gatewayMetrics = PipelineMetrics.Start(new PipelineMetricsOptions { Store = metricsStore, Service = "gateway", SharedInstruments = false });
        using var processorMetrics = PipelineMetrics.Start(new PipelineMetricsOptions { Store = metricsStore, Service = "processor" });
        using var feedMetrics = PipelineMetrics.Start(new PipelineMetricsOptions { Store = metricsStore, Service = "feed", SharedInstruments = false });

        // Every device reports at the --interval of the run, so a minute shows every kind; the incidents and traps that
        // fit a short run are injected, with the ground truth written next to the registry.
        var startMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + 10_000; // after the gateway, processor and feed are up
        var city = CityModel.Create(new CityOptions
        {
            Devices = options.Devices,
            Districts = Math.Clamp(options.Devices / 250, 1, 8),
            Seed = options.Seed,
            ReportSecondsOverride = (int)Math.Ceiling(options.ReportIntervalSeconds),
        });
        var plan = IncidentPlan.Apply(city, startMs, options.Duration);
        var registryPath = Path.Combine(work.FullName, "devices.csv");
        city.WriteRegistry(registryPath);
        TruthFile.Write(Path.Combine(work.FullName, "truth.csv"), city.Incidents.Select(i => i.Truth));
        var registry = DeviceRegistry.Load(registryPath);

        var gatewayEndPoint = new IPEndPoint(IPAddress.Loopback, FreePort());
        await using var gateway = GatewayHost.Build(new GatewayOptions { Listen = gatewayEndPoint.ToString() }, kafka, registry, Quiet);
        await gateway.StartAsync(cancellationToken);
        var gatewayCounters = gateway.Services.GetRequiredService<GatewayCounters>();

        await using var processorStore = ProcessorStore.Create(store.BaseUrl);
        // The processor's own log stays quiet here, but for what it says about the rules file (loaded, applied, rejected).
        var processor = options.Rules is { } rules
            ? new TelemetryProcessor(ProcessorOptions.Default, kafka, registry, rules, processorStore, message =>
            {
                if (message.StartsWith("processor: rules", StringComparison.Ordinal))
                {
                    Log($"{message}");
                }
            })
            : new TelemetryProcessor(ProcessorOptions.Default, kafka, registry, DetectionOptions.Default, processorStore, _ => { });
        using var stopProcessor = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var processorTask = Task.Factory.StartNew(() => processor.Run(stopProcessor.Token), stopProcessor.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default);

        var feedKeys = LocalApiKeys.Create();
        var feedKeysPath = Path.Combine(work.FullName, "api-keys.csv");
        feedKeys.WriteFile(feedKeysPath);
        await using var feed = FeedHost.Build(new FeedOptions { Url = "http://127.0.0.1:0", ApiKeys = ApiKeyRing.Load(feedKeysPath), StoreUrl = store.BaseUrl }, kafka, Quiet);
        await feed.StartAsync(cancellationToken);
        var feedUrl = FeedHost.BoundUrl(feed);
        Log($"gateway MQTT on {gatewayEndPoint}, feed on {feedUrl}, {registry.Count} devices registered");

        var leak = city.Incidents.First(i => i.Kind == IncidentKind.MethaneLevel2);
        Log($"fleet: {city.Devices.Count} devices over {city.Districts.Count} districts; {city.Incidents.Count} incidents and traps injected " +
            $"(methane to level 2 on {leak.Source}); ground truth in truth.csv; left out: {plan.Skipped.Count}");

        var publisher = new CityPublisher(city, new PublishOptions { Broker = gatewayEndPoint, StartMs = startMs, Duration = options.Duration });
        var progress = new CityProgress(publisher.Counters, gatewayCounters, processor.Counters, options.Duration);
        await progress.ShowWhileAsync(console, publisher.RunAsync(cancellationToken));

        Log("fleet stopped; waiting for the processor to catch up");
        await WaitUntilAsync(() => processor.Counters.Processed + processor.Counters.DeadLettered >= gatewayCounters.ReadingsIn, TimeSpan.FromSeconds(60), cancellationToken);
        var check = await new LeakVerifier(kafka, store.BaseUrl, feedUrl, feedKeys.ViewerKey).VerifyAsync(leak.Source, TimeSpan.FromSeconds(30), cancellationToken);

        using var inspector = new TopicInspector(kafka);
        var summary = new CitySummary(publisher.Counters, gatewayCounters, processor.Counters,
            inspector.CountRecords(kafka.Topics.Telemetry, TimeSpan.FromSeconds(10)),
            inspector.CountRecords(kafka.Topics.Alerts, TimeSpan.FromSeconds(10)),
            inspector.CountRecords(kafka.Topics.DeadLetter, TimeSpan.FromSeconds(10)),
            check, feedUrl, store.BaseUrl, kafkaServer.BootstrapServers, work.FullName, clock.Elapsed);
        summary.Render(console);
        console.MarkupLineInterpolated($"Operator console [link]{feedUrl}/[/]; API keys ({feedKeysPath}): operator [bold]{feedKeys.OperatorKey}[/], viewer [bold]{feedKeys.ViewerKey}[/]");

        if (options.KeepRunning && !cancellationToken.IsCancellationRequested)
        {
            console.MarkupLine("[yellow]--keep-running:[/] everything stays up; press Ctrl+C to stop.");
            await Task.Delay(Timeout.Infinite, cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }

        await stopProcessor.CancelAsync();
        await processorTask;
        await gateway.StopAsync(CancellationToken.None);
        await feed.StopAsync(CancellationToken.None);
        work.Delete(recursive: true);
        return check.Passed ? 0 : 1;
    }

    private static void Quiet(ILoggingBuilder logging) => logging.SetMinimumLevel(LogLevel.Warning);

    private static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition() && deadline.Elapsed < timeout)
        {
            await Task.Delay(200, cancellationToken);
        }
    }

    private static int FreePort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
