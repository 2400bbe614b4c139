using System.Diagnostics;

namespace Sensing.Kafka;

/// <summary>Reads a topic's records once, for a check that counts or balances them.</summary>
public static class TopicReader
{
    /// <summary>
    /// Reads <paramref name="topic"/> from its beginning with a consumer group of its own (named after
    /// <paramref name="clientId"/>, committing nothing) and hands every record to <paramref name="onRecord"/>, until
    /// <paramref name="expected"/> records were read (the topic's size) or nothing arrived for <paramref name="idle"/>.
    /// Returns the records read.
    /// </summary>
    public static long Read(KafkaOptions options, string topic, string clientId, long expected, TimeSpan idle, Action<ConsumedRecord> onRecord)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(onRecord);
        using var consumer = new RecordConsumer(options, clientId + "-" + Guid.NewGuid().ToString("N"), clientId);
        consumer.Subscribe(topic);
        long records = 0;
        var quiet = Stopwatch.StartNew();
        while (records < expected && quiet.Elapsed < idle)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is not { } record)
            {
                continue;
            }

            quiet.Restart();
            records++;
            onRecord(record);
        }

        return records;
    }
}
