namespace Sensing.Core.Alerts;

/// <summary>
/// A step in an alert's life. Every step is one record on <c>sensing.alerts</c>: the processor writes
/// <see cref="Raised"/>, <see cref="Updated"/> and <see cref="Cleared"/>; the feed writes the operator actions.
/// </summary>
public enum AlertEventType : byte
{
    /// <summary>The condition became true; the alert is active.</summary>
    Raised = 1,
    /// <summary>Still active: severity, value or count changed.</summary>
    Updated = 2,
    /// <summary>The condition returned to normal (past the deadband and off-delay).</summary>
    Cleared = 3,
    /// <summary>An operator acknowledged the alert.</summary>
    Acknowledged = 4,
    /// <summary>An operator shelved the alert until <see cref="AlertEvent.ShelvedUntilMs"/>.</summary>
    Shelved = 5,
    /// <summary>An operator (or the shelve timer) unshelved the alert.</summary>
    Unshelved = 6,
    /// <summary>
    /// An operator reported the fault behind the alert fixed (a leak repaired), with a note; the detector learns its
    /// baseline again from then on.
    /// </summary>
    Repaired = 7,
}
