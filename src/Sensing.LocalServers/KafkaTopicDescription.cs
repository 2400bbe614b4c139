using System.Globalization;

namespace Sensing.LocalServers;

/// <summary>One partition of a topic as TopicCommand --describe shows it.</summary>
/// <param name="Partition">The partition number.</param>
/// <param name="Leader">The leading broker's id; -1 while there is none.</param>
/// <param name="Replicas">The brokers holding a replica.</param>
/// <param name="InSyncReplicas">The replicas caught up with the leader.</param>
public sealed record KafkaPartitionDescription(int Partition, int Leader, IReadOnlyList<int> Replicas, IReadOnlyList<int> InSyncReplicas);

/// <summary>A topic as TopicCommand --describe shows it (read from ZooKeeper).</summary>
/// <param name="Name">The topic's name.</param>
/// <param name="Partitions">Its partitions, in partition order.</param>
public sealed record KafkaTopicDescription(string Name, IReadOnlyList<KafkaPartitionDescription> Partitions)
{
    /// <summary>
    /// Parses TopicCommand 0.9 output: a header line "Topic:NAME\tPartitionCount:N\t..." and one
    /// tab-separated line per partition, "\tTopic: NAME\tPartition: 0\tLeader: 0\tReplicas: 0\tIsr: 0".
    /// Returns null when there is no partition line for <paramref name="name"/> (the topic does not exist).
    /// </summary>
    internal static KafkaTopicDescription? Parse(string name, string output)
    {
        var partitions = new List<KafkaPartitionDescription>();
        foreach (string line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var fields = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (string field in line.Split('\t', StringSplitOptions.RemoveEmptyEntries))
            {
                int colon = field.IndexOf(':', StringComparison.Ordinal);
                if (colon > 0)
                {
                    fields[field[..colon].Trim()] = field[(colon + 1)..].Trim();
                }
            }

            if (fields.TryGetValue("Topic", out string? topic) && topic == name && fields.TryGetValue("Partition", out string? partition))
            {
                partitions.Add(new KafkaPartitionDescription(
                    ParseInt(partition), ParseInt(fields.GetValueOrDefault("Leader", "-1")), ParseList(fields.GetValueOrDefault("Replicas", "")), ParseList(fields.GetValueOrDefault("Isr", ""))));
            }
        }

        return partitions.Count == 0 ? null : new KafkaTopicDescription(name, [.. partitions.OrderBy(p => p.Partition)]);
    }

    private static int ParseInt(string text) => int.Parse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);

    private static int[] ParseList(string text)
        => [.. text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(ParseInt)];
}
