using System.Diagnostics.Metrics;
using NUnit.Framework;
using Sensing.Storage;
using Sensing.Storage.Telemetry;

namespace Sensing.Tests.Storage;

[TestFixture]
public sealed class PipelineMetricsOptionsTests
{
    [Test]
    public void Validate_Default_Passes() => Assert.DoesNotThrow(() => PipelineMetricsOptions.Default.Validate());

    [TestCase("")]
    [TestCase("Gateway")]
    [TestCase("the gateway")]
    public void Validate_BadService_NamesService(string service) =>
        AssertNames(PipelineMetricsOptions.Default with { Service = service }, "Service");

    [TestCase(50)]
    [TestCase(7_200_000)]
    public void Validate_IntervalOutOfRange_NamesInterval(int milliseconds) =>
        AssertNames(PipelineMetricsOptions.Default with { Interval = TimeSpan.FromMilliseconds(milliseconds) }, "Interval");

    [Test]
    public void Validate_FtpOtlp_NamesOtlp() =>
        AssertNames(PipelineMetricsOptions.Default with { Otlp = new Uri("ftp://127.0.0.1:4318") }, "Otlp");

    [Test]
    public void Validate_BadStoreUrl_NamesStoreUrlUnlessOtlpIsSet()
    {
        var options = PipelineMetricsOptions.Default with { Store = StoreWriterOptions.Default with { Url = "not a url" } };

        Assert.That(() => options.Validate(), Throws.ArgumentException.With.Message.StartsWith("StoreWriterOptions.Url:"));
        Assert.DoesNotThrow(() => (options with { Otlp = new Uri("http://127.0.0.1:4318/v1/metrics") }).Validate());
    }

    [TestCase(false, false)]
    [TestCase(true, true)]
    public async Task Start_MetersOfSeveralServices_ExportsOnlyItsServiceAndSharedWhenAsked(bool shared, bool sharedExpected)
    {
        await using var store = new FakeStore();
        using var gateway = PipelineMetrics.CreateMeter("gateway");
        using var processor = PipelineMetrics.CreateMeter("processor");
        using var untagged = new Meter(PipelineMetrics.MeterName);
        var gatewayCounter = gateway.CreateCounter<long>("sensing.options_test.gateway");
        var processorCounter = processor.CreateCounter<long>("sensing.options_test.processor");
        var sharedCounter = untagged.CreateCounter<long>("sensing.options_test.shared");

        using (PipelineMetrics.Start(new PipelineMetricsOptions
        {
            Store = StoreWriterOptions.Default with { Url = store.Url },
            Service = "gateway",
            SharedInstruments = shared,
        }))
        {
            // Recorded while the export listens; disposing the provider exports once more.
            gatewayCounter.Add(3);
            processorCounter.Add(4);
            sharedCounter.Add(5);
        }

        var lines = string.Concat(store.Requests.Select(r => r.DecodedBody));
        Assert.That(lines, Does.Contain("sensing_options_test_gateway,").And.Contain("service=gateway").And.Contain("total=3"));
        Assert.That(lines, Does.Not.Contain("sensing_options_test_processor"));
        Assert.That(lines.Contains("sensing_options_test_shared,", StringComparison.Ordinal), Is.EqualTo(sharedExpected));
    }

    private static void AssertNames(PipelineMetricsOptions options, string option)
    {
        var error = Assert.Throws<ArgumentException>(() => options.Validate());

        Assert.That(error!.Message, Does.StartWith($"PipelineMetricsOptions.{option}:"));
        Assert.That(error.ParamName, Is.EqualTo(option));
    }
}
