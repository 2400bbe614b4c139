using System.Diagnostics;
using System.Text;
using Sensing.Core.Devices;
using Sensing.IntegrationTests.Pipeline;
using Sensing.Mqtt;
using Sensing.Simulators.Mqtt;

namespace Sensing.IntegrationTests.Storage;

/// <summary>
/// Real Kafka 0.9, real VictoriaMetrics, the gateway and processor, devices on the project's MQTT client: the store is
/// stopped during the run and started again on the same port and data; nothing is lost.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class StoreOutageTests
{
    private const string Password = "outage";
    private const int Devices = 4;
    private static readonly TimeSpan ReadingEvery = TimeSpan.FromMilliseconds(100);
    private readonly PipelineFixture _city = new();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };

    [OneTimeSetUp]
    public Task StartCity()
    {
        var hash = DeviceRegistryFile.HashSecret(Password);
        var devices = Enumerable.Range(1, Devices).Select(i => new DeviceInfo($"so-{i}", DeviceKind.MethaneDetector, "d09", 30, hash)).ToList();
        devices.Add(new DeviceInfo("so-clock", DeviceKind.MethaneDetector, "d09", 30, hash));
        return _city.StartAsync(devices);
    }

    [OneTimeTearDown]
    public async Task StopCity()
    {
        _http.Dispose();
        await _city.DisposeAsync();
    }

    [Test]
    [CancelAfter(240_000)]
    public async Task StoreStoppedAndStarted_WhilePublishing_StoreHoldsEveryReadingAndAggregate()
    {
        // Event times of the test devices run from three whole minutes ago, a reading every 250 ms per device,
        // so their minutes close once the clock device reports at the current time (the watermark).
        var t0 = (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 60_000 * 60_000) - (3 * 60_000);
        var sent = new long[Devices];
        using var stopPublishing = new CancellationTokenSource();
        var publishers = Enumerable.Range(0, Devices).Select(d => PublishAsync(d, t0, sent, stopPublishing.Token)).ToArray();

        await Eventually.HoldsAsync(() => StoredReadingsAsync(t0).ContinueWith(t => t.Result > 20), TimeSpan.FromSeconds(60), "readings reach the store");
        var retriesBefore = _city.Processor!.Counters.StoreRetries;
        await _city.Store.StopAsync();
        var outageStarted = Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(3));
        var consumedEarly = _city.Processor.Counters.Consumed;
        var batchesEarly = _city.Processor.Counters.Batches;
        var acknowledgedEarly = sent.Sum();
        await Task.Delay(TimeSpan.FromSeconds(7));
        var consumedLate = _city.Processor.Counters.Consumed;
        var batchesLate = _city.Processor.Counters.Batches;

        Assert.That(sent.Sum(), Is.GreaterThan(acknowledgedEarly + 100), "the gateway keeps acknowledging while the store is down");
        Assert.That(batchesLate, Is.EqualTo(batchesEarly), "no batch is committed while the store refuses");
        Assert.That(consumedLate, Is.EqualTo(consumedEarly), "the processor stops consuming while its batch waits for the store");
        Assert.That(_city.Processor.Counters.StoreRetries, Is.GreaterThan(retriesBefore), "the processor waited for the store");

        await _city.Store.StartAsync();
        TestContext.Progress.WriteLine($"store outage: {outageStarted.Elapsed.TotalSeconds:0.0} s");
        await Task.Delay(TimeSpan.FromSeconds(3));
        await stopPublishing.CancelAsync();
        await Task.WhenAll(publishers);
        await PublishClockAsync();

        var total = sent.Sum();
        var stored = 0L;
        var aggregated = 0L;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(90) && (stored != total || aggregated != total))
        {
            await Task.Delay(1000);
            await _city.Store.FlushAsync();
            stored = await StoredReadingsAsync(t0);
            aggregated = await AggregatedReadingsAsync(t0);
        }

        TestContext.Progress.WriteLine($"sent {total}, stored {stored}, in aggregates {aggregated}, store retries {_city.Processor.Counters.StoreRetries}");
        Assert.That(stored, Is.EqualTo(total), "distinct raw readings in the store equal the readings acknowledged");
        Assert.That(aggregated, Is.EqualTo(total), "the lel_count of the one-minute aggregates adds up to the readings acknowledged");
    }

    private async Task PublishAsync(int device, long t0, long[] sent, CancellationToken stop)
    {
        var id = $"so-{device + 1}";
        await using var client = await ConnectAsync(id);
        var topic = Encoding.ASCII.GetBytes($"sensing/{id}/up");
        for (var seq = 1; !stop.IsCancellationRequested; seq++)
        {
            var payload = Encoding.ASCII.GetBytes($"{{\"seq\":{seq},\"ts\":{t0 + (seq * 250)},\"lel\":{1 + (seq % 7)}}}");
            await client.PublishAsync(topic, payload, MqttQoS.AtLeastOnce);
            Interlocked.Increment(ref sent[device]);
            try
            {
                await Task.Delay(ReadingEvery, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task PublishClockAsync()
    {
        await using var client = await ConnectAsync("so-clock");
        var payload = Encoding.ASCII.GetBytes($"{{\"seq\":1,\"ts\":{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()},\"lel\":0}}");
        await client.PublishAsync("sensing/so-clock/up", payload, MqttQoS.AtLeastOnce);
    }

    private async Task<DeviceMqttClient> ConnectAsync(string id)
    {
        var client = new DeviceMqttClient();
        await client.ConnectAsync(DeviceMqttConnectOptions.Default with
        {
            Host = _city.GatewayEndPoint.Address.ToString(),
            Port = _city.GatewayEndPoint.Port,
            ClientId = id,
            UserName = id,
            Password = Password,
            Version = MqttProtocolVersion.V311,
        });
        return client;
    }

    // Distinct (device, event time) pairs: at-least-once may write a reading twice, it must never miss one.
    private async Task<long> StoredReadingsAsync(long t0)
    {
        var series = await StoreExport.ReadAsync(_http, _city.Store.BaseUrl, "sensing_reading_lel{device=~\"so-[0-9]+\"}", t0 - 60_000, NowMs());
        return series.Sum(s => (long)s.Timestamps.Distinct().Count());
    }

    private async Task<long> AggregatedReadingsAsync(long t0)
    {
        var series = await StoreExport.ReadAsync(_http, _city.Store.BaseUrl, "sensing_agg_1m_lel_count{device=~\"so-[0-9]+\"}", t0 - 60_000, NowMs());
        return (long)series.Sum(s => s.Timestamps.Zip(s.Values).DistinctBy(p => p.First).Sum(p => p.Second));
    }

    private static long NowMs() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
}
