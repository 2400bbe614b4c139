using Sensing.Core.Commands;

namespace Sensing.Detection;

/// <summary>
/// Receives the device commands a <see cref="DetectionEngine"/> decides (e.g. close a gas meter's valve on a
/// rupture). Called synchronously on the engine's thread, right after the alert that caused the command, so the
/// same rules as <see cref="IAlertSink"/> apply: may allocate, must not block.
/// </summary>
public interface ICommandSink
{
    /// <summary>One command for one device; its id is deterministic, so a replay repeats the same id.</summary>
    void OnCommand(DeviceCommand command);
}
