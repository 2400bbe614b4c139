using Sensing.Core.Alerts;

namespace Sensing.Feed;

/// <summary>
/// An alert's current state as the feed shows it: the latest lifecycle step from the processor, plus the
/// operator's acknowledgement and shelve. Carries every field of <see cref="AlertEvent"/>'s lifecycle step, so a
/// client reading it as an alert event gets the latest step.
/// </summary>
public sealed record AlertSummary
{
    /// <summary>Deterministic alert id.</summary>
    public required string Id { get; init; }

    /// <summary>The latest lifecycle step (Raised, Updated or Cleared).</summary>
    public required AlertEventType Type { get; init; }

    /// <summary>"active" or "cleared".</summary>
    public required string State { get; init; }

    /// <summary>True once an operator acknowledged the alert.</summary>
    public bool Acknowledged { get; init; }

    /// <summary>Who acknowledged it (API key name).</summary>
    public string? AcknowledgedBy { get; init; }

    /// <summary>When it was acknowledged, Unix ms.</summary>
    public long? AcknowledgedAtMs { get; init; }

    /// <summary>True while a shelve is in force (ISA-18.2 timed shelving: hidden from the active list until it ends).</summary>
    public bool Shelved { get; init; }

    /// <summary>Who shelved it.</summary>
    public string? ShelvedBy { get; init; }

    /// <summary>When the shelve ends, Unix ms.</summary>
    public long? ShelvedUntilMs { get; init; }

    /// <summary>Device id, or district for district alerts.</summary>
    public required string Source { get; init; }

    /// <summary>Condition name, e.g. <c>gas.methane-high</c>.</summary>
    public required string Condition { get; init; }

    /// <summary>Current severity.</summary>
    public required AlertSeverity Severity { get; init; }

    /// <summary>District of the source.</summary>
    public string District { get; init; } = "";

    /// <summary>Device kind name of the source (empty for district alerts).</summary>
    public string DeviceKind { get; init; } = "";

    /// <summary>Event time of the raise, Unix ms.</summary>
    public required long RaisedAtMs { get; init; }

    /// <summary>Event time of the latest lifecycle step, Unix ms.</summary>
    public required long EventTimeMs { get; init; }

    /// <summary>Event time of the clear, Unix ms; null while active.</summary>
    public long? ClearedAtMs { get; init; }

    /// <summary>Measured value behind the latest step.</summary>
    public double Value { get; init; }

    /// <summary>Highest value while active.</summary>
    public double PeakValue { get; init; }

    /// <summary>Readings that confirmed the condition.</summary>
    public int Count { get; init; }

    /// <summary>Human-readable summary.</summary>
    public string Message { get; init; } = "";

    /// <summary>For district alerts: the devices involved.</summary>
    public string[]? Devices { get; init; }

    /// <summary>
    /// What to do: the condition's response text from the rules file (its district's, else the city's) or the built-in
    /// default, placeholders filled. In <c>GET /api/alerts/{id}</c>, in <c>GET /api/alerts</c> with <c>response=true</c>;
    /// not in stream entries.
    /// </summary>
    public string? Response { get; init; }

    /// <summary>True while the alert is active and not shelved: what an operator must look at.</summary>
    internal bool IsActive => State == "active";
}

/// <summary>Body of <c>GET /api/alerts/{id}</c>: the alert's state and every event in the order the feed read them.</summary>
/// <param name="Id">Alert id.</param>
/// <param name="State">"active" or "cleared".</param>
/// <param name="Alert">Current state.</param>
/// <param name="History">Every lifecycle step and operator action, in topic order.</param>
public sealed record AlertDetail(string Id, string State, AlertSummary Alert, IReadOnlyList<AlertEvent> History);

/// <summary>One entry of the live stream: the feed's sequence number, the event, and the alert's state after it.</summary>
/// <param name="Seq">Feed sequence number, increasing by one per applied event.</param>
/// <param name="Event">The event as read from <c>sensing.alerts</c>.</param>
/// <param name="Alert">The alert's state after the event (null while only operator actions are known).</param>
public sealed record FeedEntry(long Seq, AlertEvent Event, AlertSummary? Alert);
