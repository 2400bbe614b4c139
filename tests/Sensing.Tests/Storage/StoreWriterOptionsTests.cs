using NUnit.Framework;
using Sensing.Storage;

namespace Sensing.Tests.Storage;

[TestFixture]
public sealed class StoreWriterOptionsTests
{
    [Test]
    public void Validate_Default_Passes() => Assert.DoesNotThrow(StoreWriterOptions.Default.Validate);

    [TestCase("not a url")]
    [TestCase("ftp://127.0.0.1:8428")]
    [TestCase("http://127.0.0.1:8428/?db=x")]
    [TestCase("/relative")]
    public void Constructor_BadUrl_NamesUrl(string url)
    {
        var error = Assert.Throws<ArgumentException>(() => _ = new StoreWriter(StoreWriterOptions.Default with { Url = url }));

        Assert.That(error!.Message, Does.StartWith("StoreWriterOptions.Url:").And.Contain(url));
        Assert.That(error.ParamName, Is.EqualTo("Url"));
    }

    [Test]
    public void Validate_InfluxV1WithoutDatabase_NamesDatabase() =>
        AssertNames(StoreWriterOptions.Default with { Api = StoreApi.InfluxV1 }, "Database");

    [Test]
    public void Validate_InfluxV2WithoutBucket_NamesBucket() =>
        AssertNames(StoreWriterOptions.Default with { Api = StoreApi.InfluxV2, Organization = "o" }, "Bucket");

    [Test]
    public void Validate_BufferSmallerThanBatch_NamesMaxBufferedBytes() =>
        AssertNames(StoreWriterOptions.Default with { BatchMaxBytes = 1000, MaxBufferedBytes = 999 }, "MaxBufferedBytes");

    [Test]
    public void Validate_NegativeRetries_NamesMaxRetries() =>
        AssertNames(StoreWriterOptions.Default with { MaxRetries = -1 }, "MaxRetries");

    [Test]
    public void Validate_ZeroBatchLines_NamesBatchMaxLines() =>
        AssertNames(StoreWriterOptions.Default with { BatchMaxLines = 0 }, "BatchMaxLines");

    [Test]
    public void Validate_MaxDelayBelowBase_NamesRetryMaxDelay() =>
        AssertNames(StoreWriterOptions.Default with { RetryBaseDelay = TimeSpan.FromSeconds(2), RetryMaxDelay = TimeSpan.FromSeconds(1) }, "RetryMaxDelay");

    [Test]
    public void Validate_ZeroRequestTimeout_NamesRequestTimeout() =>
        AssertNames(StoreWriterOptions.Default with { RequestTimeout = TimeSpan.Zero }, "RequestTimeout");

    [Test]
    public void Validate_CircuitBreakerThroughputOne_NamesCircuitBreakerMinimumThroughput() =>
        AssertNames(StoreWriterOptions.Default with { CircuitBreakerMinimumThroughput = 1 }, "CircuitBreakerMinimumThroughput");

    [Test]
    public void Validate_CircuitBreakerRatioAboveOne_NamesCircuitBreakerFailureRatio() =>
        AssertNames(StoreWriterOptions.Default with { CircuitBreakerFailureRatio = 1.5 }, "CircuitBreakerFailureRatio");

    [Test]
    public void Validate_ShortBreak_NamesCircuitBreakerBreakDuration() =>
        AssertNames(StoreWriterOptions.Default with { CircuitBreakerBreakDuration = TimeSpan.FromMilliseconds(100) }, "CircuitBreakerBreakDuration");

    private static void AssertNames(StoreWriterOptions options, string option)
    {
        var error = Assert.Throws<ArgumentException>(options.Validate);

        Assert.That(error!.Message, Does.StartWith($"StoreWriterOptions.{option}:"));
    }
}
