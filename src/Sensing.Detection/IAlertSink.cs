using Sensing.Core.Alerts;

namespace Sensing.Detection;

/// <summary>
/// Receives the alert lifecycle steps a <see cref="DetectionEngine"/> derives. Called synchronously on the thread
/// that calls <see cref="DetectionEngine.Process"/>, only on transitions (raise, severity change, clear), so an
/// implementation may allocate but should not block: hand the event to a bounded channel or a producer.
/// </summary>
public interface IAlertSink
{
    /// <summary>One alert step: <see cref="AlertEventType.Raised"/>, <see cref="AlertEventType.Updated"/> or <see cref="AlertEventType.Cleared"/>.</summary>
    void OnAlert(AlertEvent alert);
}
