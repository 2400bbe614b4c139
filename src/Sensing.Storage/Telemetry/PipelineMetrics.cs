using System.Diagnostics.Metrics;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;

namespace Sensing.Storage.Telemetry;

/// <summary>
/// The pipeline's own metrics: the meter <c>Sensing</c> every part records with, and the OpenTelemetry export of it
/// to the store as line protocol every <see cref="ExportInterval"/> (or to an OTLP collector, as an option).
/// </summary>
public static class PipelineMetrics
{
    /// <summary>The meter name every part records under.</summary>
    public const string MeterName = "Sensing";

    /// <summary>How often metrics are exported.</summary>
    public static readonly TimeSpan ExportInterval = TimeSpan.FromSeconds(10);

    /// <summary>The store writer's instruments.</summary>
    internal static readonly Meter Meter = new(MeterName);

    /// <summary><c>sensing.store.points</c>: points the store accepted.</summary>
    internal static readonly Counter<long> StorePoints = Meter.CreateCounter<long>("sensing.store.points", "points");

    private const string ServiceTag = "service";

    private static readonly KeyValuePair<string, object?>[] TransientTag = [new("transient", "true")];
    private static readonly KeyValuePair<string, object?>[] RejectedTag = [new("transient", "false")];

    // Batches that failed in this process since it started, read by sensing.store.write_errors at export.
    private static long _transientWriteErrors;
    private static long _rejectedWrites;

    /// <summary>
    /// <c>sensing.store.write_errors</c>: batches that failed, by <c>transient</c> (<c>true</c>: kept for the next
    /// flush; <c>false</c>: rejected and dropped). Observed, so both series are exported from the start at 0 and a
    /// panel of write errors has a line before the first error.
    /// </summary>
    internal static readonly ObservableCounter<long> StoreWriteErrors = Meter.CreateObservableCounter(
        "sensing.store.write_errors", () => (Measurement<long>[])
        [
            new(Interlocked.Read(ref _transientWriteErrors), TransientTag),
            new(Interlocked.Read(ref _rejectedWrites), RejectedTag),
        ], "batches", "Batches the store did not take, by whether they are kept for the next flush");

    // For the services' millisecond histograms: latencies from a device's event time span milliseconds (a live alert) to minutes (a device that buffered while
    // offline); the SDK's default bounds stop at 10 s.
    private static readonly ExplicitBucketHistogramConfiguration LatencyBuckets = new()
    {
        Boundaries = [5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000, 60_000, 300_000],
    };

    /// <summary>Counts one batch in <c>sensing.store.write_errors</c>.</summary>
    internal static void StoreWriteFailed(bool transient)
    {
        if (transient)
        {
            Interlocked.Increment(ref _transientWriteErrors);
        }
        else
        {
            Interlocked.Increment(ref _rejectedWrites);
        }
    }

    /// <summary>
    /// A meter named <c>Sensing</c> that belongs to <paramref name="service"/>: its instruments are exported only by
    /// the export started for that service, so parts sharing a process keep their own <c>service</c> tag.
    /// </summary>
    public static Meter CreateMeter(string service)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(service);
        return new Meter(new MeterOptions(MeterName) { Tags = [new(ServiceTag, service)] });
    }

    /// <summary>
    /// Starts exporting the meter <c>Sensing</c>: to the store through <see cref="LineProtocolMetricExporter"/>, or,
    /// when <paramref name="otlpEndpoint"/> is set, to that OTLP/HTTP collector instead. Dispose the result to stop
    /// (it exports once more).
    /// </summary>
    public static MeterProvider Start(StoreWriterOptions store, string service, Uri? otlpEndpoint = null, TimeSpan? interval = null) =>
        Start(new PipelineMetricsOptions { Store = store, Service = service, Otlp = otlpEndpoint, Interval = interval ?? ExportInterval });

    /// <summary>
    /// Starts exporting the instruments of the meters <c>Sensing</c> that belong to <see cref="PipelineMetricsOptions.Service"/>
    /// (see <see cref="CreateMeter"/>), and those that belong to no service when
    /// <see cref="PipelineMetricsOptions.SharedInstruments"/> is set. Dispose the result to stop (it exports once more).
    /// </summary>
    public static MeterProvider Start(PipelineMetricsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var milliseconds = (int)options.Interval.TotalMilliseconds;
        var builder = Sdk.CreateMeterProviderBuilder()
            .AddMeter(MeterName)
            .AddView(instrument => Stream(instrument, options));
        if (options.Otlp is null)
        {
            builder.AddReader(new PeriodicExportingMetricReader(new LineProtocolMetricExporter(options.Store, options.Service), milliseconds)
            {
                TemporalityPreference = MetricReaderTemporalityPreference.Cumulative,
            });
        }
        else
        {
            builder.AddOtlpExporter((exporter, reader) =>
            {
                exporter.Endpoint = options.Otlp;
                exporter.Protocol = OtlpExportProtocol.HttpProtobuf;
                reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = milliseconds;
            });
        }

        return builder.Build()!;
    }

    private static MetricStreamConfiguration? Stream(Instrument instrument, PipelineMetricsOptions options)
    {
        string? owner = null;
        foreach (var tag in instrument.Meter.Tags ?? [])
        {
            if (tag.Key == ServiceTag)
            {
                owner = tag.Value as string;
            }
        }

        if (owner is null ? !options.SharedInstruments : owner != options.Service)
        {
            return MetricStreamConfiguration.Drop;
        }

        return owner is not null && instrument.Unit == "ms" && instrument is Histogram<double> ? LatencyBuckets : null;
    }
}
