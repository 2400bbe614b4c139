namespace Sensing.IntegrationTests.Pipeline;

/// <summary>
/// <c>sensing up</c> refuses a run too short for its injected leak, or a gateway executable that is not there, with exit
/// code 2 and a message naming the flag (and the shortest run that fits), before any server starts.
/// </summary>
[TestFixture]
public sealed class UpFlagsTests
{
    [TestCase("30", "5", "--duration: must be at least 31 seconds with --interval 5")]
    [TestCase("19", "1", "--duration: must be at least 20 seconds with --interval 1")]
    [TestCase("40", "0.5", "--interval: must be 1-3600 seconds, was 0.5")]
    public async Task Up_RunTooShortForTheLeak_ExitsWithTwoNamingTheFlag(string duration, string interval, string message)
    {
        var (exitCode, output) = await StoreFlagsTests.RunAsync(["up", "--duration", duration, "--interval", interval]);

        Assert.That(exitCode, Is.EqualTo(2), output);
        Assert.That(output, Does.Contain("sensing up: " + message));
    }

    [Test]
    public async Task Up_GatewayExecutableMissing_ExitsWithTwoNamingTheFlag()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"sensing-no-such-build-{Guid.NewGuid():N}");

        var (exitCode, output) = await StoreFlagsTests.RunAsync(["up", "--gateway-exe", missing]);

        Assert.That(exitCode, Is.EqualTo(2), output);
        Assert.That(output, Does.Contain($"sensing up: --gateway-exe: '{missing}' is not a file (build it with scripts/native.sh)"));
    }
}
