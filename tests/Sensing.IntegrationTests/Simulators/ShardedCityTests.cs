using System.Diagnostics;
using System.Globalization;
using System.Text;
using Sensing.Core.Telemetry;
using Sensing.IntegrationTests.Pipeline;
using Sensing.Kafka;
using Sensing.Simulators.City;
using Sensing.Simulators.Incidents;
using Sensing.Simulators.Replay;

namespace Sensing.IntegrationTests.Simulators;

/// <summary>
/// One small city split over two simulator processes (<c>sensing sim city --processes 2</c>, each a
/// <c>--shard i/2</c> process with its own connections) against the real gateway and Kafka 0.9: together they
/// publish exactly the readings the whole city produces in one process, each once.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class ShardedCityTests
{
    private const int Seed = 11;
    private static readonly TimeSpan RunLength = TimeSpan.FromSeconds(20);
    private static readonly CityOptions Options = CityOptions.Default with { Devices = 150, Districts = 3, ReportSecondsOverride = 2, Seed = Seed };

    private readonly PipelineFixture _pipeline = new();

    [OneTimeSetUp]
    public Task Start() => _pipeline.StartAsync(CityModel.Create(Options).RegistryEntries);

    [OneTimeTearDown]
    public async Task Stop() => await _pipeline.DisposeAsync();

    [Test]
    public async Task SimCity_TwoShardProcesses_TogetherPublishExactlyTheWholeCitysReadings()
    {
        var start = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + 4_000;

        // What one process publishes: the whole city, incidents included, over the same window.
        var city = CityModel.Create(Options);
        IncidentPlan.Apply(city, start, RunLength);
        var expected = new List<string>();
        CityRecorder.Run(city, start, RunLength, (r, _) => expected.Add($"{r.Device.Info.Id}#{r.Sequence}"));

        var output = await RunSimulatorAsync(
            "sim", "city", "--devices", "150", "--districts", "3", "--interval", "2", "--seed", Seed.ToString(CultureInfo.InvariantCulture),
            "--duration", "20s", "--start", start.ToString(CultureInfo.InvariantCulture), "--broker", _pipeline.GatewayEndPoint.ToString(), "--processes", "2");
        var result = output.LastOrDefault(l => l.StartsWith("result ", StringComparison.Ordinal));
        Assert.That(result, Is.Not.Null, "the launcher should print its result line:\n" + string.Join('\n', output));
        var fields = result!.Split(' ').Skip(1).Select(f => f.Split('=')).ToDictionary(f => f[0], f => f[1]);
        var perShard = fields["shard_sent"].Split(',').Select(long.Parse).ToList();

        Assert.That(fields["processes"], Is.EqualTo("2"));
        Assert.That(fields["devices"], Is.EqualTo(city.Devices.Count.ToString(CultureInfo.InvariantCulture)));
        Assert.That(fields["errors"], Is.EqualTo("0"));
        Assert.That(long.Parse(fields["sent"], CultureInfo.InvariantCulture), Is.EqualTo(expected.Count), "readings sent by both shards");
        Assert.That(long.Parse(fields["acked"], CultureInfo.InvariantCulture), Is.EqualTo(expected.Count), "readings acknowledged");
        Assert.That(perShard, Has.Count.EqualTo(2).And.All.GreaterThan(expected.Count / 3), "both shards published a fair part");

        var inKafka = ReadReadings(expected.Count, TimeSpan.FromSeconds(30));
        Assert.That(inKafka, Has.Count.EqualTo(expected.Count), "each reading once in sensing.telemetry");
        Assert.That(inKafka.Order(StringComparer.Ordinal), Is.EqualTo(expected.Order(StringComparer.Ordinal)));
    }

    private static async Task<List<string>> RunSimulatorAsync(params string[] arguments)
    {
        var (exitCode, lines) = await SensingCommand.RunAsync("sim", TimeSpan.FromSeconds(120), arguments);
        Assert.That(exitCode, Is.Zero, "sim city --processes 2 should exit 0");
        return lines;
    }

    // Every reading in sensing.telemetry as device#sequence (the gateway's online records left out).
    private List<string> ReadReadings(int expected, TimeSpan timeout)
    {
        using var consumer = new RecordConsumer(_pipeline.KafkaOptions, "it-shards-" + Guid.NewGuid().ToString("N"), "it-shards");
        consumer.Subscribe(_pipeline.KafkaOptions.Topics.Telemetry);
        var readings = new List<string>();
        var clock = Stopwatch.StartNew();
        var idle = Stopwatch.StartNew();
        while (clock.Elapsed < timeout && (readings.Count < expected || idle.Elapsed < TimeSpan.FromSeconds(3)))
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(500)) is not { } record)
            {
                continue;
            }

            idle.Restart();
            Assert.That(TelemetryFrame.TryDecode(record.Value, out var frame, out var error), Is.True, error.ToString());
            if (!frame.IsConnectionEvent)
            {
                readings.Add($"{Encoding.UTF8.GetString(frame.DeviceId)}#{frame.Sequence}");
            }
        }

        return readings;
    }
}
