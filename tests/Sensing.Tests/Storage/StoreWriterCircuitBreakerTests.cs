using System.Diagnostics;
using NUnit.Framework;
using Sensing.Storage;

namespace Sensing.Tests.Storage;

/// <summary>The circuit breaker around store writes, against <see cref="FakeStore"/> (a real store cannot be made to
/// answer 503 on demand).</summary>
[TestFixture]
public sealed class StoreWriterCircuitBreakerTests
{
    [Test]
    public async Task FlushAsync_FakeStoreFailingForOneSecond_CircuitOpensSparesStoreAndBatchArrives()
    {
        var failing = Stopwatch.StartNew();
        await using var store = new FakeStore(_ => Task.FromResult(new FakeStoreResponse(failing.Elapsed < TimeSpan.FromSeconds(1) ? 503 : 204)));
        await using var writer = new StoreWriter(StoreWriterOptions.Default with
        {
            Url = store.Url,
            MaxRetries = 1000,
            RetryBaseDelay = TimeSpan.FromMilliseconds(5),
            RetryMaxDelay = TimeSpan.FromMilliseconds(20),
            CircuitBreakerMinimumThroughput = 4,
            CircuitBreakerFailureRatio = 1,
            CircuitBreakerBreakDuration = TimeSpan.FromMilliseconds(500),
        });

        writer.TryAppend("m f=1i 1\n"u8);
        await writer.FlushAsync().WaitAsync(TimeSpan.FromSeconds(30));

        var counters = writer.Counters;
        Assert.That(counters.PointsWritten, Is.EqualTo(1));
        Assert.That(counters.CircuitBreaks, Is.GreaterThanOrEqualTo(1));
        Assert.That(store.Requests, Has.Count.LessThan(counters.Retries + 1), "attempts refused by the open circuit never reach the store");
        Assert.That(store.Requests[^1].DecodedBody, Is.EqualTo("m f=1i 1\n"));
    }

    [Test]
    public async Task FlushAsync_CircuitOpenWhenRetriesRunOut_ThrowsTransientNamingCircuit()
    {
        await using var store = new FakeStore(_ => Task.FromResult(new FakeStoreResponse(503, "down")));
        await using var writer = new StoreWriter(StoreWriterOptions.Default with
        {
            Url = store.Url,
            MaxRetries = 6,
            RetryBaseDelay = TimeSpan.FromMilliseconds(5),
            RetryMaxDelay = TimeSpan.FromMilliseconds(10),
            CircuitBreakerMinimumThroughput = 2,
            CircuitBreakerFailureRatio = 1,
            CircuitBreakerBreakDuration = TimeSpan.FromSeconds(30),
        });

        writer.TryAppend("m f=1i 1\n"u8);
        var error = Assert.ThrowsAsync<StoreWriteException>(() => writer.FlushAsync());

        Assert.That(error!.IsTransient, Is.True);
        Assert.That(error.Message, Does.Contain("circuit open").And.Contain("7 attempt(s)").And.Contain("down"));
        Assert.That(store.Requests, Has.Count.EqualTo(2), "the circuit opened after two failures and refused the rest");
        Assert.That(writer.BufferedBytes, Is.EqualTo(9), "the batch is kept");
    }
}
