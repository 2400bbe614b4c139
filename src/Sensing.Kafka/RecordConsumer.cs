using Confluent.Kafka;

namespace Sensing.Kafka;

/// <summary>One consumed record. <see cref="Key"/> and <see cref="Value"/> may be empty, never null.</summary>
public readonly record struct ConsumedRecord(string Topic, int Partition, long Offset, byte[] Key, byte[] Value);

/// <summary>
/// Consumes Sensing topics in a consumer group with manual commits: the application commits an offset only
/// after everything the records before it caused is durable (at-least-once).
/// </summary>
public sealed class RecordConsumer : IDisposable
{
    private readonly IConsumer<byte[], byte[]> _consumer;

    /// <summary>
    /// Joins <paramref name="groupId"/>; partition changes are reported through the callbacks. When
    /// <paramref name="startOffsets"/> is given, it is asked on every assignment where to start reading each newly
    /// assigned partition (e.g. the offset a checkpoint reflects); partitions it leaves out start at the group's
    /// committed offset. It runs on the consuming thread, inside <see cref="Consume"/>. <paramref name="fetchWait"/>
    /// overrides how long the broker may hold a fetch with nothing new (100 ms by default).
    /// </summary>
    public RecordConsumer(
        KafkaOptions options, string groupId, string clientId, Action<string>? log = null,
        Action<IReadOnlyList<int>>? onAssigned = null, Action<IReadOnlyList<int>>? onRevoked = null,
        Func<IReadOnlyList<int>, IReadOnlyDictionary<int, long>>? startOffsets = null, TimeSpan? fetchWait = null)
    {
        options.Validate();
        var config = KafkaClientConfig.Consumer(options, groupId, clientId);
        if (fetchWait is { } wait)
        {
            // How long the broker holds a fetch that finds nothing new: short for a reader that times arrivals.
            config.FetchWaitMaxMs = (int)wait.TotalMilliseconds;
        }

        var builder = new ConsumerBuilder<byte[], byte[]>(config)
            .SetErrorHandler((_, e) => log?.Invoke($"kafka consumer: {e.Code}: {e.Reason}"))
            .SetLogHandler((_, m) => KafkaClientConfig.Log(m, "kafka consumer", log));
        if (startOffsets is null)
        {
            builder.SetPartitionsAssignedHandler((_, parts) => onAssigned?.Invoke([.. parts.Select(p => p.Partition.Value)]));
        }
        else
        {
            builder.SetPartitionsAssignedHandler((_, parts) =>
            {
                IReadOnlyList<int> numbers = [.. parts.Select(p => p.Partition.Value)];
                onAssigned?.Invoke(numbers);
                var starts = startOffsets(numbers);
                return parts.Select(p => new TopicPartitionOffset(p, starts.TryGetValue(p.Partition.Value, out var offset) ? new Offset(offset) : Offset.Unset)).ToList();
            });
        }

        _consumer = builder
            .SetPartitionsRevokedHandler((_, parts) => onRevoked?.Invoke([.. parts.Select(p => p.Partition.Value)]))
            .Build();
    }

    /// <summary>A start offset (for the <c>startOffsets</c> callback) that reads a partition from its first record.</summary>
    public const long Beginning = -2;

    /// <summary>Subscribes to the given topics.</summary>
    public void Subscribe(params string[] topics) => _consumer.Subscribe(topics);

    /// <summary>Next record, or null when none arrived within <paramref name="timeout"/>.</summary>
    public ConsumedRecord? Consume(TimeSpan timeout)
    {
        ConsumeResult<byte[], byte[]>? result;
        try
        {
            result = _consumer.Consume(timeout);
        }
        catch (ConsumeException e) when (IsPassing(e.Error))
        {
            // A restarted broker answers the group's offset fetch with "not coordinator" (or "loading") until the
            // group's coordinator is elected again; the client asks again on the next call.
            return null;
        }

        if (result is null || result.IsPartitionEOF || result.Message is null)
        {
            return null;
        }

        return new ConsumedRecord(result.Topic, result.Partition.Value, result.Offset.Value,
            result.Message.Key ?? [], result.Message.Value ?? []);
    }

    // A restarted broker answers before it has loaded its groups and topics: "not coordinator", "loading", and for a
    // while "unknown topic" for topics that exist (the Sensing topics are created before anything reads them; the
    // client's next metadata refresh, at most 10 s later, finds them again).
    private static bool IsPassing(Error error) => !error.IsFatal && error.Code is ErrorCode.NotCoordinatorForGroup
        or ErrorCode.GroupCoordinatorNotAvailable or ErrorCode.GroupLoadInProgress or ErrorCode.Local_Transport or ErrorCode.Local_AllBrokersDown
        or ErrorCode.UnknownTopicOrPart or ErrorCode.Local_UnknownTopic or ErrorCode.Local_UnknownPartition;

