using System.Buffers;
using Sensing.Core.Alerts;
using Sensing.Core.Devices;
using Sensing.Core.Telemetry;
using Sensing.Storage;

namespace Sensing.Processor;

/// <summary>
/// What the processor writes to the time-series store, as Influx line protocol:
/// <list type="bullet">
/// <item><c>sensing_reading,device=..,district=..,kind=.. lel=..,battery=.. &lt;event ms&gt;</c>: raw readings
/// (VictoriaMetrics names them <c>sensing_reading_lel</c> and so on).</item>
/// <item><c>sensing_alert,alert_id=..,condition=..,district=..,event=raised|updated|cleared,severity=..,source=..
/// value=..,peak=..,count=..i &lt;event ms&gt;</c>: every alert lifecycle event.</item>
/// </list>
/// Lines of a batch are kept until <see cref="FlushAsync"/> returns, which is when the store accepted them.
/// </summary>
public sealed class ProcessorStore : IAsyncDisposable
{
    private static readonly TimeSpan OutageRetryDelay = TimeSpan.FromSeconds(1);
    private readonly StoreWriter _writer;
    private readonly ArrayBufferWriter<byte> _lines = new(64 * 1024);
    private readonly LineProtocolWriter _line;

    private ProcessorStore(StoreWriter writer)
    {
        _writer = writer;
        _line = new LineProtocolWriter(_lines);
    }

    /// <summary>A store writer for VictoriaMetrics at <paramref name="url"/>.</summary>
    public static ProcessorStore Create(string url) => new(new StoreWriter(StoreWriterOptions.Default with { Url = url }));

    /// <summary>A store writer with explicit options (InfluxDB 1.x/2.x, batching, retries).</summary>
    public static ProcessorStore Create(StoreWriterOptions options) => new(new StoreWriter(options));

    /// <summary>Encodes one raw reading.</summary>
    public void AppendReading(DeviceInfo device, TelemetryFrame reading)
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

    /// <summary>Encodes one alert lifecycle event.</summary>
    public void AppendAlert(AlertEvent alert)
    {
        // Tag keys in lexical order, as the line-protocol reference recommends for write performance.
        _line.Measurement("sensing_alert"u8)
            .Tag("alert_id"u8, alert.Id)
            .Tag("condition"u8, alert.Condition)
            .Tag("district"u8, alert.District)
            .Tag("event"u8, EventName(alert.Type))
            .Tag("severity"u8, alert.Severity.ToString())
            .Tag("source"u8, alert.Source)
            .Field("value"u8, alert.Value)
            .Field("peak"u8, alert.PeakValue)
            .Field("count"u8, (long)alert.Count)
            .EndLine(alert.EventTimeMs);
    }

    /// <summary>
    /// Hands the batch's lines to the store and waits until it accepted them. While the store is down this keeps
    /// retrying (the caller holds its Kafka offsets meanwhile), counting each wait in <paramref name="counters"/>.
    /// A rejection (4xx) is a defect in what we wrote and is thrown, not retried.
    /// </summary>
    public async Task FlushAsync(ProcessorCounters counters, CancellationToken cancellationToken)
    {
        if (_lines.WrittenCount > 0 && !_writer.TryAppend(_lines.WrittenSpan))
        {
            await FlushWriterAsync(counters, cancellationToken);
            if (!_writer.TryAppend(_lines.WrittenSpan))
            {
                throw new InvalidOperationException($"a batch of {_lines.WrittenCount} bytes of lines exceeds the store writer's buffer");
            }
        }

        _lines.Clear();
        await FlushWriterAsync(counters, cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _writer.DisposeAsync();

    private async Task FlushWriterAsync(ProcessorCounters counters, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                await _writer.FlushAsync(cancellationToken);
                return;
            }
            catch (StoreWriteException e) when (e.StatusCode is null or >= 500 && !cancellationToken.IsCancellationRequested)
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
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "not an alert event type"),
    };
}
