using System.Diagnostics.Metrics;
using System.Globalization;
using Sensing.Core.Alerts;
using Sensing.Core.Devices;
using Sensing.Storage.Aggregation;
using Sensing.Storage.Telemetry;

namespace Sensing.Processor;

/// <summary>
/// The processor's instruments in the meter <c>Sensing</c> (service <c>processor</c>). Readings by kind, dead letters
/// by reason and the consumer lag per partition are observed from <see cref="ProcessorCounters"/> at export time, so
/// the per-reading path records nothing more; alert events and their latency are recorded once per event Kafka
/// acknowledged.
/// </summary>
public sealed class ProcessorInstruments : IDisposable
{
    private static readonly DeviceKind[] Kinds = DeviceKinds.All.ToArray();
    private static readonly ProcessorDeadLetterReason[] Reasons = Enum.GetValues<ProcessorDeadLetterReason>();

    private readonly Meter _meter = PipelineMetrics.CreateMeter("processor");
    private readonly ProcessorCounters _counters;
    private readonly Measurement<long>[] _readings;
    private readonly KeyValuePair<string, object?>[][] _kindTags;
    private readonly Measurement<long>[] _deadLetters;
    private readonly KeyValuePair<string, object?>[][] _reasonTags;
    private readonly Counter<long> _alertEvents;
    private readonly Histogram<double> _alertLatency;
    private readonly TimeProvider _clock;

    /// <summary>
    /// Publishes the processor's instruments over <paramref name="counters"/> and, for a processor that writes the
    /// store, its minute <paramref name="aggregates"/>.
    /// </summary>
    public ProcessorInstruments(ProcessorCounters counters, TimeProvider? clock = null, MinuteAggregator? aggregates = null)
    {
        _counters = counters;
        _clock = clock ?? TimeProvider.System;
        _readings = new Measurement<long>[Kinds.Length];
        _kindTags = Kinds.Select(k => new KeyValuePair<string, object?>[] { new("kind", k.Name()) }).ToArray();
        _deadLetters = new Measurement<long>[Reasons.Length];
        _reasonTags = Reasons.Select(r => new KeyValuePair<string, object?>[] { new("reason", r.ToString()) }).ToArray();
        _meter.CreateObservableCounter("sensing.processor.readings", ReadingsByKind, "readings",
            "Readings that went through detection, by device kind");
        // Every reason from 0, so a dead-letter panel has a line before the first one.
        _meter.CreateObservableCounter("sensing.processor.deadletters", DeadLettersByReason, "records",
            "Telemetry records sent to the dead-letter topic, by reason");
        _meter.CreateObservableGauge("sensing.processor.lag", LagByPartition, "records",
            "Records behind per owned telemetry partition: high watermark minus the consumer's position");
        _meter.CreateObservableCounter("sensing.processor.repairs_applied", () => _counters.RepairsApplied, "reports",
            "Operators' repaired reports applied to the detectors (each once per state that takes it)");
        _meter.CreateObservableCounter("sensing.processor.rules_changes", RulesChanges, "files",
            "Changed rules files taken by the running processor (result applied) or refused, the rules in force kept (result rejected)");
        _meter.CreateObservableCounter("sensing.processor.checkpoint_bytes", () => new Measurement<long>[]
        {
            new(_counters.CheckpointSnapshotBytes, new KeyValuePair<string, object?>("form", "snapshot")),
            new(_counters.CheckpointStoredBytes, new KeyValuePair<string, object?>("form", "stored")),
        }, "bytes", "Detection state written to sensing.checkpoints: the snapshot before compression, and the chunks as produced");
        _meter.CreateObservableCounter("sensing.processor.checkpoint_time", () => _counters.CheckpointTime.TotalSeconds, "s",
            "Time the consume thread spent taking checkpoints (snapshot, compression, chunks): readings wait meanwhile");
        if (aggregates is not null)
        {
            // Read at export from another thread: each is one aligned 64-bit (or 32-bit) field, written by the consume thread.
            _meter.CreateObservableCounter("sensing.processor.aggregate_skipped", () => new Measurement<long>[]
            {
                new(aggregates.LateReadings, new KeyValuePair<string, object?>("reason", "late")),
                new(aggregates.DuplicateReadings, new KeyValuePair<string, object?>("reason", "duplicate")),
            }, "readings", "Readings not counted into sensing_agg_1m: late (their minute was written) or duplicate (sequence already counted)");
            _meter.CreateObservableGauge("sensing.processor.aggregate_held", () => aggregates.HeldMinutes, "minutes",
                "Device minutes held back from sensing_agg_1m until a reading missing from them arrives or the watermark passes them");
        }

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
        AlertEventType.Repaired => "repaired",
        _ => "unknown",
    };

    private Measurement<long>[] RulesChanges() =>
    [
        new(_counters.RulesApplied, new KeyValuePair<string, object?>("result", "applied")),
        new(_counters.RulesRejected, new KeyValuePair<string, object?>("result", "rejected")),
    ];

    private Measurement<long>[] DeadLettersByReason()
    {
        for (var i = 0; i < Reasons.Length; i++)
        {
            _deadLetters[i] = new Measurement<long>(_counters.DeadLetteredFor(Reasons[i]), _reasonTags[i]);
        }

        return _deadLetters;
    }

    private IEnumerable<Measurement<long>> LagByPartition()
    {
        // Read every few seconds at export: the tag strings are made here, off the per-record path.
        foreach (var (partition, lag) in _counters.Lag)
        {
            yield return new Measurement<long>(lag, new KeyValuePair<string, object?>("partition", partition.ToString(CultureInfo.InvariantCulture)));
        }
    }

    private Measurement<long>[] ReadingsByKind()
    {
        for (var i = 0; i < Kinds.Length; i++)
        {
            _readings[i] = new Measurement<long>(_counters.ProcessedOf(Kinds[i]), _kindTags[i]);
        }

        return _readings;
    }
}
