namespace Sensing.Kafka;

/// <summary>How to reach Kafka and which topics to use.</summary>
public sealed record KafkaOptions
{
    /// <summary>Defaults: a local broker, the Sensing topic names, the modern protocol.</summary>
    public static KafkaOptions Default { get; } = new();

    /// <summary>Comma-separated host:port list.</summary>
    public string BootstrapServers { get; init; } = "127.0.0.1:9092";

    /// <summary>
    /// The broker's version when it cannot tell the client itself. Set "0.9.0.1" for Kafka 0.9/0.10.0 (no
    /// ApiVersion request, no headers, no timestamps, no idempotence); leave empty for Kafka 0.10.1 and newer.
    /// </summary>
    public string LegacyBrokerVersion { get; init; } = "";

    /// <summary>Producer idempotence and ordered retries; needs Kafka 0.11 or newer.</summary>
    public bool EnableIdempotence { get; init; }

    /// <summary>Topic names.</summary>
    public SensingTopics Topics { get; init; } = SensingTopics.Default;

    /// <summary>How long a produced record may wait for the broker (e.g. during a broker restart) before it fails.</summary>
    public TimeSpan DeliveryTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Most memory the producer may hold for records not yet acknowledged; past it producing blocks the caller.</summary>
    public int ProducerBufferKilobytes { get; init; } = 64 * 1024;

    /// <summary>How long the producer waits to fill a batch.</summary>
    public TimeSpan Linger { get; init; } = TimeSpan.FromMilliseconds(5);

    /// <summary>
    /// How long the group waits for a consumer's heartbeat (sent by the client's own thread) before it hands the
    /// consumer's partitions to another member. Kafka 0.9 brokers accept 6-30 s (group.min/max.session.timeout.ms).
    /// Default 10 s.
    /// </summary>
    public TimeSpan ConsumerSessionTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Longest a consumer may go without polling before the client itself leaves the group (librdkafka checks this on
    /// the client side with every broker version, Kafka 0.9 included). At least <see cref="ConsumerSessionTimeout"/>.
    /// Default 5 minutes.
    /// </summary>
    public TimeSpan ConsumerMaxPollInterval { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Checks every option; throws <see cref="ArgumentException"/> naming the bad key.</summary>
    public KafkaOptions Validate()
    {
        if (string.IsNullOrWhiteSpace(BootstrapServers))
        {
            throw new ArgumentException("kafka.bootstrapServers: must name at least one host:port");
        }

        foreach (var server in BootstrapServers.Split(','))
        {
            var colon = server.LastIndexOf(':');
            if (colon <= 0 || !int.TryParse(server.AsSpan(colon + 1), out var port) || port is <= 0 or > 65535)
            {
                throw new ArgumentException($"kafka.bootstrapServers: '{server}' is not host:port");
            }
        }

        if (EnableIdempotence && LegacyBrokerVersion.Length != 0)
        {
            throw new ArgumentException("kafka.enableIdempotence: needs Kafka 0.11+, but kafka.legacyBrokerVersion says " + LegacyBrokerVersion);
        }

        if (DeliveryTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException("kafka.deliveryTimeout: must be positive");
        }

        if (ProducerBufferKilobytes < 1024)
        {
            throw new ArgumentException("kafka.producerBufferKilobytes: must be at least 1024");
        }

        if (ConsumerSessionTimeout < TimeSpan.FromSeconds(1) || ConsumerSessionTimeout > TimeSpan.FromMinutes(5))
        {
            throw new ArgumentException("kafka.consumerSessionTimeout: must be between 1 s and 5 minutes");
        }

        if (ConsumerMaxPollInterval < ConsumerSessionTimeout || ConsumerMaxPollInterval > TimeSpan.FromDays(1))
        {
            throw new ArgumentException("kafka.consumerMaxPollInterval: must be at least kafka.consumerSessionTimeout and at most 1 day");
        }

        Topics.Validate();
        return this;
    }
}
