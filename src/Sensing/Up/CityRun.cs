using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Sensing.Core.Devices;
using Sensing.Detection;
using Sensing.Feed;
using Sensing.Gateway;
using Sensing.Kafka;
using Sensing.LocalServers;
using Sensing.Processor;
using Sensing.Simulators.Fleet;
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
            await kafkaServer.CreateTopicAsync(topic, partitions, cancellationToken);
        }

        Log($"Kafka at {kafkaServer.BootstrapServers}, store at {store.BaseUrl}, topics created");

        var fleet = CityFleet.Create(new FleetOptions { Devices = options.Devices, ReportIntervalSeconds = options.ReportIntervalSeconds, Seed = options.Seed });
        var registryPath = Path.Combine(work.FullName, "devices.csv");
        fleet.WriteRegistry(registryPath);
        var registry = DeviceRegistry.Load(registryPath);

        var gatewayEndPoint = new IPEndPoint(IPAddress.Loopback, FreePort());
        await using var gateway = GatewayHost.Build(new GatewayOptions { Listen = gatewayEndPoint.ToString() }, kafka, registry, Quiet);
        await gateway.StartAsync(cancellationToken);
        var gatewayCounters = gateway.Services.GetRequiredService<GatewayCounters>();

        await using var processorStore = ProcessorStore.Create(store.BaseUrl);
        var processor = new TelemetryProcessor(ProcessorOptions.Default, kafka, registry, DetectionOptions.Default, processorStore, _ => { });
        using var stopProcessor = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var processorTask = Task.Factory.StartNew(() => processor.Run(stopProcessor.Token), stopProcessor.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default);

        await using var feed = FeedHost.Build(new FeedOptions { Url = "http://127.0.0.1:0", StoreUrl = store.BaseUrl }, kafka, Quiet);
        await feed.StartAsync(cancellationToken);
        var feedUrl = FeedHost.BoundUrl(feed);
        Log($"gateway MQTT on {gatewayEndPoint}, feed on {feedUrl}, {registry.Count} devices registered");

        // The leak starts once the fleet is connected and runs long enough to escalate to level 2 and clear.
        var leak = fleet.InjectMethaneLeak(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + 8_000,
            rise: TimeSpan.FromSeconds(8), hold: TimeSpan.FromSeconds(10), fall: TimeSpan.FromSeconds(6), peakLel: 55);
        fleet.WriteGroundTruth(Path.Combine(work.FullName, "ground-truth.csv"));
        Log($"fleet: {fleet.Devices.Count} devices connecting; methane leak injected on {leak.Truth.Source}");

        var driver = new FleetDriver(fleet, gatewayEndPoint);
        var progress = new CityProgress(driver.Counters, gatewayCounters, processor.Counters, options.Duration);
        await progress.ShowWhileAsync(console, driver.RunAsync(options.Duration, cancellationToken));

        Log("fleet stopped; waiting for the processor to catch up");
        await WaitUntilAsync(() => processor.Counters.Processed + processor.Counters.DeadLettered >= gatewayCounters.ReadingsIn, TimeSpan.FromSeconds(60), cancellationToken);
        var check = await new LeakVerifier(kafka, store.BaseUrl, feedUrl).VerifyAsync(leak.Truth.Source, TimeSpan.FromSeconds(30), cancellationToken);

        using var inspector = new TopicInspector(kafka);
        var summary = new CitySummary(driver.Counters, gatewayCounters, processor.Counters,
            inspector.CountRecords(kafka.Topics.Telemetry, TimeSpan.FromSeconds(10)),
            inspector.CountRecords(kafka.Topics.Alerts, TimeSpan.FromSeconds(10)),
            inspector.CountRecords(kafka.Topics.DeadLetter, TimeSpan.FromSeconds(10)),
            check, feedUrl, store.BaseUrl, kafkaServer.BootstrapServers, work.FullName, clock.Elapsed);
        summary.Render(console);

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
