using Sensing.Kafka;

namespace Sensing.Gateway;

/// <summary>How much a gateway holds for Kafka, and when it stops taking readings.</summary>
public sealed record IngestOptions
{
    /// <summary>Defaults: 65,536 readings in flight per gateway, the default circuit breaker.</summary>
    public static IngestOptions Default { get; } = new();

    /// <summary>
    /// Readings (of any QoS, dead letters included) handed to Kafka and not yet acknowledged, over all connections of
    /// this gateway. Past it, connections wait before reading their sockets (TCP backpressure), so memory stays
    /// bounded however many devices publish while Kafka is slow or away. At ~0.5 KB per reading in flight (frame,
    /// client copy, delivery state) the default holds ~32 MB.
    /// </summary>
    public int MaxInFlight { get; init; } = 65_536;

    /// <summary>The circuit breaker in front of the producer.</summary>
    public ProducerCircuitOptions Circuit { get; init; } = ProducerCircuitOptions.Default;

    /// <summary>Checks the options; throws naming the bad key.</summary>
    public IngestOptions Validate()
    {
        if (MaxInFlight < 1)
        {
            throw new ArgumentException("gateway.ingest.maxInFlight: must be at least 1");
        }

        Circuit.Validate();
        return this;
    }
}