    /// <summary>Partitions of <paramref name="topic"/> assigned to this consumer now.</summary>
    public IReadOnlyList<int> AssignedPartitions(string topic)
    {
        var partitions = new List<int>();
        foreach (var assigned in _consumer.Assignment)
        {
            if (assigned.Topic == topic)
            {
                partitions.Add(assigned.Partition.Value);
            }
        }

        return partitions;
    }

    /// <summary>
    /// Stops fetching <paramref name="partitions"/> of <paramref name="topic"/> while <see cref="Consume"/> goes on
    /// being called, which keeps the group membership (a consumer that stops polling leaves the group after
    /// <see cref="KafkaOptions.ConsumerMaxPollInterval"/>). Records already fetched but not yet returned are dropped
    /// by the client and fetched again after <see cref="Resume"/>, from the record after the last one returned.
    /// </summary>
    public void Pause(string topic, IEnumerable<int> partitions) =>
        _consumer.Pause(partitions.Select(p => new TopicPartition(topic, p)));

    /// <summary>Fetches paused <paramref name="partitions"/> again; partitions not paused are left alone.</summary>
    public void Resume(string topic, IEnumerable<int> partitions) =>
        _consumer.Resume(partitions.Select(p => new TopicPartition(topic, p)));

    /// <summary>
    /// Commits, per partition, the offset of the next record to read (last processed + 1): stores it for the client,
    /// which commits stored offsets in the background within a second (and at a rebalance or close) without ever
    /// blocking this thread. Throws <see cref="KafkaException"/> for a partition not assigned to this consumer now.
    /// </summary>
    public void Commit(string topic, IReadOnlyDictionary<int, long> nextOffsets)
    {
        foreach (var (partition, offset) in nextOffsets)
        {
            _consumer.StoreOffset(new TopicPartitionOffset(topic, partition, offset));
        }
    }

    /// <summary>
    /// Like <see cref="Commit"/>, but an offset the client refuses to store (its partition was revoked meanwhile)
    /// returns false with the reason instead of throwing: the records stay uncommitted, and at-least-once delivery
    /// replays them to whoever owns the partition next. A commit the group refuses (no coordinator after a broker
    /// restart) is retried by the client with the next stored offsets. Fatal client errors still throw.
    /// </summary>
    public bool TryCommit(string topic, IReadOnlyDictionary<int, long> nextOffsets, out string reason)
    {
        try
        {
            Commit(topic, nextOffsets);
            reason = "";
            return true;
        }
        catch (KafkaException e) when (!e.Error.IsFatal)
        {
            reason = e.Error.Reason;
            return false;
        }
    }

    /// <summary>
    /// Records behind, per partition of <paramref name="topic"/> assigned to this consumer: the partition's high
    /// watermark minus this consumer's position (the next offset the application reads). The watermark is the one
    /// the client keeps from its latest fetch response, so this sends no request to the broker; a partition whose
    /// watermark or position is not known yet (nothing fetched or read since it was assigned) is left out. The client
    /// knows a position only once a record has been read since the assignment; <paramref name="positions"/> (the next
    /// offset to read per partition, as the application started or read on) stands in for it until then, so a
    /// partition assigned at its end, with nothing to read, shows a lag of 0 once fetched. Call it on the consuming
    /// thread, at most every few seconds: it allocates.
    /// </summary>
    public Dictionary<int, long> Lag(string topic, IReadOnlyDictionary<int, long>? positions = null)
    {
        var lag = new Dictionary<int, long>();
        foreach (var partition in _consumer.Assignment)
        {
            if (partition.Topic != topic)
            {
                continue;
            }

            try
            {
                var high = _consumer.GetWatermarkOffsets(partition).High;
                var position = _consumer.Position(partition).Value;
                if (position == Offset.Unset.Value && positions is not null && positions.TryGetValue(partition.Partition.Value, out var next))
                {
                    position = next;
                }

                if (high != Offset.Unset && position != Offset.Unset.Value)
                {
                    lag[partition.Partition.Value] = Math.Max(0, high.Value - position);
                }
            }
            catch (KafkaException)
            {
                // Not known for this partition now (e.g. being revoked): left out until the next call.
            }
        }

        return lag;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        try
        {
            _consumer.Close();
        }
        catch (KafkaException)
        {
            // Leaving the group fails when the broker is gone; the session timeout removes us instead.
        }

        _consumer.Dispose();
    }
}
