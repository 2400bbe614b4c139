using Sensing.Core.Alerts;
using Sensing.Detection;
using Sensing.Simulators.Truth;

namespace Sensing.Simulators.Backtest;

/// <summary>
/// Folds a detection engine's lifecycle events into one <see cref="AlertRecord"/> per alert id, in the order raised:
/// the highest severity it reached and its clear time once cleared. Not thread-safe (one engine, one thread).
/// </summary>
public sealed class AlertRecordSink : IAlertSink
{
    private readonly Dictionary<string, int> _byId = new(StringComparer.Ordinal);
    private readonly List<AlertRecord> _records = [];

    /// <summary>Every alert, in the order raised.</summary>
    public IReadOnlyList<AlertRecord> Records => _records;

    /// <inheritdoc />
    public void OnAlert(AlertEvent alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        long? cleared = alert.Type == AlertEventType.Cleared ? alert.ClearedAtMs ?? alert.EventTimeMs : null;
        if (!_byId.TryGetValue(alert.Id, out var at))
        {
            _byId[alert.Id] = _records.Count;
            _records.Add(new AlertRecord(alert.Id, alert.Source, alert.Condition, alert.Severity.ToString(), alert.RaisedAtMs, cleared));
            return;
        }

        var record = _records[at];
        var severity = Enum.Parse<AlertSeverity>(record.Severity) >= alert.Severity ? record.Severity : alert.Severity.ToString();
        _records[at] = record with { Severity = severity, ClearedAtMs = cleared ?? record.ClearedAtMs };
    }
}
