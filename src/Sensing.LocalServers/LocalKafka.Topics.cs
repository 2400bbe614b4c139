using System.Diagnostics;
using System.Globalization;
using Sensing.LocalServers.Internal;

namespace Sensing.LocalServers;

/// <summary>Topic administration through kafka.admin.TopicCommand (0.9 has no CreateTopics request).</summary>
public sealed partial class LocalKafka
{
    // Kafka protocol error codes (kafka.apache.org/protocol, "Error Codes").
    private const short UnknownTopicOrPartition = 3;

    private static readonly TimeSpan ToolTimeout = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Creates a topic with <paramref name="partitions"/> partitions and replication factor 1, and
    /// returns when the broker leads and serves every partition. An existing topic is left as it is
    /// (with whatever partition count it has).
    /// </summary>
    /// <exception cref="LocalServerException">TopicCommand failed, or the partitions got no leader in time.</exception>
    public Task CreateTopicAsync(string name, int partitions, CancellationToken cancellationToken = default) =>
        CreateTopicAsync(name, partitions, [], cancellationToken);

    /// <summary>
    /// Creates a topic as <see cref="CreateTopicAsync(string, int, CancellationToken)"/> does, with topic-level
    /// settings (<c>key=value</c>, e.g. <c>cleanup.policy=compact</c>; TopicCommand <c>--config</c>).
    /// </summary>
    /// <exception cref="LocalServerException">TopicCommand failed, or the partitions got no leader in time.</exception>
    public async Task CreateTopicAsync(string name, int partitions, IReadOnlyList<string> configs, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        ArgumentNullException.ThrowIfNull(configs);
        var elapsed = Stopwatch.StartNew();
        List<string> arguments = ["--create", "--topic", name, "--partitions", partitions.ToString(CultureInfo.InvariantCulture), "--replication-factor", "1"];
        foreach (var config in configs)
        {
            arguments.AddRange(["--config", config]);
        }

        JavaToolResult result = await RunTopicCommandAsync(arguments, cancellationToken).ConfigureAwait(false);
        if (result.ExitCode != 0 && !result.Output.Contains("already exists", StringComparison.Ordinal))
        {
            throw new LocalServerException($"kafka: creating topic {name} failed (exit code {result.ExitCode}):{Environment.NewLine}{result.Output}");
        }

        await WaitForTopicsServedAsync([name], cancellationToken).ConfigureAwait(false);
        Log(result.ExitCode == 0
            ? $"kafka: topic {name} created with {partitions} partitions in {elapsed.Elapsed.TotalSeconds:0.0} s"
            : $"kafka: topic {name} already exists");
    }

    /// <summary>The topic as ZooKeeper records it (TopicCommand --describe), or null when it does not exist.</summary>
    public async Task<KafkaTopicDescription?> DescribeTopicAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        JavaToolResult result = await RunTopicCommandAsync(["--describe", "--topic", name], cancellationToken).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw new LocalServerException($"kafka: describing topic {name} failed (exit code {result.ExitCode}):{Environment.NewLine}{result.Output}");
        }

        return KafkaTopicDescription.Parse(name, result.StandardOutput);
    }

    /// <summary>Deletes a topic (delete.topic.enable=true) and returns when the broker no longer knows it.</summary>
    public async Task DeleteTopicAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        JavaToolResult result = await RunTopicCommandAsync(["--delete", "--topic", name], cancellationToken).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw new LocalServerException($"kafka: deleting topic {name} failed (exit code {result.ExitCode}):{Environment.NewLine}{result.Output}");
        }

        // Deletion is asynchronous: the controller picks up /admin/delete_topics/NAME and removes the logs.
        var elapsed = Stopwatch.StartNew();
        while (true)
        {
            KafkaClusterState state = await KafkaWireProbe.GetMetadataAsync(BrokerPort, [name], cancellationToken).ConfigureAwait(false);
            if (state.Topics.All(t => t.Error == UnknownTopicOrPartition))
            {
                Log($"kafka: topic {name} deleted in {elapsed.Elapsed.TotalSeconds:0.0} s");
                return;
            }

            if (elapsed.Elapsed > _options.StartTimeout)
            {
                throw new LocalServerException($"kafka: topic {name} still exists {_options.StartTimeout.TotalSeconds:0} s after its deletion.{LogTail.Format(BrokerLogPath)}");
            }

            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Waits until the broker names a leader for every partition of <paramref name="topics"/> (all topics
    /// when empty) and answers a ListOffsets request for each without error: only then do producers and
    /// consumers succeed at once. Right after a (re)start, metadata can name a leader before the broker
    /// has loaded the partition, which ListOffsets reports as "unknown topic or partition".
    /// </summary>
    private async Task WaitForTopicsServedAsync(IReadOnlyList<string> topics, CancellationToken cancellationToken)
    {
        var elapsed = Stopwatch.StartNew();
        string lastProblem = "";
        while (true)
        {
            try
            {
                lastProblem = await FindUnservedPartitionAsync(topics, cancellationToken).ConfigureAwait(false);
                if (lastProblem.Length == 0)
                {
                    return;
                }
            }
            catch (Exception exception) when (exception is IOException or System.Net.Sockets.SocketException or InvalidDataException)
            {
                lastProblem = exception.Message;
            }

            if (elapsed.Elapsed > _options.StartTimeout)
            {
                throw new LocalServerException(
                    $"kafka: partitions not served within {_options.StartTimeout.TotalSeconds:0} s: {lastProblem}.{LogTail.Format(BrokerLogPath)}");
            }

            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A description of the first partition that is not served yet, or "" when all are.</summary>
    private async Task<string> FindUnservedPartitionAsync(IReadOnlyList<string> topics, CancellationToken cancellationToken)
    {
        KafkaClusterState state = await KafkaWireProbe.GetMetadataAsync(BrokerPort, topics, cancellationToken).ConfigureAwait(false);
        foreach (KafkaTopicState topic in state.Topics)
        {
            if (topic.Error != 0 || topic.Partitions.Count == 0)
            {
                return $"topic {topic.Name} has error code {topic.Error} and {topic.Partitions.Count} partitions";
            }

            foreach (KafkaPartitionState partition in topic.Partitions)
            {
                if (partition.Error != 0 || partition.Leader < 0)
                {
                    return $"{topic.Name}/{partition.Partition} has error code {partition.Error} and leader {partition.Leader}";
                }
            }

            IReadOnlyList<short> errors = await KafkaWireProbe.ListLatestOffsetErrorsAsync(BrokerPort, topic, cancellationToken).ConfigureAwait(false);
            if (errors.Count != topic.Partitions.Count || errors.Any(e => e != 0))
            {
                return $"ListOffsets on {topic.Name} returned error codes [{string.Join(", ", errors)}]";
            }
        }

        return "";
    }

    private Task<JavaToolResult> RunTopicCommandAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_zooKeeper is null)
        {
            throw NotStarted();
        }

        return JavaTool.RunAsync(
            _java, _classpath, ToolsLog4jPath, "kafka.admin.TopicCommand", ["--zookeeper", ZooKeeperConnect, .. arguments], ToolTimeout, cancellationToken);
    }
}
