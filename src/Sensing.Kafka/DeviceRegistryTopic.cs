using System.Diagnostics;
using System.Text;
using Confluent.Kafka;
using Sensing.Core.Devices;

namespace Sensing.Kafka;

/// <summary>Where a read of <see cref="SensingTopics.Devices"/> stopped, and what it found.</summary>
/// <param name="NextOffsets">Per partition, the offset of the next record to read (where a follower goes on).</param>
/// <param name="Records">Records read (entries and tombstones, before compaction took older ones out).</param>
/// <param name="Bad">Records whose value was not a registry line; logged and skipped.</param>
/// <param name="Elapsed">Time from the first request to the end of the topic.</param>
public sealed record RegistryPosition(IReadOnlyDictionary<int, long> NextOffsets, long Records, long Bad, TimeSpan Elapsed);

/// <summary>
/// The device registry on Kafka (<see cref="SensingTopics.Devices"/>): read it whole into a
/// <see cref="DeviceRegistry"/> at start (<see cref="Load"/>), then follow it (<see cref="DeviceRegistryFollower"/>).
/// Each record is keyed by the device id; its value is the device's registry line (<see cref="DeviceRegistryFile.FormatLine"/>)
/// or null for a removed device.
/// </summary>
public static class DeviceRegistryTopic
{
    // Records applied to the registry in one batch while loading: each batch is one copy of the registry's index.
    private const int LoadBatch = 50_000;

    /// <summary>
    /// Reads the topic from its beginning to its end as it is now into <paramref name="registry"/>. A bad record is
    /// logged and skipped (the rest of the city still loads). <paramref name="progress"/> gets (records read, records
    /// at the end) now and then.
    /// </summary>
    /// <exception cref="TimeoutException">The end was not reached within <paramref name="timeout"/>.</exception>
    public static RegistryPosition Load(
        KafkaOptions options, DeviceRegistry registry, TimeSpan timeout, Action<string>? log = null, Action<long, long>? progress = null)
    {
        options.Validate();
        var clock = Stopwatch.StartNew();
        var deadline = DateTime.UtcNow + timeout;
        var topic = options.Topics.Devices;
        using var consumer = BuildConsumer(options, "sensing-registry-load", log);
        Dictionary<int, long> ends;
        using (var admin = new DependentAdminClientBuilder(consumer.Handle).Build())
        {
            ends = CompactedTopicReader.EndOffsets(consumer, admin, topic, deadline);
        }

        var next = ends.Keys.ToDictionary(p => p, _ => 0L);
        var total = ends.Values.Sum();
        long records = 0, bad = 0;
        var pending = new List<DeviceUpdate>(Math.Min(LoadBatch, (int)Math.Min(total, int.MaxValue)));
        if (ends.Values.Any(end => end > 0))
        {
            consumer.Assign(ends.Where(e => e.Value > 0).Select(e => new TopicPartitionOffset(topic, e.Key, Offset.Beginning)));
            var open = ends.Where(e => e.Value > 0).ToDictionary(e => e.Key, e => e.Value);
            var lastProgress = Stopwatch.StartNew();
            while (open.Count > 0)
            {
                var left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero)
                {
                    throw new TimeoutException($"{topic}: end not reached within {timeout.TotalSeconds:0} s ({records:N0} of {total:N0} records read)");
                }

                var result = consumer.Consume(left < TimeSpan.FromSeconds(1) ? left : TimeSpan.FromSeconds(1));
                if (result?.Message is null)
                {
                    continue;
                }

                records++;
                if (Decode(result, log) is { } update)
                {
                    pending.Add(update);
                }
                else
                {
                    bad++;
                }

                next[result.Partition.Value] = result.Offset.Value + 1;
                if (open.TryGetValue(result.Partition.Value, out var end) && result.Offset.Value + 1 >= end)
                {
                    open.Remove(result.Partition.Value);
                }

                if (pending.Count >= LoadBatch)
                {
                    registry.Apply(pending);
                    pending.Clear();
                }

                if (progress is not null && lastProgress.ElapsedMilliseconds >= 1000)
                {
                    progress(records, total);
                    lastProgress.Restart();
                }
            }
        }

