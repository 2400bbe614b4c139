using Sensing.Up;

namespace Sensing.IntegrationTests.Up;

/// <summary>The fuzz options of <c>sensing up</c> are checked before anything starts (no servers needed).</summary>
[TestFixture]
public sealed class CityFuzzOptionsTests
{
    private static readonly UpOptions Small = new() { Devices = 300, Duration = TimeSpan.FromSeconds(60), ReportIntervalSeconds = 5 };

    [Test]
    public void Validate_FuzzWithDefaults_AcceptedAndFuzzing()
    {
        var options = (Small with { FuzzPackets = 1_000_000 }).Validate();

        Assert.That(options.Fuzzing, Is.True);
        Assert.That(options.FuzzConcurrency, Is.EqualTo(256));
        Assert.That(options.FuzzSeed, Is.EqualTo(1));
        Assert.That(options.GatewayKillMoment, Is.Null, "a fuzz run kills no gateway");
        Assert.That(Small.Validate().Fuzzing, Is.False, "no --fuzz: no fuzzer");
        Assert.That(Small.GatewayKillMoment, Is.EqualTo(Small.GatewayKillAt));
    }

    [TestCase(-1, 256, "--fuzz:")]
    [TestCase(UpOptions.MaxFuzzPackets + 1, 256, "--fuzz:")]
    [TestCase(1000, 0, "--fuzz-concurrency:")]
    [TestCase(1000, UpOptions.MaxFuzzConcurrency + 1, "--fuzz-concurrency:")]
    public void Validate_FuzzOutOfRange_ThrowsNamingTheOption(long packets, int concurrency, string option)
    {
        var options = Small with { FuzzPackets = packets, FuzzConcurrency = concurrency };

        Assert.That(() => options.Validate(), Throws.ArgumentException.With.Message.StartsWith(option));
    }

    [Test]
    public void Validate_FuzzWithFaults_ThrowsNamingBoth()
    {
        var options = Small with { FuzzPackets = 1000, FaultSeed = 1, Duration = TimeSpan.FromSeconds(600) };

        Assert.That(() => options.Validate(), Throws.ArgumentException.With.Message.Contains("--fuzz").And.Message.Contains("--faults"));
    }
}
