using Sensing.Rules;

namespace Sensing.Feed;

/// <summary>
/// Follows the feed's rules file (<c>--rules</c>) while the feed runs: a <see cref="RulesWatcher"/> reads it again when
/// it changes, and a file that reads and checks gives its response texts to the <see cref="AlertResponseBook"/> from the
/// next request on. A file that does not is logged and the texts in force stay. Without a rules file it does nothing.
/// </summary>
public sealed class FeedRulesFollower(FeedOptions options, AlertResponseBook responses, ILogger<FeedRulesFollower> log) : BackgroundService
{
    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Rules is not { } current)
        {
            return;
        }

        using var watcher = new RulesWatcher(current, options.RulesPollInterval);
        log.LogInformation("rules: response texts from {File} (sha256 {Sha256}); read again when it changes", current.File, current.Sha256);
        using var timer = new PeriodicTimer(options.RulesPollInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                if (!watcher.TryTake(out var change))
                {
                    continue;
                }

                if (change.Rules is { } rules)
                {
                    var changed = rules.ChangesFrom(current).Where(c => c.Contains("responses.", StringComparison.Ordinal)).ToList();
                    responses.Use(rules);
                    current = rules;
                    log.LogInformation("rules: {File} read again (sha256 {Sha256}); response texts changed: {Changes}",
                        rules.File, rules.Sha256, changed.Count == 0 ? "none" : string.Join("; ", changed.Select(c => c.Split(':')[0])));
                }
                else
                {
                    log.LogWarning("rules: {File} not used, the texts in force stay: {Problem}", watcher.File, change.Error?.Message);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The feed is stopping.
        }
    }
}
