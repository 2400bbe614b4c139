using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using Sensing.LocalServers;
using Sensing.Storage;
using Sensing.Storage.Export;

namespace Sensing.Benchmarks.Storage;

/// <summary>
/// The analyst export end to end against a real VictoriaMetrics (the Debian package, on a free port in a temp
/// folder): one-minute aggregates of 5,000 gas meters with two metrics (flow, battery) for 20 minutes, 200,000 rows
/// of 5 statistics each, read back with <c>/api/v1/export</c>, joined and written as an Arrow IPC stream to a stream
/// that counts the bytes. The reported time is per row, so rows/s = 1e9 / Mean (ns); allocated is per row.
/// The setup runs one export beside a sampler and prints the Arrow bytes per row and the most managed heap and
/// working set it grew by. VictoriaMetrics runs on the same 2 cores, so this is exporter and store together. The job
/// comes from the command line (bench/README.md), so before and after run the same one.
/// </summary>
[MemoryDiagnoser]
public class AnalystExportBenchmarks
{
    private const int Devices = 5_000;
    private const int Minutes = 20;
    private const int Rows = Devices * Minutes * 2;

    // 2025-12-01T10:00:00Z, a whole minute (the store keeps it: LocalVictoriaMetrics retains 100 years).
    private const long T0 = 1_764_583_200_000;

    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromMinutes(5) };
    private LocalVictoriaMetrics _store = null!;
    private StoreExporter _exporter = null!;
    private ExportQuery _query = null!;

    [GlobalSetup]
    public void Setup()
    {
        _store = new LocalVictoriaMetrics();
        _store.StartAsync().GetAwaiter().GetResult();
        WriteAggregatesAsync().GetAwaiter().GetResult();
        _exporter = new StoreExporter(_http, StoreExporterOptions.Default with { StoreUrl = _store.BaseUrl });
        _query = new ExportQuery(ExportKind.Aggregates, T0, T0 + (Minutes * 60_000L));
        MeasureOnce();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _http.Dispose();
        _store.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [Benchmark(OperationsPerInvoke = Rows)]
    public long ExportAggregates()
    {
        var output = new CountingStream();
        ExportAsync(output).GetAwaiter().GetResult();
        return output.Length;
    }

    private async Task ExportAsync(Stream output)
    {
        var export = await _exporter.StartAsync(_query).ConfigureAwait(false);
        await export.WriteAsync(output).ConfigureAwait(false);
    }

    // One export beside a 5 ms sampler of the managed heap and the working set; prints the growth over the start.
    private void MeasureOnce()
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        var process = Process.GetCurrentProcess();
        var heapBefore = GC.GetTotalMemory(forceFullCollection: true);
        process.Refresh();
        var workingSetBefore = process.WorkingSet64;
        long heapPeak = heapBefore, workingSetPeak = workingSetBefore;
        using var done = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!done.IsCancellationRequested)
            {
                heapPeak = Math.Max(heapPeak, GC.GetTotalMemory(forceFullCollection: false));
                process.Refresh();
                workingSetPeak = Math.Max(workingSetPeak, process.WorkingSet64);
                await Task.Delay(5).ConfigureAwait(false);
            }
        });
        var output = new CountingStream();
        var watch = Stopwatch.StartNew();
        ExportAsync(output).GetAwaiter().GetResult();
        watch.Stop();
        done.Cancel();
        sampler.GetAwaiter().GetResult();
        Console.WriteLine(
            $"// export: {Rows:N0} rows, {output.Length:N0} Arrow bytes ({output.Length / (double)Rows:F1} B/row), "
            + $"{Rows / watch.Elapsed.TotalSeconds:N0} rows/s, managed heap grew by at most {(heapPeak - heapBefore) / 1e6:F1} MB, "
            + $"working set by at most {(workingSetPeak - workingSetBefore) / 1e6:F1} MB");
    }

    private async Task WriteAggregatesAsync()
    {
        await using (var writer = new StoreWriter(StoreWriterOptions.Default with { Url = _store.BaseUrl }))
        {
            var devices = Enumerable.Range(0, Devices).Select(i => (Id: $"gm-{i:D6}", District: $"d{i % 40:D2}")).ToArray();
            for (var minute = 0; minute < Minutes; minute++)
            {
                for (var d = 0; d < Devices; d++)
                {
                    var point = (devices[d].Id, devices[d].District, Time: T0 + (minute * 60_000L), Flow: (0.125 * d) + minute);
                    while (!writer.TryAppend(point, static (w, p) =>
                        w.Measurement("sensing_agg_1m"u8).Tag("device"u8, p.Id).Tag("district"u8, p.District).Tag("kind"u8, "gas-meter"u8)
                            .Field("flow_min"u8, p.Flow).Field("flow_max"u8, p.Flow + 1).Field("flow_mean"u8, p.Flow + 0.5)
                            .Field("flow_last"u8, p.Flow + 0.25).Field("flow_count"u8, 6)
                            .Field("battery_min"u8, 3.5).Field("battery_max"u8, 3.6).Field("battery_mean"u8, 3.55)
                            .Field("battery_last"u8, 3.6).Field("battery_count"u8, 6)
                            .EndLine(p.Time)))
                    {
                        await writer.FlushAsync().ConfigureAwait(false);
                    }
                }
            }

            await writer.FlushAsync().ConfigureAwait(false);
        }

        await _store.FlushAsync().ConfigureAwait(false);
    }

    /// <summary>A write-only stream that keeps only the count of bytes written.</summary>
    private sealed class CountingStream : Stream
    {
        private long _length;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => _length;

        public override long Position
        {
            get => _length;
            set => throw new NotSupportedException();
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => _length += count;

        public override void Write(ReadOnlySpan<byte> buffer) => _length += buffer.Length;

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            _length += buffer.Length;
            return ValueTask.CompletedTask;
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            _length += count;
            return Task.CompletedTask;
        }
    }
}
