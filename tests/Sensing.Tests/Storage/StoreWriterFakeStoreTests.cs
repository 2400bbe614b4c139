using System.Text;
using NUnit.Framework;
using Sensing.Storage;

namespace Sensing.Tests.Storage;

/// <summary>StoreWriter against <see cref="FakeStore"/>, a stand-in HTTP endpoint that records requests.</summary>
[TestFixture]
public sealed class StoreWriterFakeStoreTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private static StoreWriterOptions Options(FakeStore store) => StoreWriterOptions.Default with
    {
        Url = store.Url,
        RetryBaseDelay = TimeSpan.FromMilliseconds(5),
        RetryMaxDelay = TimeSpan.FromMilliseconds(20),
    };

    private static bool AppendReading(StoreWriter writer, int i) =>
        writer.TryAppend(i, static (w, n) => w.Measurement("gas"u8).Tag("device"u8, "md-1"u8).Field("lel"u8, n + 0.5).EndLine(1_700_000_000_000 + n));

    private static string ReadingLine(int i) => $"gas,device=md-1 lel={i}.5 {1_700_000_000_000 + i}\n";

    [Test]
    public async Task FlushAsync_FakeStore_PostsGzipBodyWithExactLines()
    {
        await using var store = new FakeStore();
        await using var writer = new StoreWriter(Options(store));

        for (var i = 0; i < 3; i++)
        {
            Assert.That(AppendReading(writer, i), Is.True);
        }

        Assert.That(writer.TryAppend("alert,id=a1 value=1i 5\n"u8), Is.True);
        await writer.FlushAsync();

        var request = store.Requests.Single();
        Assert.That(request.Method, Is.EqualTo("POST"));
        Assert.That(request.Headers["content-encoding"], Is.EqualTo("gzip"));
        Assert.That(request.Headers["content-type"], Is.EqualTo("text/plain; charset=utf-8"));
        Assert.That(request.Body.AsSpan(0, 2).ToArray(), Is.EqualTo(new byte[] { 0x1f, 0x8b }), "gzip magic");
        Assert.That(request.DecodedBody, Is.EqualTo(ReadingLine(0) + ReadingLine(1) + ReadingLine(2) + "alert,id=a1 value=1i 5\n"));
        Assert.That(writer.Counters, Is.EqualTo(new StoreWriterCounters(4, 1, 0, 0, 0, 0, 0)));
        Assert.That(writer.BufferedBytes, Is.Zero);
    }

    [Test]
    public async Task FlushAsync_FakeStoreGzipOff_PostsPlainBody()
    {
        await using var store = new FakeStore();
        await using var writer = new StoreWriter(Options(store) with { Gzip = false });

        AppendReading(writer, 7);
        await writer.FlushAsync();

        var request = store.Requests.Single();
        Assert.That(request.Headers.ContainsKey("content-encoding"), Is.False);
        Assert.That(Encoding.UTF8.GetString(request.Body), Is.EqualTo(ReadingLine(7)));
    }

    [Test]
    public async Task TryAppend_FakeStoreBatchMaxLines_SplitsIntoOrderedBatches()
    {
        await using var store = new FakeStore();
        await using var writer = new StoreWriter(Options(store) with { BatchMaxLines = 2 });

        for (var i = 0; i < 5; i++)
        {
            AppendReading(writer, i);
        }

        await writer.FlushAsync();

        var bodies = store.Requests.Select(r => r.DecodedBody).ToArray();
        Assert.That(bodies, Is.EqualTo(new[]
        {
            ReadingLine(0) + ReadingLine(1),
            ReadingLine(2) + ReadingLine(3),
            ReadingLine(4),
        }));
        Assert.That(writer.Counters.PointsWritten, Is.EqualTo(5));
        Assert.That(writer.Counters.BatchesWritten, Is.EqualTo(3));
    }

    [Test]
    public async Task TryAppend_FakeStoreBatchMaxBytesReached_SendsWithoutFlush()
    {
        await using var store = new FakeStore();
        await using var writer = new StoreWriter(Options(store) with { BatchMaxBytes = 100 });

        // Each reading line is 36 bytes: the third crosses 100 bytes and seals the batch.
        for (var i = 0; i < 3; i++)
        {
            AppendReading(writer, i);
        }

        var requests = await store.WaitForRequestsAsync(1, Patience);

        Assert.That(requests, Has.Count.EqualTo(1));
        Assert.That(requests[0].DecodedBody, Is.EqualTo(ReadingLine(0) + ReadingLine(1) + ReadingLine(2)));
    }

    [TestCase(StoreApi.VictoriaMetrics, null, null, null, null, "/write?precision=ms")]
    [TestCase(StoreApi.InfluxV1, "sensing db", null, null, null, "/write?db=sensing%20db&precision=ms")]
    [TestCase(StoreApi.InfluxV2, null, "acme", "city", "s3cret", "/api/v2/write?org=acme&bucket=city&precision=ms")]
    [TestCase(StoreApi.InfluxV2, null, null, "city", null, "/api/v2/write?bucket=city&precision=ms")]
    public async Task FlushAsync_FakeStoreEachApi_UsesItsUrlAndToken(
        StoreApi api, string? database, string? organization, string? bucket, string? token, string expectedTarget)
    {
        await using var store = new FakeStore();
        var options = Options(store) with { Api = api, Database = database, Organization = organization, Bucket = bucket, Token = token };
        await using var writer = new StoreWriter(options);

        AppendReading(writer, 1);
        await writer.FlushAsync();

        var request = store.Requests.Single();
        Assert.That(request.Target, Is.EqualTo(expectedTarget));
        Assert.That(writer.WriteUri.PathAndQuery, Is.EqualTo(expectedTarget));
        if (token is null)
        {
            Assert.That(request.Headers.ContainsKey("authorization"), Is.False);
        }
        else
        {
            Assert.That(request.Headers["authorization"], Is.EqualTo("Token " + token));
        }
    }

    [Test]
    public async Task FlushAsync_FakeStoreUrlWithPathPrefix_KeepsPrefix()
    {
        await using var store = new FakeStore();
        await using var writer = new StoreWriter(Options(store) with { Url = store.Url + "/insert/0/influx/" });

        AppendReading(writer, 1);
        await writer.FlushAsync();

        Assert.That(store.Requests.Single().Target, Is.EqualTo("/insert/0/influx/write?precision=ms"));
    }
}
