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
    private long _undecodable;

    /// <summary>Records on the alerts topic that were not alert events.</summary>
    public long Undecodable => Interlocked.Read(ref _undecodable);

    /// <inheritdoc />
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.Factory.StartNew(() => Run(stoppingToken), stoppingToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private void Run(CancellationToken stoppingToken)
    {
        var group = $"sensing-feed-{Environment.MachineName}-{Guid.NewGuid():N}";
        var assigned = 0;
        using var consumer = new RecordConsumer(kafka, group, "sensing-feed", m => logger.LogWarning("{Message}", m),
            onAssigned: parts => Volatile.Write(ref assigned, parts.Count));
        consumer.Subscribe(kafka.Topics.Alerts);
        while (!stoppingToken.IsCancellationRequested)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is not { } record)
            {
                // Once partitions are assigned (reading from the earliest offset), a quiet poll means the backlog
                // is read: the view is rebuilt and shelve expiries may be decided.
                if (Volatile.Read(ref assigned) > 0)
                {
                    board.Rebuilt = true;
                }

                continue;
            }

            try
            {
                if (JsonSerializer.Deserialize(record.Value, AlertJsonContext.Default.AlertEvent) is { } alert)
                {
                    board.Apply(alert);
                }
            }
            catch (JsonException e)
            {
                Interlocked.Increment(ref _undecodable);
                logger.LogWarning("alerts topic partition {Partition} offset {Offset}: not an alert event: {Error}", record.Partition, record.Offset, e.Message);
            }
        }
    }
}
