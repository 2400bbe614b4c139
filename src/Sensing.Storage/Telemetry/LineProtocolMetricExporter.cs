using System.Buffers;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace Sensing.Storage.Telemetry;

/// <summary>
/// An OpenTelemetry metric exporter that writes every metric point as Influx line protocol to the time-series store
/// through a <see cref="StoreWriter"/>. The instrument <c>sensing.gateway.readings</c> becomes the measurement
/// <c>sensing_gateway_readings</c>; every point carries the tags <c>instance</c> and <c>service</c> plus the point's
/// own attributes. Fields: counters <c>total</c> (cumulative), gauges and up-down counters <c>value</c>, histograms
/// <c>count</c>, <c>sum</c>, <c>p50</c>, <c>p99</c> (estimated from the bucket bounds).
/// </summary>
/// <remarks>
/// Export runs on the periodic reader's thread and waits for the store. While the store is down an export fails and
/// the writer keeps its lines (bounded by <see cref="StoreWriterOptions.MaxBufferedBytes"/>) for the next export.
/// </remarks>
public sealed class LineProtocolMetricExporter : BaseExporter<Metric>
{
    private readonly StoreWriter _writer;
    private readonly string _service;
    private readonly string _instance;
    private readonly ArrayBufferWriter<byte> _lines = new(16 * 1024);
    private readonly LineProtocolWriter _line;
    private readonly List<KeyValuePair<string, object?>> _tags = new(8);

    /// <summary>Creates an exporter for <paramref name="service"/> (<c>gateway</c>, <c>processor</c>, <c>feed</c>).</summary>
    public LineProtocolMetricExporter(StoreWriterOptions store, string service, string? instance = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentException.ThrowIfNullOrWhiteSpace(service);
        _writer = new StoreWriter(store);
        _service = service;
        _instance = instance ?? $"{Environment.MachineName}-{Environment.ProcessId}";
        _line = new LineProtocolWriter(_lines);
    }

    /// <summary>The writer's counters (points the store accepted, retries, outages).</summary>
    public StoreWriterCounters Counters => _writer.Counters;

    /// <inheritdoc />
    public override ExportResult Export(in Batch<Metric> batch)
    {
        _lines.ResetWrittenCount();
        foreach (var metric in batch)
        {
            var measurement = metric.Name.Replace('.', '_');
            foreach (ref readonly var point in metric.GetMetricPoints())
            {
                WritePoint(metric.MetricType, measurement, in point);
            }
        }

        try
        {
            if (_lines.WrittenCount > 0 && !_writer.TryAppend(_lines.WrittenSpan))
            {
                return ExportResult.Failure; // the writer is full of lines the store has not taken yet
            }

            _writer.FlushAsync().GetAwaiter().GetResult();
            return ExportResult.Success;
        }
        catch (StoreWriteException)
        {
            return ExportResult.Failure;
        }
    }

    /// <inheritdoc />
    protected override bool OnShutdown(int timeoutMilliseconds)
    {
        try
        {
            _writer.FlushAsync().Wait(timeoutMilliseconds);
        }
        catch (AggregateException)
        {
            // The store is unavailable at shutdown: what is left is dropped with the writer.
        }

        return true;
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _writer.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        base.Dispose(disposing);
    }

    private void WritePoint(MetricType type, string measurement, in MetricPoint point)
    {
        _tags.Clear();
        _tags.Add(new("instance", _instance));
        _tags.Add(new("service", _service));
        foreach (var tag in point.Tags)
        {
            _tags.Add(tag);
        }

        // Tag keys in lexical order (the line-protocol recommendation).
        _tags.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        _line.Measurement(System.Text.Encoding.UTF8.GetBytes(measurement));
        foreach (var tag in _tags)
        {
            _line.Tag(System.Text.Encoding.UTF8.GetBytes(tag.Key), Convert.ToString(tag.Value, System.Globalization.CultureInfo.InvariantCulture));
        }

        switch (type)
        {
            case MetricType.LongSum:
                _line.Field("total"u8, point.GetSumLong());
                break;
            case MetricType.DoubleSum:
                _line.Field("total"u8, point.GetSumDouble());
                break;
            case MetricType.LongSumNonMonotonic:
                _line.Field("value"u8, point.GetSumLong());
                break;
            case MetricType.DoubleSumNonMonotonic:
                _line.Field("value"u8, point.GetSumDouble());
                break;
            case MetricType.LongGauge:
                _line.Field("value"u8, point.GetGaugeLastValueLong());
                break;
            case MetricType.DoubleGauge:
                _line.Field("value"u8, point.GetGaugeLastValueDouble());
                break;
            case MetricType.Histogram:
                var count = point.GetHistogramCount();
                _line.Field("count"u8, count)
                    .Field("sum"u8, point.GetHistogramSum())
                    .Field("p50"u8, HistogramQuantile.Estimate(point.GetHistogramBuckets(), count, 0.5))
                    .Field("p99"u8, HistogramQuantile.Estimate(point.GetHistogramBuckets(), count, 0.99));
                break;
            default:
                _line.Abandon(); // exponential histograms are not configured anywhere in the project
                return;
        }

        _line.EndLine(point.EndTime.ToUnixTimeMilliseconds());
    }
}
