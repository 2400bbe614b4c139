using Confluent.Kafka;

namespace Sensing.Kafka;

/// <summary>Reads topic metadata and offsets, e.g. how many records a topic holds.</summary>
public sealed class TopicInspector : IDisposable
{
    private readonly IAdminClient _admin;
    private readonly IConsumer<byte[], byte[]> _consumer;
    private readonly KafkaOptions _options;

    /// <summary>Connects to the cluster in <paramref name="options"/>.</summary>
    public TopicInspector(KafkaOptions options)
    {
        _options = options.Validate();
        var consumerConfig = KafkaClientConfig.Consumer(options, "sensing-inspector", "sensing-inspector");
        _admin = new AdminClientBuilder(consumerConfig).SetLogHandler((_, m) => KafkaClientConfig.Log(m, "kafka admin", null)).Build();
        _consumer = new ConsumerBuilder<byte[], byte[]>(consumerConfig).SetLogHandler((_, m) => KafkaClientConfig.Log(m, "kafka inspector", null)).Build();
    }

    /// <summary>Partition count of <paramref name="topic"/>, or 0 when it does not exist.</summary>
    public int PartitionCount(string topic, TimeSpan timeout)
    {
        var metadata = _admin.GetMetadata(topic, timeout);
        var t = metadata.Topics.FirstOrDefault(x => x.Topic == topic);
        return t is null || t.Error.Code != ErrorCode.NoError ? 0 : t.Partitions.Count;
    }

    /// <summary>Records currently held by <paramref name="topic"/> (high minus low watermark, summed over partitions).</summary>
    public long CountRecords(string topic, TimeSpan timeout)
    {
        long total = 0;
        for (var p = 0; p < PartitionCount(topic, timeout); p++)
        {
            var w = _consumer.QueryWatermarkOffsets(new TopicPartition(topic, p), timeout);
            total += w.High.Value - w.Low.Value;
        }

        return total;
    }

    /// <summary>
    /// Offsets consumer group <paramref name="groupId"/> has committed on <paramref name="topic"/>, summed over
    /// partitions (a partition with no commit counts as its low watermark): with <see cref="CountRecords"/>, how
    /// far the group has come. Reads the commits without joining the group.
    /// </summary>
    public long CommittedRecords(string topic, string groupId, TimeSpan timeout)
    {
        var partitions = Enumerable.Range(0, PartitionCount(topic, timeout)).Select(p => new TopicPartition(topic, p)).ToList();
        using var reader = new ConsumerBuilder<byte[], byte[]>(KafkaClientConfig.Consumer(_options, groupId, "sensing-inspector"))
            .SetLogHandler((_, m) => KafkaClientConfig.Log(m, "kafka inspector", null)).Build();
        long total = 0;
        foreach (var committed in CommittedWithRetry(reader, partitions, timeout))
        {
            var low = _consumer.QueryWatermarkOffsets(committed.TopicPartition, timeout).Low.Value;
            total += (committed.Offset.IsSpecial ? low : committed.Offset.Value) - low;
        }

        return total;
    }

    // The group's coordinator answers an offset fetch with a retriable error while it loads the group or moves
    // (a 0.9 broker right after a rebalance): asked again until the timeout, then the error is thrown.
    private static List<TopicPartitionOffset> CommittedWithRetry(IConsumer<byte[], byte[]> reader, List<TopicPartition> partitions, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                return reader.Committed(partitions, timeout);
            }
            catch (TopicPartitionOffsetException) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(200);
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _consumer.Dispose();
        _admin.Dispose();
    }
}
