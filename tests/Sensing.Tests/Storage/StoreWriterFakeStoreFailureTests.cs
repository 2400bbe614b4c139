using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using NUnit.Framework;
using Sensing.Storage;

namespace Sensing.Tests.Storage;

/// <summary>StoreWriter's retry, fail-fast, bounded-memory and cancellation rules, against <see cref="FakeStore"/>.</summary>
[TestFixture]
public sealed class StoreWriterFakeStoreFailureTests
{
    private static StoreWriterOptions Options(string url) => StoreWriterOptions.Default with
    {
        Url = url,
        RetryBaseDelay = TimeSpan.FromMilliseconds(5),
        RetryMaxDelay = TimeSpan.FromMilliseconds(20),
    };

    private static bool AppendReading(StoreWriter writer, int i) =>
        writer.TryAppend(i, static (w, n) => w.Measurement("gas"u8).Field("lel"u8, (long)n).EndLine(n));

    [Test]
    public async Task FlushAsync_FakeStore503ThenSuccess_RetriesSameBody()
    {
        await using var store = new FakeStore(i => Task.FromResult(new FakeStoreResponse(i < 2 ? 503 : 204, "busy")));
        await using var writer = new StoreWriter(Options(store.Url));

        AppendReading(writer, 1);
        await writer.FlushAsync();

        Assert.That(store.Requests, Has.Count.EqualTo(3));
        Assert.That(store.Requests.Select(r => r.DecodedBody), Is.All.EqualTo("gas lel=1i 1\n"));
        Assert.That(writer.Counters, Is.EqualTo(new StoreWriterCounters(1, 1, 2, 0, 0, 0, 0)));
    }

    [Test]
    public async Task FlushAsync_FakeStore400_FailsFastWithStoresMessage()
    {
        const string StoreError = "{\"error\":\"unable to parse 'gas lel=1i 1': invalid field format\"}";
        await using var store = new FakeStore(i => Task.FromResult(i == 0 ? new FakeStoreResponse(400, StoreError) : new FakeStoreResponse(204)));
        await using var writer = new StoreWriter(Options(store.Url));

        AppendReading(writer, 1);
        var error = Assert.ThrowsAsync<StoreWriteException>(() => writer.FlushAsync());

        Assert.That(error!.StatusCode, Is.EqualTo(400));
        Assert.That(error.IsTransient, Is.False);
        Assert.That(error.Message, Does.Contain("HTTP 400").And.Contain(StoreError));
        Assert.That(store.Requests, Has.Count.EqualTo(1), "no retry on 4xx");
        Assert.That(writer.Counters.FailedBatches, Is.EqualTo(1));
        Assert.That(writer.Counters.Retries, Is.Zero);
        Assert.That(writer.BufferedBytes, Is.Zero, "a rejected batch is dropped");

        // The writer carries on: the rejection is reported once, later batches are written.
        AppendReading(writer, 2);
        await writer.FlushAsync();
        Assert.That(store.Requests[1].DecodedBody, Is.EqualTo("gas lel=2i 2\n"));
    }

    [Test]
    public async Task FlushAsync_FakeStoreDownThenBack_KeepsBatchAndResendsOnNextFlush()
    {
        await using var store = new FakeStore(i => Task.FromResult(new FakeStoreResponse(i < 3 ? 503 : 204, "overloaded")));
        await using var writer = new StoreWriter(Options(store.Url) with { MaxRetries = 2 });

        AppendReading(writer, 1);
        var error = Assert.ThrowsAsync<StoreWriteException>(() => writer.FlushAsync());

        Assert.That(error!.IsTransient, Is.True);
        Assert.That(error.StatusCode, Is.EqualTo(503));
        Assert.That(error.Message, Does.Contain("3 attempt(s)").And.Contain("overloaded").And.Contain("kept"));
        Assert.That(store.Requests, Has.Count.EqualTo(3));
        Assert.That(writer.Counters, Is.EqualTo(new StoreWriterCounters(0, 0, 2, 1, 0, 0, 0)));
        Assert.That(writer.BufferedBytes, Is.EqualTo("gas lel=1i 1\n".Length), "the batch is kept");

        await writer.FlushAsync();

        Assert.That(store.Requests, Has.Count.EqualTo(4));
        Assert.That(store.Requests[3].DecodedBody, Is.EqualTo("gas lel=1i 1\n"));
        Assert.That(writer.Counters, Is.EqualTo(new StoreWriterCounters(1, 1, 2, 1, 0, 0, 0)));
        Assert.That(writer.BufferedBytes, Is.Zero);
    }

    [Test]
    public async Task TryAppend_FakeStoreOutage_LaterBatchesWaitAndKeepOrder()
    {
        await using var store = new FakeStore(i => Task.FromResult(new FakeStoreResponse(i == 0 ? 503 : 204)));
        await using var writer = new StoreWriter(Options(store.Url) with { BatchMaxLines = 1, MaxRetries = 0 });

        // Batch 1 is sealed and sent at once, fails with no retry left, and pauses sending.
        AppendReading(writer, 1);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (writer.Counters.Outages == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        AppendReading(writer, 2);
        await Task.Delay(200);
        Assert.That(store.Requests, Has.Count.EqualTo(1), "nothing overtakes the kept batch");

        await writer.FlushAsync();

        Assert.That(store.Requests.Select(r => r.DecodedBody), Is.EqualTo(new[] { "gas lel=1i 1\n", "gas lel=1i 1\n", "gas lel=2i 2\n" }));
        Assert.That(writer.Counters.PointsWritten, Is.EqualTo(2));
    }

    [Test]
    public async Task FlushAsync_ConnectionRefused_RetriesThenThrows()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        await using var writer = new StoreWriter(Options($"http://127.0.0.1:{port}") with { MaxRetries = 2 });

        AppendReading(writer, 1);
        var error = Assert.ThrowsAsync<StoreWriteException>(() => writer.FlushAsync());

        Assert.That(error!.StatusCode, Is.Null);
        Assert.That(error.IsTransient, Is.True);
        Assert.That(writer.Counters.Retries, Is.EqualTo(2));
    }

