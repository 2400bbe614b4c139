using Sensing.Core.Alerts;

namespace Sensing.Feed;

/// <summary>
/// Ends timed shelves: when a shelve's time is up, publishes an <see cref="AlertEventType.Unshelved"/> event by
/// <c>shelve-expiry</c> whose event time is the shelve's end. Every feed instance does this; the copies are the same
/// event (same type, time and actor), so the board keeps one. Waits for the rebuild, so a shelve already ended on
/// the topic is not ended twice.
/// </summary>
public sealed class ShelveExpiry(AlertBoard board, AlertPublisher publisher, FeedOptions options, TimeProvider clock,
    ILogger<ShelveExpiry> logger) : BackgroundService
{
    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.ShelveCheckInterval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            if (!board.Rebuilt)
            {
                continue;
            }

            foreach (var shelve in board.ExpiredShelves(clock.GetUtcNow().ToUnixTimeMilliseconds()))
            {
                var until = shelve.ShelvedUntilMs!.Value;
                var unshelve = shelve with
                {
                    Type = AlertEventType.Unshelved,
                    EventTimeMs = until,
                    Actor = AlertRecord.ShelveExpiryActor,
                    Note = $"shelve by {shelve.Actor} ended",
                    ShelvedUntilMs = until,
                };
                try
                {
                    await publisher.PublishAsync(unshelve, options.ActionTimeout, stoppingToken);
                    board.Apply(unshelve);
                }
                catch (AlertPublishException e)
                {
                    logger.LogWarning("alert {Id}: shelve expiry not published, retrying: {Error}", shelve.Id, e.Message);
                }
            }
        }
    }
}
