using Sensing.Storage;
using Sensing.Storage.Aggregation;

namespace Sensing.Processor;

/// <summary>Which raw readings the processor writes as <c>sensing_reading</c> points.</summary>
public enum RawSamples
{
    /// <summary>Every reading.</summary>
    All = 0,

    /// <summary>Only readings of devices whose report interval is at least <see cref="ProcessorStoreOptions.SlowSensorSeconds"/>:
    /// for them a one-minute aggregate holds one reading anyway, and the raw point keeps its exact time.</summary>
    SlowSensors = 1,

    /// <summary>None; the aggregates only.</summary>
    None = 2,
}

/// <summary>What the processor writes to the time-series store and how.</summary>
public sealed record ProcessorStoreOptions
{
    /// <summary>VictoriaMetrics on its default local port, every raw reading, aggregates closed 10 s after their minute.</summary>
    public static ProcessorStoreOptions Default { get; } = new();

    /// <summary>The store writer's options (URL, API, batching, retries, circuit breaker).</summary>
    public StoreWriterOptions Writer { get; init; } = StoreWriterOptions.Default;

    /// <summary>Which raw readings are written.</summary>
    public RawSamples RawSamples { get; init; } = RawSamples.All;

    /// <summary>Report interval from which a device counts as a slow sensor for <see cref="RawSamples.SlowSensors"/>.</summary>
    public int SlowSensorSeconds { get; init; } = 60;

    /// <summary>Sizing of the per-device aggregate state.</summary>
    public MinuteAggregatorOptions Aggregates { get; init; } = MinuteAggregatorOptions.Default;

    /// <summary>
    /// How long after a minute ends (in event time, taken as the latest event time seen, never past the wall clock)
    /// its aggregates are written for devices that have not reported since. Readings later than this for that minute
    /// are counted as late, not aggregated (the raw sample keeps them). 90 s: after a Kafka broker outage of half a
    /// minute, devices reconnect with backoff (up to 16 s between tries) and deliver that minute's readings up to about
    /// 55 s late; a device that keeps reporting closes its minute at its first reading of the next one anyway, so the
    /// grace costs no memory, only delay for the minutes of devices that went quiet.
    /// </summary>
    public TimeSpan AggregateGrace { get; init; } = TimeSpan.FromSeconds(90);

    /// <summary>
    /// Whether this store writes <c>sensing_alerts_active</c> from the alert events it is given. Default on; off for a
    /// store that is given readings only (a store sink's, whose alert events go through another), which would
    /// otherwise write zeros over the counts.
    /// </summary>
    public bool ActiveAlerts { get; init; } = true;

    /// <summary>How often <c>sensing_alerts_active</c> is written.</summary>
    public TimeSpan ActiveAlertsInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad option.</summary>
    public ProcessorStoreOptions Validate()
    {
        Writer.Validate();
        Aggregates.Validate();
        if (!Enum.IsDefined(RawSamples))
        {
            throw new ArgumentException($"ProcessorStoreOptions.RawSamples: {(int)RawSamples} is not defined.", nameof(RawSamples));
        }

        if (SlowSensorSeconds < 1)
        {
            throw new ArgumentException($"ProcessorStoreOptions.SlowSensorSeconds: {SlowSensorSeconds} must be positive.", nameof(SlowSensorSeconds));
        }

        if (AggregateGrace < TimeSpan.Zero || ActiveAlertsInterval <= TimeSpan.Zero)
        {
            throw new ArgumentException("ProcessorStoreOptions.AggregateGrace must not be negative and ActiveAlertsInterval must be positive.");
        }

        return this;
    }
}
