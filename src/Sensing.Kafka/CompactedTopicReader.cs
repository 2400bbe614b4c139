using Confluent.Kafka;

namespace Sensing.Kafka;

/// <summary>
/// Reads a compacted topic (e.g. <see cref="SensingTopics.Checkpoints"/>) from its beginning to its end as it is
/// now, keeping the latest value of every key; a record with an empty value (a tombstone) removes its key. Reads
/// outside any consumer group and commits nothing.
/// </summary>
public static class CompactedTopicReader
{
    /// <summary>The latest value per key (keys as UTF-8 text).</summary>
    /// <exception cref="KafkaException">The topic's metadata or end offsets could not be read.</exception>
    /// <exception cref="TimeoutException">The end was not reached within <paramref name="timeout"/>.</exception>
    public static Dictionary<string, byte[]> ReadLatest(KafkaOptions options, string topic, TimeSpan timeout, Action<string>? log = null)
    {
        options.Validate();
        var deadline = DateTime.UtcNow + timeout;
        var config = KafkaClientConfig.Consumer(options, "sensing-compacted-reader", "sensing-compacted-reader");
        using var consumer = new ConsumerBuilder<byte[], byte[]>(config)
            .SetErrorHandler((_, e) => log?.Invoke($"kafka reader: {e.Code}: {e.Reason}"))
            .SetLogHandler((_, m) => KafkaClientConfig.Log(m, "kafka reader", log))
            .Build();
        using var admin = new DependentAdminClientBuilder(consumer.Handle).Build();
        var ends = EndOffsets(consumer, admin, topic, deadline).Where(e => e.Value > 0).ToDictionary();
        var latest = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        if (ends.Count == 0)
        {
            return latest;
        }

        consumer.Assign(ends.Keys.Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
        while (ends.Count > 0)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                throw new TimeoutException($"{topic}: end not reached within {timeout.TotalSeconds:0} s");
            }

            var result = consumer.Consume(left);
            if (result?.Message is null)
            {
                continue;
            }

            var key = System.Text.Encoding.UTF8.GetString(result.Message.Key ?? []);
            if (result.Message.Value is { Length: > 0 } value)
            {
                latest[key] = value;
            }
            else
            {
                latest.Remove(key);
            }

            if (ends.TryGetValue(result.Partition.Value, out var end) && result.Offset.Value + 1 >= end)
            {
                ends.Remove(result.Partition.Value);
            }
        }

        consumer.Close();
        return latest;
    }

    // Each partition's high watermark as of now. Right after a broker restart
    // the topic's leaders are being elected and the answers are errors for a few seconds: asked again until the
    // deadline, then the last error is thrown.
    internal static Dictionary<int, long> EndOffsets(IConsumer<byte[], byte[]> consumer, IAdminClient admin, string topic, DateTime deadline)
    {
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            try
            {
                var metadata = admin.GetMetadata(topic, left > TimeSpan.Zero ? left : TimeSpan.FromMilliseconds(1)).Topics.Single();
                if (metadata.Error.IsError)
                {
                    throw new KafkaException(metadata.Error);
                }

                return metadata.Partitions.ToDictionary(
                    p => p.PartitionId,
                    p => consumer.QueryWatermarkOffsets(new TopicPartition(topic, p.PartitionId), TimeSpan.FromSeconds(5)).High.Value);
            }
            catch (KafkaException) when (DateTime.UtcNow + TimeSpan.FromMilliseconds(250) < deadline)
            {
                Thread.Sleep(250);
            }
        }
    }
}
