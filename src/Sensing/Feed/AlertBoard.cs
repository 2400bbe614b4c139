using Sensing.Core.Alerts;

namespace Sensing.Feed;

/// <summary>
/// The feed's view of every alert, rebuilt from <c>sensing.alerts</c>: lifecycle steps from the processor and
/// operator actions from every feed instance. Applying the same event twice changes nothing (the topic is
/// at-least-once), so a replay or a restarted consumer is harmless. Every applied event goes to the
/// <see cref="AlertStream"/>.
/// </summary>
public sealed partial class AlertBoard
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, AlertRecord> _alerts = new(StringComparer.Ordinal);
    private readonly TimeProvider _clock;
    private long _applied;
    private bool _rebuilt;

    /// <summary>A board streaming to a new <see cref="AlertStream"/> sized by <paramref name="options"/>.</summary>
    public AlertBoard(FeedOptions options, TimeProvider clock)
    {
        _clock = clock;
        Stream = new AlertStream(clock.GetUtcNow().ToUnixTimeMilliseconds(), options.ReplayCapacity, options.SubscriberQueue);
    }

    /// <summary>The live stream of applied events.</summary>
    public AlertStream Stream { get; }

    /// <summary>Events applied (duplicates excluded).</summary>
    public long Applied => Interlocked.Read(ref _applied);

    /// <summary>True once the consumer has read to the end of the topic after start (the rebuild is done).</summary>
    public bool Rebuilt
    {
        get => Volatile.Read(ref _rebuilt);
        internal set => Volatile.Write(ref _rebuilt, value);
    }

    private long NowMs => _clock.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>Applies one event; returns the stream entry, or null for a duplicate.</summary>
    public FeedEntry? Apply(AlertEvent alert)
    {
        lock (_gate)
        {
            if (!_alerts.TryGetValue(alert.Id, out var record))
            {
                record = new AlertRecord(alert.Id);
                _alerts[alert.Id] = record;
            }

            if (!record.Apply(alert))
            {
                return null;
            }

            _applied++;
            var summary = record.Summary(NowMs);
            return Stream.Append(seq => new FeedEntry(seq, alert, summary));
        }
    }

    /// <summary>The alert with <paramref name="id"/> and its history, or null.</summary>
    public AlertDetail? Find(string id)
    {
        lock (_gate)
        {
            return _alerts.TryGetValue(id, out var record) && record.Summary(NowMs) is { } summary
                ? new AlertDetail(id, summary.State, summary, [.. record.History])
                : null;
        }
    }

    /// <summary>The latest lifecycle step of an alert and whether it is acknowledged and shelved now, or null.</summary>
    internal (AlertEvent Lifecycle, bool Acknowledged, AlertEvent? Shelve)? StateOf(string id)
    {
        lock (_gate)
        {
            return _alerts.TryGetValue(id, out var record) && record.Lifecycle is { } lifecycle
                ? (lifecycle, record.IsAcknowledged, record.ShelveAt(NowMs))
                : null;
        }
    }

    /// <summary>Alerts matching <paramref name="filter"/> in its order (newest raise first by default), one page of them.</summary>
    public AlertPage Query(AlertFilter filter)
    {
        lock (_gate)
        {
            var now = NowMs;
            var summaries = _alerts.Values.Select(r => r.Summary(now)).OfType<AlertSummary>().Where(filter.Matches);
            var ordered = filter.Sort == "severity"
                ? summaries.OrderBy(a => a.IsActive ? 0 : 1).ThenByDescending(a => a.Severity).ThenByDescending(a => a.RaisedAtMs)
                : summaries.OrderByDescending(a => a.RaisedAtMs);
            var matching = ordered.ThenBy(a => a.Id, StringComparer.Ordinal).ToList();
            return new AlertPage(matching.Count, [.. matching.Skip(filter.Offset).Take(filter.Limit)]);
        }
    }

    /// <summary>Shelves whose time is up at <paramref name="nowMs"/> and whose unshelve has not been read yet.</summary>
    internal IReadOnlyList<AlertEvent> ExpiredShelves(long nowMs)
    {
        lock (_gate)
        {
            return [.. _alerts.Values.Select(r => r.ExpiredShelveAt(nowMs)).OfType<AlertEvent>()];
        }
    }
}

/// <summary>One page of a query: how many alerts matched, and those on the page.</summary>
/// <param name="Total">Alerts matching the filter.</param>
/// <param name="Items">The page.</param>
public sealed record AlertPage(int Total, IReadOnlyList<AlertSummary> Items);
