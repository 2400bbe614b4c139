using Confluent.Kafka;

namespace Sensing.Kafka;

/// <summary>
/// Reads every partition of one topic from offsets the application chooses, outside any consumer group and without
/// committing: the application keeps its own position (e.g. in a checkpoint). Not thread-safe.
/// </summary>
public sealed class TopicFollower : IDisposable
{
    private readonly IConsumer<byte[], byte[]> _consumer;
    private readonly IAdminClient _admin;
    private readonly string _topic;

    /// <summary>Creates a follower of <paramref name="topic"/>; it reads nothing until <see cref="Assign"/>.</summary>
    public TopicFollower(KafkaOptions options, string topic, string clientId, Action<string>? log = null)
    {
        options.Validate();
        _topic = topic;

        // The group id is required by the client but never joined: partitions are assigned, offsets never committed.
        var config = KafkaClientConfig.Consumer(options, clientId + "-follower", clientId);
        _consumer = new ConsumerBuilder<byte[], byte[]>(config)
            .SetErrorHandler((_, e) => log?.Invoke($"kafka follower: {e.Code}: {e.Reason}"))
            .SetLogHandler((_, m) => KafkaClientConfig.Log(m, "kafka follower", log))
            .Build();
        _admin = new DependentAdminClientBuilder(_consumer.Handle).Build();
    }

    /// <summary>
    /// The offset after the last record of every partition now (the high watermark), asked of the broker.
    /// </summary>
    /// <exception cref="KafkaException">The metadata or offsets could not be read within <paramref name="timeout"/>.</exception>
    public Dictionary<int, long> EndOffsets(TimeSpan timeout) =>
        CompactedTopicReader.EndOffsets(_consumer, _admin, _topic, DateTime.UtcNow + timeout);

    /// <summary>Reads each partition of <paramref name="from"/> from its offset on; partitions left out are not read.</summary>
    public void Assign(IReadOnlyDictionary<int, long> from) =>
        _consumer.Assign(from.Select(p => new TopicPartitionOffset(_topic, p.Key, new Offset(p.Value))));

    /// <summary>Next record, or null when none arrived within <paramref name="timeout"/>.</summary>
    public ConsumedRecord? Consume(TimeSpan timeout)
    {
        ConsumeResult<byte[], byte[]>? result;
        try
        {
            result = _consumer.Consume(timeout);
        }
        catch (ConsumeException e) when (!e.Error.IsFatal)
        {
            // A partition whose leader is being elected (a broker restart): fetched again on a later call.
            return null;
        }

        return result?.Message is null || result.IsPartitionEOF
            ? null
            : new ConsumedRecord(result.Topic, result.Partition.Value, result.Offset.Value, result.Message.Key ?? [], result.Message.Value ?? []);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _admin.Dispose();
        _consumer.Close();
        _consumer.Dispose();
    }
}
