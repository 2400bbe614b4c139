using System.Globalization;

namespace Sensing.IntegrationTests.Up;

/// <summary>
/// <c>sensing up --fuzz</c> at a small scale: 300 devices through two gateways (a fuzz run kills none) while the fuzzer
/// sends 30,000 malformed and hostile packets to them. Every hostile connection must end as the MQTT specifications
/// allow, no honest device is refused, nothing acknowledged is lost, and the honest devices' PUBACK latency is
/// reported; the million-packet run over a bigger city is <c>bench/fuzz-city.sh</c>.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class CityFuzzTests
{
    private const long Packets = 30_000;

    private UpResult _result = UpResult.None;
    private string _output = "";

    [OneTimeSetUp]
    public async Task RunCity()
    {
        // At a 5 s interval the injected leak fits a minute of publishing; the fuzzer starts once the city is steady.
        var (exitCode, lines) = await SensingCommand.RunAsync("up", TimeSpan.FromMinutes(6),
            "up", "--devices", "300", "--duration", "60", "--interval", "5", "--gateways", "2",
            "--fuzz", Packets.ToString(CultureInfo.InvariantCulture), "--fuzz-seed", "7");
        _output = string.Join('\n', lines.TakeLast(60));
        var result = lines.LastOrDefault(l => l.StartsWith("result ", StringComparison.Ordinal) && l.Contains(" fuzz_packets=", StringComparison.Ordinal));
        Assert.That(result, Is.Not.Null, $"sensing up exited {exitCode} without its result line:\n{_output}");
        _result = UpResult.Parse(result!);
        TestContext.Progress.WriteLine(result);
    }

    [Test]
    public void UpFuzz_ThirtyThousandPackets_EveryHostileConnectionEndedAsTheSpecificationsAllow()
    {
        Assert.That(Long("fuzz_packets"), Is.GreaterThanOrEqualTo(Packets), _output);
        Assert.That(Long("fuzz_connections"), Is.GreaterThan(Packets / 2), "most cases are one packet per connection");
        Assert.That(Long("fuzz_unexpected"), Is.Zero, _output);
        Assert.That(Long("fuzz_UnknownDevice_Refused"), Is.GreaterThan(0), "the CONNECT flood of unknown devices is refused with a CONNACK code");
        Assert.That(Long("fuzz_SlowLoris_Closed"), Is.GreaterThan(0), "slow-loris CONNECTs are closed by the connect deadline");
        Assert.That(Long("fuzz_Oversize_Closed"), Is.GreaterThan(0), "oversize packets close the connection");
    }

    [Test]
    public void UpFuzz_HonestDevices_NotRefusedNothingAcknowledgedLost()
    {
        Assert.That(Long("acked"), Is.GreaterThan(1_000), _output);
        Assert.That(Long("refused"), Is.Zero, _output);
        Assert.That(Long("errors"), Is.Zero, _output);
        Assert.That(Long("lost"), Is.Zero, "every reading in the ack logs is in sensing.telemetry");
        Assert.That(Field("books"), Is.EqualTo("1"));
        Assert.That(Field("memory_bounded"), Is.EqualTo("1"), "every gateway stayed under its memory bound");
        Assert.That(Long("crashed"), Is.Zero, _output);
        Assert.That(Long("storm_dropped"), Is.Zero, "a fuzz run kills no gateway");
        Assert.That(Long("fuzz_moved"), Is.Zero, "every gateway answered every connect");
    }

    [Test]
    public void UpFuzz_HonestPubAckLatency_ReportedAndWithinTheBound()
    {
        Assert.That(Long("ack_count"), Is.EqualTo(Long("acked")), "one latency per acknowledged reading (no concentrator in a city this small)");
        Assert.That(Double("ack_p50_ms"), Is.GreaterThan(0));
        Assert.That(Double("ack_p99_ms"), Is.GreaterThanOrEqualTo(Double("ack_p50_ms")).And.LessThanOrEqualTo(5_000), _output);
        Assert.That(Double("ack_max_ms"), Is.GreaterThanOrEqualTo(Double("ack_p99_ms")));
        Assert.That(Field("fuzz_held"), Is.EqualTo("1"), _output);
        Assert.That(Field("passed"), Is.EqualTo("1"), _output);
    }

    private string Field(string name) => _result.Field(name);

    private long Long(string name) => _result.Long(name);

    private double Double(string name) => _result.Double(name);
}
