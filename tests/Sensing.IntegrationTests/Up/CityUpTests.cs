using System.Globalization;

namespace Sensing.IntegrationTests.Up;

/// <summary>
/// <c>sensing up</c>, the README's first command, at a tenth of the city: 20,000 devices through two gateway
/// processes, two processors in one consumer group, the feed and the simulator's shards, with one gateway killed
/// mid-run, the gateways run from the native build as <c>scripts/up.sh</c> runs them (<see cref="NativeBuild"/>). Every
/// invariant of its summary must hold; the full city is <c>bench/city-up.sh</c>. While the city publishes,
/// the operator console is opened in chromium twice (after the first alert events, and 45 s before the devices stop) and
/// photographed, list and map: the screenshots are kept as test artifacts.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class CityUpTests
{
    // 20,000 devices: 20,000 / 1,900 districts (UpOptions.Districts); times in the detection default's zone.
    private const int Districts = 10;
    private const string CityZone = "Times: Asia/Shanghai (UTC+08:00)";

    private UpResult _result = UpResult.None;
    private string _output = "";
    private string _printedWithoutSpace = "";
    private ConsoleShot[] _shots = [];

    [OneTimeSetUp]
    public async Task RunCity()
    {
        // Each device at a 30 s interval (the injected leak's detector needs four readings inside its window), 4 minutes.
        await using var console = new CityConsoleShots(
            ConsoleMoment.FirstAlerts("city-up-first-alerts", "the console once the city raised its first alerts"),
            ConsoleMoment.BeforeTheEnd(45, "city-up-near-the-end", "the console 45 s before the devices stop publishing"));
        var (exitCode, lines) = await SensingCommand.RunAsync("up", TimeSpan.FromMinutes(15), console.OnLine,
            "up", "--devices", "20000", "--duration", "240", "--interval", "30", "--gateways", "2", "--processors", "2",
            "--gateway-exe", NativeBuild.Path);
        _shots = await console.ShotsAsync();
        _output = string.Join('\n', lines.TakeLast(80));
        // The console may wrap a long line: compared without white space.
        _printedWithoutSpace = string.Concat(string.Concat(lines).Where(c => !char.IsWhiteSpace(c)));
        var result = lines.LastOrDefault(l => l.StartsWith("result ", StringComparison.Ordinal));
        Assert.That(result, Is.Not.Null, $"sensing up exited {exitCode} without its result line:\n{_output}");
        _result = UpResult.Parse(result!);
        TestContext.Progress.WriteLine(result);
    }

    [Test]
    public void Up_TwentyThousandDevices_EveryAcknowledgedReadingInKafkaAndCommitted()
    {
        Assert.That(Long("acked"), Is.GreaterThan(100_000), _output);
        Assert.That(Long("errors"), Is.Zero, _output);
        Assert.That(Long("kafka_readings"), Is.GreaterThanOrEqualTo(Long("acked")), "every acknowledged reading has a record in sensing.telemetry");
        Assert.That(Long("committed"), Is.EqualTo(Long("kafka_records")), "the processors committed every record");
        Assert.That(Field("books"), Is.EqualTo("1"));
        Assert.That(Long("acklog_entries"), Is.EqualTo(Long("acked")), "the devices' ack logs hold every PUBACK the fleet counted");
        Assert.That(Long("lost"), Is.Zero, "every reading in the ack logs is in sensing.telemetry");
    }

    [Test]
    public void Up_TwentyThousandDevices_EveryReadingInKafkaOnceInTheStoresOneMinuteAggregates()
    {
        Assert.That(Long("store_minutes"), Is.GreaterThan(20_000), "the device minutes compared");
        Assert.That(Long("store_over"), Is.Zero, "no minute counts a reading twice (the gateway kill's resends are in Kafka twice): " + _output);
        Assert.That(Long("store_under"), Is.Zero, "no closed minute misses a reading of sensing.telemetry: " + _output);
        Assert.That(Long("store_open_minutes"), Is.LessThanOrEqualTo(2 * 20_000),
            "at most two minutes of each device are still open at the end: its last, and one held back for a reading missing from it");
    }

    [Test]
    public void Up_TwentyThousandDevices_EveryFittingIncidentDetectedNothingOnATrap()
    {
        Assert.That(Long("incidents"), Is.GreaterThanOrEqualTo(5), _output);
        Assert.That(Long("missed"), Is.Zero, _output);
        Assert.That(Long("trap_alerts"), Is.Zero, _output);
        Assert.That(Field("leak"), Is.EqualTo("1"), "the injected leak's alert is in Kafka, the store and the feed");
    }

    [Test]
    public void Up_NativeGatewayExecutable_GatewaysStartedFromIt()
    {
        Assert.That(_printedWithoutSpace, Does.Contain(("; native build " + NativeBuild.Path + "),").Replace(" ", "", StringComparison.Ordinal)), _output);
        Assert.That(Long("crashed"), Is.Zero, "no gateway of the native build exited by itself: " + _output);
    }

    [Test]
    public void Up_GatewayKilled_EveryDroppedSessionBackAndNoOtherPartExited()
    {
        Assert.That(Long("storm_dropped"), Is.GreaterThan(1_000), "the killed gateway held a share of the persistent sessions");
        Assert.That(Long("storm_back"), Is.GreaterThanOrEqualTo(Long("storm_dropped")), _output);
        Assert.That(Long("storm_recovery_s"), Is.InRange(0, 120), _output);
        Assert.That(Long("crashed"), Is.Zero, _output);
    }

    [Test]
    public void Up_Alerts_ReachKafkaAndTheFeedStreamWithTheirLatencyMeasured()
    {
        Assert.That(Long("latency_kafka_p50_ms"), Is.GreaterThan(0).And.LessThan(30_000), _output);
        Assert.That(Long("latency_sse_p50_ms"), Is.GreaterThan(0).And.LessThan(30_000), _output);
        Assert.That(Field("passed"), Is.EqualTo("1"), _output);
    }

    [Test]
    public void Up_ConsoleWhileTheCityPublishes_ListsAlertsAndColoursTheirDistricts()
    {
        Assert.That(_shots.Select(s => s.Moment.Name), Is.EqualTo(new[] { "city-up-first-alerts", "city-up-near-the-end" }),
            $"a screenshot at each moment of the run:\n{_output}");
        foreach (var shot in _shots)
        {
            shot.AttachAndAssertPopulated(Districts, CityZone);
        }
    }

    private string Field(string name) => _result.Field(name);

    private long Long(string name) => _result.Long(name);
}
