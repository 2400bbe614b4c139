using System.Text.Json;
using Sensing.Core.Alerts;
using Sensing.Kafka;

namespace Sensing.Feed;

/// <summary>
/// Reads <c>sensing.alerts</c> from the beginning into the <see cref="AlertBoard"/>, then follows it. Each feed
/// instance uses its own consumer group and never commits, so every start rebuilds the full view: lifecycle steps,
/// acknowledgements, shelves and unshelves, whichever instance wrote them.
/// </summary>
public sealed class AlertFeedConsumer(KafkaOptions kafka, AlertBoard board, ILogger<AlertFeedConsumer> logger) : BackgroundService
{
    private static readonly TimeSpan RebuildGrace = TimeSpan.FromSeconds(30);

    private long _undecodable;

    /// <summary>Records on the alerts topic that were not alert events.</summary>
    public long Undecodable => Interlocked.Read(ref _undecodable);

    /// <inheritdoc />
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.Factory.StartNew(() => Run(stoppingToken), stoppingToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private void Run(CancellationToken stoppingToken)
    {
        var group = $"sensing-feed-{Environment.MachineName}-{Guid.NewGuid():N}";
        var assignedAt = 0L;
        using var consumer = new RecordConsumer(kafka, group, "sensing-feed", m => logger.LogWarning("{Message}", m),
            onAssigned: parts =>
            {
                if (parts.Count > 0)
                {
                    Interlocked.CompareExchange(ref assignedAt, Environment.TickCount64, 0);
                }
            });
        consumer.Subscribe(kafka.Topics.Alerts);
        while (!stoppingToken.IsCancellationRequested)
        {
            var record = consumer.Consume(TimeSpan.FromMilliseconds(200));
            var since = Interlocked.Read(ref assignedAt);

            // Once partitions are assigned (reading from the earliest offset), a quiet poll means the backlog is
            // read: the view is rebuilt and shelve expiries may be decided. On a topic that is never quiet, the
            // rebuild counts as done RebuildGrace after assignment (an early expiry is at worst one extra unshelve
            // event in a history).
            if (!board.Rebuilt && since != 0 && (record is null || Environment.TickCount64 - since > RebuildGrace.TotalMilliseconds))
            {
                board.Rebuilt = true;
            }

            if (record is not { } r)
            {
                continue;
            }

            try
            {
                if (JsonSerializer.Deserialize(r.Value, AlertJsonContext.Default.AlertEvent) is { } alert)
                {
                    board.Apply(alert);
                }
            }
            catch (JsonException e)
            {
                Interlocked.Increment(ref _undecodable);
                logger.LogWarning("alerts topic partition {Partition} offset {Offset}: not an alert event: {Error}", r.Partition, r.Offset, e.Message);
            }
        }
    }
}
