using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Sensing.Core.Devices;
using Sensing.Detection;
using Sensing.Feed;
using Sensing.Feed.Auth;
using Sensing.Gateway;
using Sensing.Kafka;
using Sensing.LocalServers;
using Sensing.Processor;

namespace Sensing.IntegrationTests.Pipeline;

/// <summary>
/// The thin path with real parts: Kafka 0.9 + ZooKeeper and VictoriaMetrics from the local harness, and the
/// gateway, processor and feed of the <c>sensing</c> executable, hosted in this process.
/// </summary>
public sealed class PipelineFixture : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private Task? _processorTask;
    private ProcessorStore? _processorStore;
    private WebApplication? _gateway;
    private WebApplication? _feed;

    public LocalKafka Kafka { get; } = new(LocalKafkaOptions.Default);

    public LocalVictoriaMetrics Store { get; } = new(LocalVictoriaMetricsOptions.Default);

    public KafkaOptions KafkaOptions { get; private set; } = KafkaOptions.Default;

    public IPEndPoint GatewayEndPoint { get; } = new(IPAddress.Loopback, FreePorts.Pick());

    public string FeedUrl { get; private set; } = "";

    public LocalApiKeys FeedKeys { get; } = LocalApiKeys.Create();

    public IServiceProvider FeedServices => _feed!.Services;

    public GatewayCounters GatewayCounters => _gateway!.Services.GetRequiredService<GatewayCounters>();

    public TelemetryProcessor? Processor { get; private set; }

    public async Task StartAsync(IEnumerable<DeviceInfo> devices)
    {
        await Task.WhenAll(Kafka.StartAsync(), Store.StartAsync());
        KafkaOptions = new KafkaOptions { BootstrapServers = Kafka.BootstrapServers, LegacyBrokerVersion = "0.9.0.1" }.Validate();
        foreach (var (topic, partitions) in KafkaOptions.Topics.All)
        {
            await Kafka.CreateTopicAsync(topic, partitions, KafkaOptions.Topics.ConfigOf(topic));
        }

        var registry = new DeviceRegistry();
        registry.Upsert(devices);
        _gateway = GatewayHost.Build(new GatewayOptions { Listen = GatewayEndPoint.ToString() }, KafkaOptions, registry, Quiet);
        await _gateway.StartAsync();

        _processorStore = ProcessorStore.Create(Store.BaseUrl);
        Processor = new TelemetryProcessor(ProcessorOptions.Default, KafkaOptions, registry, DetectionOptions.Default, _processorStore, TestContext.Progress.WriteLine);
        _processorTask = Task.Factory.StartNew(() => Processor.Run(_stop.Token), _stop.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default);

        _feed = FeedHost.Build(new FeedOptions { Url = "http://127.0.0.1:0", ApiKeys = FeedKeys.Ring, StoreUrl = Store.BaseUrl }, KafkaOptions, Quiet);
        await _feed.StartAsync();
        FeedUrl = FeedHost.BoundUrl(_feed);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_processorTask is not null)
        {
            await _processorTask.ContinueWith(_ => { }, TaskScheduler.Default);
        }

        if (_gateway is not null)
        {
            await _gateway.StopAsync();
            await _gateway.DisposeAsync();
        }

        if (_feed is not null)
        {
            await _feed.StopAsync();
            await _feed.DisposeAsync();
        }

        if (_processorStore is not null)
        {
            await _processorStore.DisposeAsync();
        }

        await Kafka.DisposeAsync();
        await Store.DisposeAsync();
        _stop.Dispose();
    }

    private static void Quiet(ILoggingBuilder logging) => logging.SetMinimumLevel(LogLevel.Warning);

}
