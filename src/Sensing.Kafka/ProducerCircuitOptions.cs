namespace Sensing.Kafka;

/// <summary>When the circuit breaker in front of the producer opens and how it closes again.</summary>
public sealed record ProducerCircuitOptions
{
    /// <summary>Defaults: open when half the outcomes of the last 2 s failed (at least 4), probe once a second.</summary>
    public static ProducerCircuitOptions Default { get; } = new();

    /// <summary>Share of failed outcomes (broker errors, failed deliveries) in the sampling window that opens the circuit.</summary>
    public double FailureRatio { get; init; } = 0.5;

    /// <summary>Outcomes the window must hold before the ratio counts (Polly's minimum is 2).</summary>
    public int MinimumThroughput { get; init; } = 4;

    /// <summary>The rolling window the ratio is taken over (Polly's minimum is 0.5 s).</summary>
    public TimeSpan SamplingDuration { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How long the circuit stays open before a probe (a metadata request) may close it (at least 0.5 s).</summary>
    public TimeSpan BreakDuration { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Records waiting for the broker with no delivery report for this long count as one failure per check (every
    /// half break duration): a broker that went away mid-stream often reports no error at all, only silence.
    /// </summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How long the probe's metadata request may take.</summary>
    public TimeSpan ProbeTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Checks the options against Polly's limits; throws naming the bad key.</summary>
    public ProducerCircuitOptions Validate()
    {
        if (FailureRatio is <= 0 or > 1)
        {
            throw new ArgumentException("kafka.circuit.failureRatio: must be above 0 and at most 1");
        }

        if (MinimumThroughput < 2)
        {
            throw new ArgumentException("kafka.circuit.minimumThroughput: must be at least 2");
        }

        if (SamplingDuration < TimeSpan.FromMilliseconds(500) || BreakDuration < TimeSpan.FromMilliseconds(500))
        {
            throw new ArgumentException("kafka.circuit: samplingDuration and breakDuration must be at least 0.5 s");
        }

        if (ProbeTimeout <= TimeSpan.Zero || StallTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException("kafka.circuit: probeTimeout and stallTimeout must be positive");
        }

        return this;
    }
}
