using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Apache.Arrow;
using Apache.Arrow.Ipc;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Sensing.Feed.Endpoints;
using Sensing.LocalServers;

namespace Sensing.IntegrationTests.Storage;

/// <summary>
/// <c>GET /api/export</c> of a whole day of one-minute aggregates from a real VictoriaMetrics, through the feed's
/// endpoint (Kestrel, in this process), read batch by batch with Apache.Arrow's stream reader while a sampler watches
/// this process's managed heap: every 5 ms as it is, every 100 ms after a full collection (what is live). The day is
/// 2,016,000 rows (1,400 devices, 1,440 minutes): about 180 MB of Arrow, and about 1 GB of heap when an export's rows
/// were all joined in memory before writing (about 500 B a row, bench/README.md).
/// </summary>
/// <remarks>
/// A whole city's day (190,000 devices, about 530 million rows at the simulator's reporting intervals) cannot be
/// written to the store and read back in a test's time here; memory depends on the rows of one time slice
/// (<c>StoreExporterOptions.SliceRows</c>), not on the window or the export's size, so a day of fewer devices shows it.
/// </remarks>
[TestFixture]
[NonParallelizable]
public sealed class AnalystExportDayTests
{
    // 2025-12-01T00:00:00Z; VictoriaMetrics runs with -retentionPeriod=100y, so it keeps it.
    private const long T0 = 1_764_547_200_000;
    private const long Minute = 60_000;
    private const int Devices = 1_400;
    private const int Minutes = 1_440;
    private const int Rows = Devices * Minutes;

    [Test]
    public async Task Export_DayOfAggregates_StreamedInBatchesWithHeapFarBelowItsSize()
    {
        await using var store = new LocalVictoriaMetrics();
        await store.StartAsync();
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(2) };
        await WriteDayAsync(http, store);
        await using var feed = await StartFeedAsync(store.BaseUrl);
        var feedUrl = feed.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

        var liveBefore = GC.GetTotalMemory(forceFullCollection: true);
        using var process = Process.GetCurrentProcess();
        var workingSetBefore = process.WorkingSet64;
        long heapPeak = liveBefore, livePeak = liveBefore, workingSetPeak = workingSetBefore;
        using var done = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            for (var sample = 0; !done.IsCancellationRequested; sample++)
            {
                heapPeak = Math.Max(heapPeak, GC.GetTotalMemory(forceFullCollection: false));
                if (sample % 20 == 0)
                {
                    livePeak = Math.Max(livePeak, GC.GetTotalMemory(forceFullCollection: true));
                }

                process.Refresh();
                workingSetPeak = Math.Max(workingSetPeak, process.WorkingSet64);
                await Task.Delay(5);
            }
        });
        var watch = Stopwatch.StartNew();
        using var response = await http.GetAsync($"{feedUrl}/api/export?what=aggregates&from={T0}&to={T0 + (Minutes * Minute)}", HttpCompletionOption.ResponseHeadersRead);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var body = new CountingReadStream(await response.Content.ReadAsStreamAsync());
        using var reader = new ArrowStreamReader(body);
        long rows = 0, lastTime = 0;
        var batches = 0;
        var firstBatchAt = TimeSpan.Zero;
        while (await reader.ReadNextRecordBatchAsync() is { } batch)
        {
            using (batch)
            {
                var time = (TimestampArray)batch.Column(0);
                Assert.That(time.GetValue(0), Is.GreaterThanOrEqualTo(lastTime), "rows in time order across batches");
                lastTime = time.GetValue(batch.Length - 1)!.Value;
                firstBatchAt = batches++ == 0 ? watch.Elapsed : firstBatchAt;
                rows += batch.Length;
            }
        }

        watch.Stop();
        await done.CancelAsync();
        await sampler;
        var heapGrowth = heapPeak - liveBefore;
        var liveGrowth = livePeak - liveBefore;
        var summary = $"{rows:N0} rows in {batches} batches, {body.BytesRead / 1e6:F1} MB of Arrow in {watch.Elapsed.TotalSeconds:F1} s "
            + $"(first batch after {firstBatchAt.TotalSeconds:F1} s); managed heap grew by at most {heapGrowth / 1e6:F1} MB, "
            + $"{liveGrowth / 1e6:F1} MB after a collection; working set by at most {(workingSetPeak - workingSetBefore) / 1e6:F1} MB";
        TestContext.Out.WriteLine(summary);
        Assert.That(rows, Is.EqualTo(Rows), summary);
        Assert.That(lastTime, Is.EqualTo(T0 + ((Minutes - 1) * Minute)), summary);
        Assert.That(body.BytesRead, Is.GreaterThan(150_000_000), summary);
        Assert.That(batches, Is.GreaterThanOrEqualTo(Rows / 65_536), summary);
        Assert.That(liveGrowth, Is.LessThan(body.BytesRead / 4), "the heap holds a slice and a batch, not the export: " + summary);
    }

    private static async Task<WebApplication> StartFeedAsync(string storeUrl)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var feed = builder.Build();
        feed.MapAnalystExport(storeUrl);
        await feed.StartAsync();
        return feed;
    }

    // One aggregate point per device and minute (flow: min, max, mean, last, count), posted an hour at a time.
    private static async Task WriteDayAsync(HttpClient http, LocalVictoriaMetrics store)
    {
        var lines = new StringBuilder(Devices * 60 * 160);
        for (var hour = 0; hour < Minutes / 60; hour++)
        {
            lines.Clear();
            for (var minute = hour * 60; minute < (hour + 1) * 60; minute++)
            {
                for (var d = 0; d < Devices; d++)
                {
                    var flow = (d * 0.125) + minute;
                    lines.Append(CultureInfo.InvariantCulture,
                        $"sensing_agg_1m,device=gm-{d:D6},district=d{d % 40:D2},kind=gas-meter flow_min={flow},flow_max={flow + 1},flow_mean={flow + 0.5},flow_last={flow + 0.25},flow_count=6 {T0 + (minute * Minute)}\n");
                }
            }

            using var response = await http.PostAsync($"{store.BaseUrl}/write?precision=ms", new StringContent(lines.ToString(), Encoding.UTF8));
            response.EnsureSuccessStatusCode();
        }

        await store.FlushAsync();
    }

    /// <summary>Reads through to an inner stream, counting the bytes.</summary>
    private sealed class CountingReadStream(Stream inner) : Stream
    {
        public long BytesRead { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => BytesRead;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Count(await inner.ReadAsync(buffer, cancellationToken));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }

        private int Count(int read)
        {
            BytesRead += read;
            return read;
        }
    }
}