        registry.Apply(pending);
        progress?.Invoke(records, total);
        consumer.Close();
        return new RegistryPosition(next, records, bad, clock.Elapsed);
    }

    /// <summary>The registry update a record carries, or null (logged) when its value is not a registry line.</summary>
    internal static DeviceUpdate? Decode(ConsumeResult<byte[], byte[]> result, Action<string>? log)
    {
        var id = Encoding.UTF8.GetString(result.Message.Key ?? []);
        if (result.Message.Value is not { Length: > 0 } value)
        {
            return new DeviceUpdate(id, null);
        }

        try
        {
            var device = DeviceRegistryFile.ParseLine(Encoding.UTF8.GetString(value), $"{result.Topic}[{result.Partition.Value}]@{result.Offset.Value}");
            if (device.Id == id)
            {
                return new DeviceUpdate(id, device);
            }

            log?.Invoke($"{result.Topic}[{result.Partition.Value}]@{result.Offset.Value}: key '{id}' names another device than its value ('{device.Id}'); skipped");
        }
        catch (FormatException e)
        {
            log?.Invoke(e.Message + "; skipped");
        }

        return null;
    }

    internal static IConsumer<byte[], byte[]> BuildConsumer(KafkaOptions options, string clientId, Action<string>? log) =>
        new ConsumerBuilder<byte[], byte[]>(KafkaClientConfig.Consumer(options, clientId, clientId))
            .SetErrorHandler((_, e) => log?.Invoke($"{clientId}: {e.Code}: {e.Reason}"))
            .SetLogHandler((_, m) => KafkaClientConfig.Log(m, clientId, log))
            .Build();
}

/// <summary>
/// Follows <see cref="SensingTopics.Devices"/> from where <see cref="DeviceRegistryTopic.Load"/> stopped and applies
/// every change to the registry as it arrives (what arrived together, as one batch), so a device added, changed,
/// revoked or removed reaches this process within about a second, without a restart. Reads outside any consumer
/// group: every process reads the whole topic.
/// </summary>
public sealed class DeviceRegistryFollower : IDisposable
{
    private readonly KafkaOptions _options;
    private readonly DeviceRegistry _registry;
    private readonly RegistryPosition _start;
    private readonly Action<string>? _log;
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _thread;
    private long _applied;
    private long _bad;

    /// <summary>Starts following at <paramref name="start"/>.</summary>
    public DeviceRegistryFollower(KafkaOptions options, DeviceRegistry registry, RegistryPosition start, Action<string>? log = null)
    {
        _options = options;
        _registry = registry;
        _start = start;
        _log = log;
        _thread = new Thread(Run) { IsBackground = true, Name = "registry follower" };
        _thread.Start();
    }

    /// <summary>Records applied since the start (changes and no-op updates alike).</summary>
    public long Applied => Interlocked.Read(ref _applied);

    /// <summary>Records that were not a registry line (logged and skipped).</summary>
    public long Bad => Interlocked.Read(ref _bad);

    /// <summary>Reads the whole topic into a new registry and follows it: what a gateway or processor does at start.</summary>
    public static (DeviceRegistry Registry, DeviceRegistryFollower Follower, RegistryPosition Loaded) LoadAndFollow(
        KafkaOptions options, TimeSpan timeout, Action<string>? log = null)
    {
        var registry = new DeviceRegistry();
        var loaded = DeviceRegistryTopic.Load(options, registry, timeout, log);
        return (registry, new DeviceRegistryFollower(options, registry, loaded, log), loaded);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _stop.Cancel();
        _thread.Join(TimeSpan.FromSeconds(10));
        _stop.Dispose();
    }

