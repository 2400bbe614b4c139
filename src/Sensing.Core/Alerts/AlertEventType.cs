namespace Sensing.Core.Alerts;

/// <summary>A step in an alert's life. Every step is one record on <c>sensing.alerts</c>.</summary>
public enum AlertEventType : byte
{
    /// <summary>The condition became true; the alert is active.</summary>
    Raised = 1,
    /// <summary>Still active: severity, value or count changed.</summary>
    Updated = 2,
    /// <summary>The condition returned to normal (past the deadband and off-delay).</summary>
    Cleared = 3,
}
