using Sensing.Core.Alerts;

namespace Sensing.Feed;

/// <summary>An alert as the feed shows it: its latest state and every lifecycle event so far.</summary>
public sealed record AlertView(AlertEvent Latest, IReadOnlyList<AlertEvent> History)
{
    /// <summary>"active" or "cleared".</summary>
    public string State => Latest.Type == AlertEventType.Cleared ? "cleared" : "active";
}

/// <summary>
/// The feed's view of every alert, rebuilt from <c>sensing.alerts</c>. Applying the same event twice changes
/// nothing (the topic is at-least-once), so a replay or a restarted consumer is harmless.
/// </summary>
public sealed class AlertBoard
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, List<AlertEvent>> _alerts = new(StringComparer.Ordinal);
    private long _applied;

    /// <summary>Lifecycle events applied (duplicates excluded).</summary>
    public long Applied => Interlocked.Read(ref _applied);

    /// <summary>Applies one lifecycle event; returns false for a duplicate.</summary>
    public bool Apply(AlertEvent alert)
    {
        lock (_gate)
        {
            if (!_alerts.TryGetValue(alert.Id, out var history))
            {
                history = [];
                _alerts[alert.Id] = history;
            }

            foreach (var seen in history)
            {
                if (seen.Type == alert.Type && seen.EventTimeMs == alert.EventTimeMs && seen.Severity == alert.Severity)
                {
                    return false;
                }
            }

            // Keep history in event-time order; the latest entry is the alert's current state.
            var at = history.Count;
            while (at > 0 && history[at - 1].EventTimeMs > alert.EventTimeMs)
            {
                at--;
            }

            history.Insert(at, alert);
            _applied++;
            return true;
        }
    }

    /// <summary>The alert with <paramref name="id"/>, or null.</summary>
    public AlertView? Find(string id)
    {
        lock (_gate)
        {
            return _alerts.TryGetValue(id, out var history) ? new AlertView(history[^1], [.. history]) : null;
        }
    }

    /// <summary>Alerts matching <paramref name="filter"/>, newest raise first.</summary>
    public IReadOnlyList<AlertEvent> Query(AlertFilter filter)
    {
        lock (_gate)
        {
            return [.. _alerts.Values.Select(h => h[^1]).Where(filter.Matches).OrderByDescending(a => a.RaisedAtMs).Take(filter.Limit)];
        }
    }
}