    [Test]
    public async Task FlushAsync_FakeStoreSlowerThanRequestTimeout_RetriesAsTimeout()
    {
        await using var store = new FakeStore(async i =>
        {
            if (i == 0)
            {
                await Task.Delay(2000);
            }

            return new FakeStoreResponse(204);
        });
        await using var writer = new StoreWriter(Options(store.Url) with { RequestTimeout = TimeSpan.FromMilliseconds(200) });

        AppendReading(writer, 1);
        await writer.FlushAsync();

        Assert.That(writer.Counters.Retries, Is.EqualTo(1));
        Assert.That(writer.Counters.PointsWritten, Is.EqualTo(1));
    }

    [Test]
    public async Task TryAppend_BufferBoundReached_ReturnsFalseUntilStoreAccepts()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var store = new FakeStore(async _ =>
        {
            await gate.Task;
            return new FakeStoreResponse(204);
        });
        await using var writer = new StoreWriter(Options(store.Url) with { BatchMaxBytes = 40, MaxBufferedBytes = 40 });

        // "gas lel=Ni N\n" is 13 bytes for one digit: three lines fill 39 bytes, the fourth reaches the bound.
        for (var i = 1; i <= 4; i++)
        {
            Assert.That(AppendReading(writer, i), Is.True);
        }

        await store.WaitForRequestsAsync(1, TimeSpan.FromSeconds(10));
        Assert.That(writer.IsFull, Is.True);
        Assert.That(writer.BufferedBytes, Is.EqualTo(52));
        Assert.That(AppendReading(writer, 5), Is.False);
        Assert.That(writer.TryAppend("x f=1i 1\n"u8), Is.False);

        gate.SetResult();
        await writer.FlushAsync();

        Assert.That(writer.IsFull, Is.False);
        Assert.That(AppendReading(writer, 5), Is.True);
        await writer.FlushAsync();
        Assert.That(writer.Counters.PointsWritten, Is.EqualTo(5));
    }

    [Test]
    public async Task FlushAsync_Cancelled_StopsWaitingButKeepsSending()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var store = new FakeStore(async _ =>
        {
            await gate.Task;
            return new FakeStoreResponse(204);
        });
        await using var writer = new StoreWriter(Options(store.Url));
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        AppendReading(writer, 1);
        Assert.That(async () => await writer.FlushAsync(cancel.Token), Throws.InstanceOf<OperationCanceledException>());

        gate.SetResult();
        await writer.FlushAsync();
        Assert.That(store.Requests, Has.Count.EqualTo(1));
        Assert.That(writer.Counters.PointsWritten, Is.EqualTo(1));
    }

    [Test]
    public async Task DisposeAsync_FakeStoreDown_CancelsRetryLoopAfterDisposeTimeout()
    {
        await using var store = new FakeStore(_ => Task.FromResult(new FakeStoreResponse(503)));
        var writer = new StoreWriter(Options(store.Url) with
        {
            MaxRetries = 1000,
            RetryBaseDelay = TimeSpan.FromSeconds(1),
            RetryMaxDelay = TimeSpan.FromSeconds(5),
            DisposeTimeout = TimeSpan.FromMilliseconds(300),
        });
        AppendReading(writer, 1);

        var clock = Stopwatch.StartNew();
        await writer.DisposeAsync();

        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(3)));
        Assert.That(writer.Counters.FailedBatches, Is.EqualTo(1));
        Assert.That(writer.Counters.PointsWritten, Is.Zero);
    }

    [Test]
    public async Task TryAppend_EncoderLeavesLineOpen_ThrowsAndKeepsCompleteLines()
    {
        await using var store = new FakeStore();
        await using var writer = new StoreWriter(Options(store.Url));

        Assert.Throws<InvalidOperationException>(() => writer.TryAppend(0, static (w, _) =>
        {
            w.Measurement("a"u8).Field("f"u8, 1L).EndLine(1);
            w.Measurement("b"u8).Field("f"u8, 2L);
        }));
        await writer.FlushAsync();

        Assert.That(store.Requests.Single().DecodedBody, Is.EqualTo("a f=1i 1\n"));
    }

    [Test]
    public async Task TryAppend_NonFiniteFields_AreCounted()
    {
        await using var store = new FakeStore();
        await using var writer = new StoreWriter(Options(store.Url));

        writer.TryAppend(0, static (w, _) =>
        {
            w.Measurement("m"u8).Field("a"u8, double.NaN).Field("b"u8, 1L).EndLine(1);
            w.Measurement("m"u8).Field("a"u8, double.PositiveInfinity).EndLine(2);
        });
        await writer.FlushAsync();

        Assert.That(store.Requests.Single().DecodedBody, Is.EqualTo("m b=1i 1\n"));
        Assert.That(writer.Counters, Is.EqualTo(new StoreWriterCounters(1, 1, 0, 0, 0, 2, 1)));
    }

    [Test]
    public async Task TryAppend_LinesWithoutNewline_Throws()
    {
        await using var writer = new StoreWriter(StoreWriterOptions.Default);

        Assert.Throws<ArgumentException>(() => writer.TryAppend("m f=1i 1"u8));
    }
}
