using System.Buffers;
using Sensing.Core.Alerts;
using Sensing.Core.Devices;
using Sensing.Core.Telemetry;
using Sensing.Storage;
using Sensing.Storage.Aggregation;

namespace Sensing.Processor;

/// <summary>
/// What the processor writes to the time-series store, as Influx line protocol (names and tags in docs/store.md):
/// <list type="bullet">
/// <item><c>sensing_agg_1m</c>: per-device one-minute aggregates (<see cref="MinuteAggregator"/>).</item>
/// <item><c>sensing_reading</c>: raw readings, all or only slow sensors (<see cref="ProcessorStoreOptions.RawSamples"/>).</item>
/// <item><c>sensing_alert</c>: every alert lifecycle event.</item>
/// <item><c>sensing_alerts_active</c>: active alerts by condition, district and severity (<see cref="ActiveAlertCounts"/>).</item>
/// <item><c>sensing_rules</c>: the rules file loaded at start and every change of it applied or rejected (<see cref="AppendRules"/>).</item>
/// </list>
/// Lines are encoded on the processor's consume thread and sealed per batch (<see cref="Seal"/>); a sealed batch is
/// kept until <see cref="WriteAsync"/> returns, which is when the store accepted it. Memory is bounded by the
/// processor's batches in flight plus the store writer's <see cref="StoreWriterOptions.MaxBufferedBytes"/>.
/// </summary>
public sealed class ProcessorStore : IAsyncDisposable
{
    private static readonly TimeSpan OutageRetryDelay = TimeSpan.FromSeconds(1);

    // Which processor wrote a sensing_rules point, as the pipeline metrics name it (host and process id).
    private static readonly string Instance = $"{Environment.MachineName}-{Environment.ProcessId}";
    private readonly ProcessorStoreOptions _options;
    private readonly StoreWriter _writer;
    private readonly ArrayBufferWriter<byte> _lines = new(64 * 1024);
    private readonly LineProtocolWriter _line;
    private readonly MinuteAggregator _aggregates;
    private readonly ActiveAlertCounts _activeAlerts = new();
    private long _latestEventMs = long.MinValue;
    private long _nextActiveAlertsMs;

    private ProcessorStore(ProcessorStoreOptions options)
    {
        _options = options.Validate();
        _writer = new StoreWriter(options.Writer);
        _line = new LineProtocolWriter(_lines);
        _aggregates = new MinuteAggregator(options.Aggregates);
    }

    /// <summary>A store writer for VictoriaMetrics at <paramref name="url"/>.</summary>
    public static ProcessorStore Create(string url) =>
        new(ProcessorStoreOptions.Default with { Writer = StoreWriterOptions.Default with { Url = url } });

    /// <summary>A store writer with explicit writer options (InfluxDB 1.x/2.x, batching, retries).</summary>
    public static ProcessorStore Create(StoreWriterOptions options) => new(ProcessorStoreOptions.Default with { Writer = options });

    /// <summary>A store writer with explicit options.</summary>
    public static ProcessorStore Create(ProcessorStoreOptions options) => new(options);

    /// <summary>The per-device aggregates (counters for progress and tests).</summary>
    public MinuteAggregator Aggregates => _aggregates;

    /// <summary>The store writer's counters.</summary>
    public StoreWriterCounters WriterCounters => _writer.Counters;

    /// <summary>
    /// Adds one reading of device <paramref name="number"/> to its minute's aggregate and, if
    /// <paramref name="raw"/> and the <see cref="ProcessorStoreOptions.RawSamples"/> policy allow, encodes it as a raw
    /// sample. Allocates nothing.
    /// </summary>
    public void AppendReading(int number, DeviceInfo device, TelemetryFrame reading, bool raw = true)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (!reading.IsConnectionEvent)
        {
            // A connection event carries the gateway's clock, not a measurement: in a device's minute or the
            // watermark it would make a backlog the device uploads after reconnecting late.
            _latestEventMs = Math.Max(_latestEventMs, reading.EventTimeMs);
            _aggregates.Add(number, device, reading, _line);
        }

