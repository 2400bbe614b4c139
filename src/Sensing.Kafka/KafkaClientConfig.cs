using Confluent.Kafka;

namespace Sensing.Kafka;

/// <summary>Builds librdkafka configurations from <see cref="KafkaOptions"/> (property names: librdkafka CONFIGURATION.md).</summary>
internal static class KafkaClientConfig
{
    // How often the clients refresh topic metadata (librdkafka's topic.metadata.refresh.interval.ms).
    private const int MetadataRefreshMs = 10_000;

    public static ProducerConfig Producer(KafkaOptions options, string clientId)
    {
        var config = new ProducerConfig
        {
            BootstrapServers = options.BootstrapServers,
            ClientId = clientId,
            // An acknowledged reading must survive the loss of the leader: wait for all in-sync replicas.
            Acks = Acks.All,
            LingerMs = options.Linger.TotalMilliseconds,
            MessageTimeoutMs = (int)options.DeliveryTimeout.TotalMilliseconds,
            QueueBufferingMaxKbytes = options.ProducerBufferKilobytes,
            QueueBufferingMaxMessages = 1_000_000,
            EnableIdempotence = options.EnableIdempotence,
            // Without idempotence a retried batch could overtake a later one; one request in flight per
            // connection keeps each device's order (DESIGN.md: no reordering retries).
            MaxInFlight = options.EnableIdempotence ? 5 : 1,
            // Only the key chooses the partition: CRC32 of the device id, so one device always lands in one partition.
            Partitioner = Partitioner.Consistent,
            SocketKeepaliveEnable = true,
            ReconnectBackoffMs = 100,
            ReconnectBackoffMaxMs = 2000,
            // A restarting broker may report an existing topic as unknown; the client then fails records for it until
            // its next metadata refresh (5 min by default). Every 10 s bounds that: one small request per client.
            TopicMetadataRefreshIntervalMs = MetadataRefreshMs,
            // Delivery reports carry only the outcome (status, partition, offset): the key and value are not copied
            // back into managed memory for every record.
            DeliveryReportFields = "status",
        };
        ApplyLegacy(config, options);
        return config;
    }

    public static ConsumerConfig Consumer(KafkaOptions options, string groupId, string clientId)
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = options.BootstrapServers,
            GroupId = groupId,
            ClientId = clientId,
            // Offsets are stored by the application only after the work they cover is done (at-least-once), and the
            // client commits what is stored in the background (every second, and at a rebalance or close). A
            // synchronous commit can wait forever for a group coordinator: a store sink's consume loop stood still
            // for good in a commit issued while a restarted broker re-elected it (librdkafka issue #1142 saw the same
            // and found auto commit free of it).
            EnableAutoCommit = true,
            AutoCommitIntervalMs = 1000,
            EnableAutoOffsetStore = false,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            // Kafka 0.9 brokers reject session timeouts above group.max.session.ms (30 s by default).
            SessionTimeoutMs = (int)options.ConsumerSessionTimeout.TotalMilliseconds,
            // A third of the session timeout, as the Kafka consumer documentation advises.
            HeartbeatIntervalMs = (int)(options.ConsumerSessionTimeout.TotalMilliseconds / 3),
            MaxPollIntervalMs = (int)options.ConsumerMaxPollInterval.TotalMilliseconds,
            FetchWaitMaxMs = 100,
            TopicMetadataRefreshIntervalMs = MetadataRefreshMs,
            SocketKeepaliveEnable = true,
            ReconnectBackoffMs = 100,
            ReconnectBackoffMaxMs = 2000,
        };
        ApplyLegacy(config, options);
        return config;
    }

    /// <summary>
    /// Passes the client's warnings and errors on; drops informational lines and the configuration warnings that
    /// librdkafka 2.x prints for the legacy-broker settings (they are needed for Kafka 0.9 and intended).
    /// </summary>
    public static void Log(LogMessage message, string client, Action<string>? log)
    {
        if (message.Level <= SyslogLevel.Warning && message.Facility != "CONFWARN")
        {
            log?.Invoke($"{client}: {message.Facility}: {message.Message}");
        }
    }

    private static void ApplyLegacy(ClientConfig config, KafkaOptions options)
    {
        if (options.LegacyBrokerVersion.Length != 0)
        {
            // Kafka < 0.10 does not answer ApiVersionRequest; tell librdkafka which protocol to speak.
            config.ApiVersionRequest = false;
            config.BrokerVersionFallback = options.LegacyBrokerVersion;
        }
    }
}