    private void Run()
    {
        var topic = _options.Topics.Devices;
        try
        {
            using var consumer = DeviceRegistryTopic.BuildConsumer(_options, "sensing-registry-follow", _log);
            var partitions = _start.NextOffsets.Count == 0 ? new Dictionary<int, long> { [0] = 0 } : _start.NextOffsets;
            consumer.Assign(partitions.Select(p => new TopicPartitionOffset(topic, p.Key, new Offset(p.Value))));
            var batch = new List<DeviceUpdate>();
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    var result = consumer.Consume(TimeSpan.FromMilliseconds(250));
                    // What has arrived goes in one batch: the registry copies its index once per batch, not per record.
                    while (result?.Message is not null)
                    {
                        Add(batch, result);
                        result = batch.Count < 10_000 ? consumer.Consume(TimeSpan.Zero) : null;
                    }

                    if (batch.Count != 0)
                    {
                        var changes = _registry.Apply(batch);
                        Interlocked.Add(ref _applied, batch.Count);
                        _log?.Invoke($"registry: {batch.Count} record(s) from {topic}, {changes.Count} change(s), {_registry.Active:N0} devices");
                        batch.Clear();
                    }
                }
                catch (ConsumeException e)
                {
                    _log?.Invoke($"registry follower: {e.Error.Code}: {e.Error.Reason}");
                    Thread.Sleep(500);
                }
            }

            consumer.Close();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _log?.Invoke($"registry follower stopped: {e.GetType().Name}: {e.Message}");
        }
    }

    private void Add(List<DeviceUpdate> batch, ConsumeResult<byte[], byte[]> result)
    {
        if (DeviceRegistryTopic.Decode(result, _log) is { } update)
        {
            batch.Add(update);
        }
        else
        {
            Interlocked.Increment(ref _bad);
        }
    }
}

/// <summary>
/// Writes registry changes to <see cref="SensingTopics.Devices"/>: a device's line keyed by its id, or a tombstone.
/// Every write waits until Kafka has it (all in-sync replicas), in the order given.
/// </summary>
public sealed class DeviceRegistryPublisher : IDisposable
{
    private readonly IProducer<byte[], byte[]?> _producer;
    private readonly string _topic;

    /// <summary>A publisher for the registry topic of <paramref name="options"/>.</summary>
    public DeviceRegistryPublisher(KafkaOptions options, Action<string>? log = null)
    {
        options.Validate();
        _topic = options.Topics.Devices;
        var config = KafkaClientConfig.Producer(options, "sensing-registry");
        // Order per device across retries: one request in flight unless the producer is idempotent.
        _producer = new ProducerBuilder<byte[], byte[]?>(config)
            .SetErrorHandler((_, e) => log?.Invoke($"registry publisher: {e.Code}: {e.Reason}"))
            .SetLogHandler((_, m) => KafkaClientConfig.Log(m, "registry publisher", log))
            .Build();
    }

    /// <summary>
    /// Writes the updates in order and waits for every one; <paramref name="progress"/> gets the number acknowledged
    /// now and then. Returns how many were written.
    /// </summary>
    /// <exception cref="KafkaException">A write failed; the ones before it may be stored, the ones after it are not sent.</exception>
    public long Publish(IReadOnlyList<DeviceUpdate> updates, Action<long>? progress = null, CancellationToken cancellationToken = default)
    {
        long acknowledged = 0;
        Error? failure = null;
        var clock = Stopwatch.StartNew();
        foreach (var update in updates)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (Volatile.Read(ref failure) is { } failed)
            {
                throw new KafkaException(failed);
            }

            var message = new Message<byte[], byte[]?>
            {
                Key = Encoding.UTF8.GetBytes(update.Id),
                Value = update.Device is null ? null : Encoding.UTF8.GetBytes(DeviceRegistryFile.FormatLine(update.Device)),
            };
            while (true)
            {
                try
                {
                    _producer.Produce(_topic, message, report =>
                    {
                        if (report.Error.IsError)
                        {
                            Interlocked.CompareExchange(ref failure, report.Error, null);
                        }
                        else
                        {
                            Interlocked.Increment(ref acknowledged);
                        }
                    });
                    break;
                }
                catch (ProduceException<byte[], byte[]?> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
                {
                    _producer.Poll(TimeSpan.FromMilliseconds(100));
                }
            }

            if (progress is not null && clock.ElapsedMilliseconds >= 1000)
            {
                progress(Interlocked.Read(ref acknowledged));
                clock.Restart();
            }
        }

        while (_producer.Flush(TimeSpan.FromMilliseconds(500)) > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            progress?.Invoke(Interlocked.Read(ref acknowledged));
        }

        if (Volatile.Read(ref failure) is { } error)
        {
            throw new KafkaException(error);
        }

        progress?.Invoke(acknowledged);
        return acknowledged;
    }

    /// <inheritdoc />
    public void Dispose() => _producer.Dispose();
}
