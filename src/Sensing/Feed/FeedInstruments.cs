using System.Diagnostics.Metrics;
using Sensing.Core.Alerts;
using Sensing.Storage.Telemetry;

namespace Sensing.Feed;

/// <summary>The feed's instruments in the meter <c>Sensing</c> (service <c>feed</c>).</summary>
public sealed class FeedInstruments : IDisposable
{
    private readonly Meter _meter = PipelineMetrics.CreateMeter("feed");
    private readonly Counter<long> _actions;

    /// <summary>Publishes the feed's instruments.</summary>
    public FeedInstruments()
    {
        _actions = _meter.CreateCounter<long>("sensing.feed.actions", "actions",
            "Operator actions published to sensing.alerts, by action");
    }

    /// <summary>Records one operator action Kafka acknowledged.</summary>
    public void ActionPublished(AlertEventType action) =>
        _actions.Add(1, new KeyValuePair<string, object?>("action", action switch
        {
            AlertEventType.Acknowledged => "acknowledge",
            AlertEventType.Shelved => "shelve",
            AlertEventType.Unshelved => "unshelve",
            AlertEventType.Repaired => "repaired",
            _ => "other",
        }));

    /// <inheritdoc />
    public void Dispose() => _meter.Dispose();
}
