using Sensing.Core.Alerts;

namespace Sensing.Feed;

/// <summary>One alert's events and derived state. Not thread-safe: the <see cref="AlertBoard"/> holds its lock.</summary>
internal sealed class AlertRecord(string id)
{
    /// <summary>Actor written on the unshelve the feed publishes when a shelve's time is up.</summary>
    public const string ShelveExpiryActor = "shelve-expiry";

    private readonly List<AlertEvent> _history = [];
    private AlertEvent? _lifecycle;
    private AlertEvent? _acknowledged;
    private AlertEvent? _shelve;

    public string Id => id;

    public IReadOnlyList<AlertEvent> History => _history;

    /// <summary>The latest Raised/Updated/Cleared step, or null when only operator actions were read.</summary>
    public AlertEvent? Lifecycle => _lifecycle;

    public bool IsAcknowledged => _acknowledged is not null;

    /// <summary>The shelve in force at <paramref name="nowMs"/>, or null.</summary>
    public AlertEvent? ShelveAt(long nowMs) => _shelve is { ShelvedUntilMs: { } until } s && until > nowMs ? s : null;

    /// <summary>A shelve whose time is up but whose unshelve has not been read yet, or null.</summary>
    public AlertEvent? ExpiredShelveAt(long nowMs) => _shelve is { ShelvedUntilMs: { } until } s && until <= nowMs ? s : null;

    /// <summary>Applies one event; false for a duplicate or a stale expiry (nothing changed).</summary>
    public bool Apply(AlertEvent e)
    {
        foreach (var seen in _history)
        {
            // The topic is at-least-once and the processor re-emits on replay: the same step read twice is one step.
            if (seen.Type == e.Type && seen.EventTimeMs == e.EventTimeMs && seen.Severity == e.Severity
                && seen.Actor == e.Actor && seen.ShelvedUntilMs == e.ShelvedUntilMs)
            {
                return false;
            }
        }

        switch (e.Type)
        {
            case AlertEventType.Raised or AlertEventType.Updated or AlertEventType.Cleared:
                // The processor emits one alert's steps in event-time order; a late copy of an older step never
                // replaces a newer state.
                if (_lifecycle is null || e.EventTimeMs >= _lifecycle.EventTimeMs)
                {
                    _lifecycle = e;
                }

                break;
            case AlertEventType.Acknowledged:
                _acknowledged ??= e;
                break;
            case AlertEventType.Shelved:
                _shelve = e;
                break;
            case AlertEventType.Unshelved:
                // Every feed instance publishes the expiry of a shelve; one that ends an older shelve is stale.
                if (e.Actor == ShelveExpiryActor && (_shelve is null || _shelve.ShelvedUntilMs != e.ShelvedUntilMs))
                {
                    return false;
                }

                _shelve = null;
                break;
            case AlertEventType.Repaired:
                // A report in the alert's history; the alert itself clears when its detector says so.
                break;
            default:
                return false;
        }

        _history.Add(e);
        return true;
    }

    /// <summary>The alert's state at <paramref name="nowMs"/>, or null while no lifecycle step is known.</summary>
    public AlertSummary? Summary(long nowMs)
    {
        if (_lifecycle is not { } l)
        {
            return null;
        }

        var shelve = ShelveAt(nowMs);
        return new AlertSummary
        {
            Id = id,
            Type = l.Type,
            State = l.Type == AlertEventType.Cleared ? "cleared" : "active",
            Acknowledged = _acknowledged is not null,
            AcknowledgedBy = _acknowledged?.Actor,
            AcknowledgedAtMs = _acknowledged?.EventTimeMs,
            Shelved = shelve is not null,
            ShelvedBy = shelve?.Actor,
            ShelvedUntilMs = shelve?.ShelvedUntilMs,
            Source = l.Source,
            Condition = l.Condition,
            Severity = l.Severity,
            District = l.District,
            DeviceKind = l.DeviceKind,
            RaisedAtMs = l.RaisedAtMs,
            EventTimeMs = l.EventTimeMs,
            ClearedAtMs = l.ClearedAtMs,
            Value = l.Value,
            PeakValue = l.PeakValue,
            Count = l.Count,
            Message = l.Message,
            Devices = l.Devices,
        };
    }
}
