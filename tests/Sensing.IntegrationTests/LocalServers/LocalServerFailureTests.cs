using NUnit.Framework;
using Sensing.LocalServers;

namespace Sensing.IntegrationTests.LocalServers;

/// <summary>Start failures say what is wrong: a missing installation, or the server's own last words.</summary>
[TestFixture]
public sealed class LocalServerFailureTests
{
    [Test]
    public async Task LocalKafka_StartAsync_MissingJars_ThrowsWithSetupHint()
    {
        await using var kafka = new LocalKafka(LocalKafkaOptions.Default with { KafkaHome = "/nonexistent/kafka" });

        var exception = Assert.ThrowsAsync<LocalServerException>(() => kafka.StartAsync());

        Assert.That(exception!.Message, Does.Contain("/nonexistent/kafka").And.Contain("scripts/setup.sh"));
    }

    [Test]
    public async Task LocalVictoriaMetrics_StartAsync_UnknownFlag_ThrowsWithLogTail()
    {
        await using var store = new LocalVictoriaMetrics(LocalVictoriaMetricsOptions.Default with { ExtraArguments = ["-no-such-flag=1"] });

        var exception = Assert.ThrowsAsync<LocalServerException>(() => store.StartAsync());

        // The Go flag package's complaint, read back from victoria-metrics.log.
        Assert.That(exception!.Message, Does.Contain("exited during start").And.Contain("flag provided but not defined: -no-such-flag"));
        Assert.That(store.IsRunning, Is.False);
    }
}
