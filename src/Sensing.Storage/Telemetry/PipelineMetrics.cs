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

    /// <summary><c>sensing.store.write_errors</c>: batches that failed, by <c>transient</c>.</summary>
    internal static readonly Counter<long> StoreWriteErrors = Meter.CreateCounter<long>("sensing.store.write_errors", "batches");

    /// <summary>
    /// Starts exporting the meter <c>Sensing</c>: to the store through <see cref="LineProtocolMetricExporter"/>, or,
    /// when <paramref name="otlpEndpoint"/> is set, to that OTLP/HTTP collector instead. Dispose the result to stop
    /// (it exports once more).
    /// </summary>
    public static MeterProvider Start(StoreWriterOptions store, string service, Uri? otlpEndpoint = null, TimeSpan? interval = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        var milliseconds = (int)(interval ?? ExportInterval).TotalMilliseconds;
        var builder = Sdk.CreateMeterProviderBuilder().AddMeter(MeterName);
        if (otlpEndpoint is null)
        {
            builder.AddReader(new PeriodicExportingMetricReader(new LineProtocolMetricExporter(store, service), milliseconds)
            {
                TemporalityPreference = MetricReaderTemporalityPreference.Cumulative,
            });
        }
        else
        {
            builder.AddOtlpExporter((exporter, reader) =>
            {
                exporter.Endpoint = otlpEndpoint;
                exporter.Protocol = OtlpExportProtocol.HttpProtobuf;
                reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = milliseconds;
            });
        }

        return builder.Build()!;
    }
}
