using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Sensing.LocalServers;
using Sensing.Storage;

namespace Sensing.Benchmarks.Storage;

/// <summary>
/// Store write throughput against a real VictoriaMetrics (the Debian package, started on a free port in a temp
/// folder): 100,000 points of 1,000 series encoded with <see cref="StoreWriter"/> (gzip, 5,000-line batches) and
/// flushed until the store accepted them all. The reported time is per point, so points/s = 1e9 / Mean (ns).
/// VictoriaMetrics runs on the same 2 cores, so this is the throughput of writer and store together.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 2, iterationCount: 10)]
public class StoreWriteThroughputBenchmarks
{
    private const int Points = 100_000;
    private const int Series = 1_000;

    private LocalVictoriaMetrics _store = null!;
    private StoreWriter _writer = null!;
    private string[] _devices = [];
    private long _time = 1_764_583_200_000;

    [GlobalSetup]
    public void Setup()
    {
        _store = new LocalVictoriaMetrics();
        _store.StartAsync().GetAwaiter().GetResult();
        _writer = new StoreWriter(StoreWriterOptions.Default with { Url = _store.BaseUrl });
        _devices = [.. Enumerable.Range(0, Series).Select(i => $"gm-{i:D6}")];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _writer.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _store.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [Benchmark(OperationsPerInvoke = Points)]
    public long WriteAndFlush()
    {
        for (var i = 0; i < Points; i++)
        {
            var point = (Device: _devices[i % Series], Time: _time++, Value: i * 0.001);
            while (!_writer.TryAppend(point, static (w, p) =>
                w.Measurement("bench_reading"u8).Tag("device"u8, p.Device).Tag("district"u8, "d01"u8).Tag("kind"u8, "gas-meter"u8)
                    .Field("flow"u8, p.Value).Field("battery"u8, 3.6).EndLine(p.Time)))
            {
                // The writer's buffer is full: wait for the store, as the processor does.
                _writer.FlushAsync().GetAwaiter().GetResult();
            }
        }

        _writer.FlushAsync().GetAwaiter().GetResult();
        return _writer.Counters.PointsWritten;
    }
}