        if (raw && (_options.RawSamples == RawSamples.All
            || (_options.RawSamples == RawSamples.SlowSensors && device.ReportIntervalSeconds >= _options.SlowSensorSeconds)))
        {
            AppendRaw(device, reading);
        }
    }

    /// <summary>Encodes one alert lifecycle event and counts it towards <c>sensing_alerts_active</c>.</summary>
    public void AppendAlert(AlertEvent alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        _activeAlerts.Apply(alert);
        // Tag keys in lexical order, as the line-protocol reference recommends for write performance.
        _line.Measurement("sensing_alert"u8)
            .Tag("alert_id"u8, alert.Id)
            .Tag("condition"u8, alert.Condition)
            .Tag("district"u8, alert.District)
            .Tag("event"u8, EventName(alert.Type))
            .Tag("kind"u8, alert.DeviceKind)
            .Tag("severity"u8, ActiveAlertCounts.SeverityName(alert.Severity))
            .Tag("source"u8, alert.Source)
            .Field("value"u8, alert.Value)
            .Field("peak"u8, alert.PeakValue)
            .Field("count"u8, (long)alert.Count)
            .EndLine(alert.EventTimeMs);
    }

    /// <summary>
    /// Encodes one <c>sensing_rules</c> point: the rules file <paramref name="file"/> with SHA-256
    /// <paramref name="sha256"/> was <paramref name="event"/> (<c>loaded</c> at start, <c>applied</c> or
    /// <c>rejected</c> when it changed), setting <paramref name="keys"/> keys, <paramref name="changed"/> of them
    /// differently from the rules in force before. Stamped with the wall clock <paramref name="timeMs"/>.
    /// </summary>
    public void AppendRules(string @event, string file, string sha256, int keys, int changed, long timeMs)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(sha256);

        // Line protocol allows no backslash in a tag value; a Windows path reads the same with slashes.
        _line.Measurement("sensing_rules"u8)
            .Tag("event"u8, @event)
            .Tag("file"u8, file.Replace('\\', '/'))
            .Tag("instance"u8, Instance)
            .Tag("sha256"u8, sha256)
            .Field("changed"u8, (long)changed)
            .Field("keys"u8, (long)keys)
            .EndLine(timeMs);
    }

    /// <summary>
    /// Closes the minutes the watermark passed, writes <c>sensing_alerts_active</c> when due, hands the batch's lines
    /// to the store and waits until it accepted them. While the store is down this keeps retrying (the caller holds
    /// its Kafka offsets meanwhile), counting each wait in <paramref name="counters"/>.
    /// A rejection (4xx) is a defect in what we wrote and is thrown, not retried.
    /// </summary>
    public async Task FlushAsync(ProcessorCounters counters, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(counters);
        await WriteAsync(Seal(), counters, cancellationToken);
    }

    /// <summary>
    /// Closes the minutes the watermark passed, writes <c>sensing_alerts_active</c> when due, and takes every line
    /// encoded so far out of the store's buffer. Runs on the thread that appends; the lines go to
    /// <see cref="WriteAsync"/>, which may run on another thread.
    /// </summary>
    /// <param name="watermarkMs">Event time up to which readings are in (the processor's watermark over its
    /// partitions); null: the latest event time appended.</param>
    internal EncodedLines Seal(long? watermarkMs = null)
    {
        var nowMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var upTo = watermarkMs ?? _latestEventMs;
        if (upTo != long.MinValue)
        {
            _aggregates.CloseUpTo(Math.Min(upTo, nowMs) - (long)_options.AggregateGrace.TotalMilliseconds, _line);
        }

        if (_options.ActiveAlerts && nowMs >= _nextActiveAlertsMs)
        {
            _activeAlerts.Write(nowMs, _line);
            _nextActiveAlertsMs = nowMs + (long)_options.ActiveAlertsInterval.TotalMilliseconds;
        }

        var lines = EncodedLines.CopyOf(_lines.WrittenSpan);
        _lines.ResetWrittenCount();
        return lines;
    }

    /// <summary>
    /// Hands sealed <paramref name="lines"/> to the store and waits until it accepted them and every line before
    /// them, then returns their buffer. While the store is down this keeps retrying, counting each wait in
    /// <paramref name="counters"/>. One writer at a time: calls must not overlap.
    /// </summary>
    internal async Task WriteAsync(EncodedLines lines, ProcessorCounters counters, CancellationToken cancellationToken)
    {
        try
        {
            // One batch can hold more than the writer's whole buffer (a minute of a city's aggregates is tens of MB):
            // it goes in pieces of whole lines of at most one request each, waiting for room when the writer is full.
            for (var offset = 0; offset < lines.Length;)
            {
                var piece = WholeLinesUpTo(lines.Span[offset..], _options.Writer.BatchMaxBytes);
                if (!_writer.TryAppend(lines.Span.Slice(offset, piece)))
                {
                    await FlushWriterAsync(counters, cancellationToken);
                    if (!_writer.TryAppend(lines.Span.Slice(offset, piece)))
                    {
                        throw new InvalidOperationException($"a line of {piece} bytes exceeds the store writer's buffer");
                    }
                }

                offset += piece;
            }

            await FlushWriterAsync(counters, cancellationToken);
        }
        finally
        {
            lines.Return();
        }
    }

    /// <summary>
    /// The length of the longest run of whole lines at the start of <paramref name="lines"/> that is at most
    /// <paramref name="maxBytes"/> long; a single line longer than that is taken whole.
    /// </summary>
    private static int WholeLinesUpTo(ReadOnlySpan<byte> lines, int maxBytes)
    {
        if (lines.Length <= maxBytes)
        {
            return lines.Length;
        }

        var lastEnd = lines[..maxBytes].LastIndexOf((byte)'\n');
        return lastEnd >= 0 ? lastEnd + 1 : lines.IndexOf((byte)'\n') + 1;
    }

    /// <summary>Writes the minutes still open (their readings are committed), then sends what is left and releases the writer.</summary>
    /// <remarks>The open minutes of a whole city are larger than the writer's buffer: they are written in pieces, as
    /// every batch is, for at most <see cref="StoreWriterOptions.DisposeTimeout"/> while the store is away.</remarks>
    public async ValueTask DisposeAsync()
    {
        _aggregates.CloseAll(_line);
        var open = EncodedLines.CopyOf(_lines.WrittenSpan);
        _lines.ResetWrittenCount();
        using (var timeout = new CancellationTokenSource(_options.Writer.DisposeTimeout))
        {
            try
            {
                await WriteAsync(open, new ProcessorCounters(), timeout.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or StoreWriteException)
            {
                // The store is away or refused the lines; the writer's counters hold what was not stored.
            }
        }

        await _writer.DisposeAsync();
    }

    private void AppendRaw(DeviceInfo device, TelemetryFrame reading)
    {
        _line.Measurement("sensing_reading"u8)
            .Tag("device"u8, reading.DeviceId)
            .Tag("district"u8, device.District)
            .Tag("kind"u8, device.Kind.Name());
        for (var i = 0; i < reading.MetricCount; i++)
        {
            var metric = reading.GetMetric(i);
            _line.Field(MetricFieldNames.Get(metric.Metric), metric.Value);
        }

        _line.EndLine(reading.EventTimeMs);
    }

    private async Task FlushWriterAsync(ProcessorCounters counters, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                await _writer.FlushAsync(cancellationToken);
                return;
            }
            catch (StoreWriteException e) when (e.IsTransient && !cancellationToken.IsCancellationRequested)
            {
                counters.AddStoreRetry();
                await Task.Delay(OutageRetryDelay, cancellationToken);
            }
        }
    }

    private static ReadOnlySpan<byte> EventName(AlertEventType type) => type switch
    {
        AlertEventType.Raised => "raised"u8,
        AlertEventType.Updated => "updated"u8,
        AlertEventType.Cleared => "cleared"u8,
        AlertEventType.Acknowledged => "acknowledged"u8,
        AlertEventType.Shelved => "shelved"u8,
        AlertEventType.Unshelved => "unshelved"u8,
        AlertEventType.Repaired => "repaired"u8,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "not an alert event type"),
    };
}
