using System.Diagnostics.Metrics;
using Sensing.Core.Alerts;
using Sensing.Core.Devices;
using Sensing.Storage.Telemetry;

namespace Sensing.Processor;

/// <summary>
/// The processor's instruments in the meter <c>Sensing</c> (service <c>processor</c>). Readings by kind are observed
/// from <see cref="ProcessorCounters"/> at export time, so the per-reading path records nothing more; alert events
/// and their latency are recorded once per event Kafka acknowledged.
/// </summary>
/// <remarks>
/// Not recorded (docs/store.md): <c>sensing.processor.lag</c> (<c>RecordConsumer</c> exposes neither the
/// high watermarks nor its positions) and <c>sensing.processor.devices_online</c>.
/// </remarks>
public sealed class ProcessorInstruments : IDisposable
{
    private static readonly DeviceKind[] Kinds = DeviceKinds.All.ToArray();

    private readonly Meter _meter = PipelineMetrics.CreateMeter("processor");
    private readonly ProcessorCounters _counters;
    private readonly Measurement<long>[] _readings;
    private readonly KeyValuePair<string, object?>[][] _kindTags;
    private readonly Counter<long> _alertEvents;
    private readonly Histogram<double> _alertLatency;
    private readonly TimeProvider _clock;

    /// <summary>Publishes the processor's instruments over <paramref name="counters"/>.</summary>
    public ProcessorInstruments(ProcessorCounters counters, TimeProvider? clock = null)
    {
        _counters = counters;
        _clock = clock ?? TimeProvider.System;
        _readings = new Measurement<long>[Kinds.Length];
        _kindTags = Kinds.Select(k => new KeyValuePair<string, object?>[] { new("kind", k.Name()) }).ToArray();
        _meter.CreateObservableCounter("sensing.processor.readings", ReadingsByKind, "readings",
            "Readings that went through detection, by device kind");
        _alertEvents = _meter.CreateCounter<long>("sensing.processor.alert_events", "events",
            "Alert lifecycle events Kafka acknowledged, by condition and event");
        _alertLatency = _meter.CreateHistogram<double>("sensing.processor.alert_latency", "ms",
            "From the event time of the reading behind an alert event to Kafka's acknowledgement of the event");
    }

    /// <summary>Records one alert event Kafka acknowledged just now.</summary>
    public void AlertPublished(AlertEvent alert)
    {
        var condition = new KeyValuePair<string, object?>("condition", alert.Condition);
        _alertEvents.Add(1, condition, new KeyValuePair<string, object?>("event", EventName(alert.Type)));
        _alertLatency.Record(Math.Max(0, _clock.GetUtcNow().ToUnixTimeMilliseconds() - alert.EventTimeMs), condition);
    }

    /// <inheritdoc />
    public void Dispose() => _meter.Dispose();

    private static string EventName(AlertEventType type) => type switch
    {
        AlertEventType.Raised => "raised",
        AlertEventType.Updated => "updated",
        AlertEventType.Cleared => "cleared",
        AlertEventType.Acknowledged => "acknowledged",
        AlertEventType.Shelved => "shelved",
        AlertEventType.Unshelved => "unshelved",
        _ => "unknown",
    };

    private Measurement<long>[] ReadingsByKind()
    {
        for (var i = 0; i < Kinds.Length; i++)
        {
            _readings[i] = new Measurement<long>(_counters.ProcessedOf(Kinds[i]), _kindTags[i]);
        }

        return _readings;
    }
}
