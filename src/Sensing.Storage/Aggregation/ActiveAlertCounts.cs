using Sensing.Core.Alerts;

namespace Sensing.Storage.Aggregation;

/// <summary>
/// Counts active alerts by condition, district and severity from the lifecycle events the processor publishes, and
/// writes them as <c>sensing_alerts_active</c> gauge points. A group whose count fell to 0 keeps being written (as 0),
/// so the gauge comes down instead of stopping at its last value. Not thread-safe.
/// </summary>
public sealed class ActiveAlertCounts
{
    private readonly Dictionary<string, GroupKey> _active = new(StringComparer.Ordinal);
    private readonly Dictionary<GroupKey, long> _counts = [];

    /// <summary>The measurement name.</summary>
    public static ReadOnlySpan<byte> Measurement => "sensing_alerts_active"u8;

    /// <summary>Alerts active now.</summary>
    public int Active => _active.Count;

    /// <summary>Applies one lifecycle event: a raise (or any step of an unknown alert) counts it, a severity change
    /// moves it, a clear removes it. Applying the same event twice changes nothing.</summary>
    public void Apply(AlertEvent alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        var key = new GroupKey(alert.Condition, alert.District, alert.Severity);
        var known = _active.TryGetValue(alert.Id, out var was);
        if (alert.Type == AlertEventType.Cleared)
        {
            if (known)
            {
                _active.Remove(alert.Id);
                _counts[was]--;
            }

            return;
        }

        if (known && was == key)
        {
            return;
        }

        if (known)
        {
            _counts[was]--;
        }

        _active[alert.Id] = key;
        _counts[key] = _counts.GetValueOrDefault(key) + 1;
    }

    /// <summary>How many alerts of the group are active.</summary>
    public long Count(string condition, string district, AlertSeverity severity) =>
        _counts.GetValueOrDefault(new GroupKey(condition, district, severity));

    /// <summary>Writes one point per group ever seen, stamped <paramref name="timestampMs"/>.</summary>
    public void Write(long timestampMs, LineProtocolWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        foreach (var (key, count) in _counts)
        {
            output.Measurement(Measurement)
                .Tag("condition"u8, key.Condition)
                .Tag("district"u8, key.District)
                .Tag("severity"u8, SeverityName(key.Severity))
                .Field("value"u8, count)
                .EndLine(timestampMs);
        }
    }

    /// <summary>The severity as written in tags (<c>Low</c> .. <c>Critical</c>).</summary>
    public static ReadOnlySpan<byte> SeverityName(AlertSeverity severity) => severity switch
    {
        AlertSeverity.Low => "Low"u8,
        AlertSeverity.Medium => "Medium"u8,
        AlertSeverity.High => "High"u8,
        AlertSeverity.Critical => "Critical"u8,
        _ => "Unknown"u8,
    };

    private readonly record struct GroupKey(string Condition, string District, AlertSeverity Severity);
}
