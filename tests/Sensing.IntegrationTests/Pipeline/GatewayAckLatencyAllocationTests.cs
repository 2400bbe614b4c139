using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using Sensing.Gateway;
using Sensing.Storage.Telemetry;

namespace Sensing.IntegrationTests.Pipeline;

/// <summary>
/// <c>sensing.gateway.ack_latency</c> is recorded once per PUBACK/PUBREC on Kafka's delivery thread. With the
/// OpenTelemetry SDK listening as in <c>sensing gateway</c>, a record allocates nothing and every record reaches the
/// exported histogram. No server is needed; it lives here because only this project references the executable.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class GatewayAckLatencyAllocationTests
{
    private const int RecordsPerRound = 50_000;
    private const int Rounds = 8;

    [Test]
    public void Acknowledged_WhileTheSdkListens_AllocatesZeroBytesAndEveryRecordIsExported()
    {
        var exporter = new AckLatencyExporter();
        using var provider = Sdk.CreateMeterProviderBuilder()
            .AddMeter(PipelineMetrics.MeterName)
            .AddReader(new PeriodicExportingMetricReader(exporter, int.MaxValue) { TemporalityPreference = MetricReaderTemporalityPreference.Cumulative })
            .Build();
        using var limits = new DeviceLimits(GatewayOptions.Default, NullLogger<DeviceLimits>.Instance);
        using var instruments = new GatewayInstruments(new GatewayCounters(), limits);
        var received = Stopwatch.GetTimestamp();

        // A warm-up round, then rounds measured one by one: a byte per record would show in every round, while the
        // runtime may allocate a few bytes once when it swaps in optimized code.
        Record(instruments, received);
        var allocated = new long[Rounds];
        for (var r = 0; r < Rounds; r++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            Record(instruments, received);
            allocated[r] = GC.GetAllocatedBytesForCurrentThread() - before;
        }

        provider.ForceFlush();
        Assert.That(allocated, Has.All.LessThan(RecordsPerRound), "some round allocated a byte or more per record");
        Assert.That(allocated.Min(), Is.Zero, $"no round was allocation-free: {string.Join(", ", allocated)}");
        Assert.That(exporter.Count, Is.EqualTo((long)RecordsPerRound * (Rounds + 1)), "every record in the exported histogram");
        Assert.That(exporter.Sum, Is.GreaterThan(0), "latencies since the timestamp are positive");
    }

    private static void Record(GatewayInstruments instruments, long received)
    {
        for (var i = 0; i < RecordsPerRound; i++)
        {
            instruments.Acknowledged(received);
        }
    }

    /// <summary>Keeps the count and sum of the exported <c>sensing.gateway.ack_latency</c> histogram.</summary>
    private sealed class AckLatencyExporter : BaseExporter<Metric>
    {
        public long Count { get; private set; }

        public double Sum { get; private set; }

        public override ExportResult Export(in Batch<Metric> batch)
        {
            foreach (var metric in batch)
            {
                if (metric.Name != "sensing.gateway.ack_latency")
                {
                    continue;
                }

                foreach (ref readonly var point in metric.GetMetricPoints())
                {
                    Count = point.GetHistogramCount();
                    Sum = point.GetHistogramSum();
                }
            }

            return ExportResult.Success;
        }
    }
}
