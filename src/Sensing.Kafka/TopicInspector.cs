using Confluent.Kafka;

namespace Sensing.Kafka;

/// <summary>Reads topic metadata and offsets, e.g. how many records a topic holds.</summary>
public sealed class TopicInspector : IDisposable
{
    private readonly IAdminClient _admin;
    private readonly IConsumer<byte[], byte[]> _consumer;

    /// <summary>Connects to the cluster in <paramref name="options"/>.</summary>
    public TopicInspector(KafkaOptions options)
    {
        options.Validate();
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

    /// <inheritdoc />
    public void Dispose()
    {
        _consumer.Dispose();
        _admin.Dispose();
    }
}
