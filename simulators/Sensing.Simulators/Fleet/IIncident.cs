namespace Sensing.Simulators.Fleet;

/// <summary>Something injected into a device's readings, with the alert it should cause.</summary>
public interface IIncident
{
    /// <summary>Ground truth: what, where, when, and the expected alert.</summary>
    GroundTruthEntry Truth { get; }

    /// <summary>Writes the device's metrics while the incident shapes them; false to fall back to normal readings.</summary>
    bool TryWrite(ref SimulatedDevice.JsonLine json, SimulatedDevice device, long nowMs);
}

/// <summary>One injected incident, as written to the ground-truth file.</summary>
/// <param name="Incident">Incident kind, e.g. <c>methane-leak</c>.</param>
/// <param name="Source">Device id (or district) affected.</param>
/// <param name="StartMs">Event time the incident starts.</param>
/// <param name="EndMs">Event time it ends.</param>
/// <param name="ExpectedCondition">Alert condition that must be raised (empty for traps that must raise nothing).</param>
/// <param name="ExpectedSeverity">Highest severity the alert should reach.</param>
public sealed record GroundTruthEntry(string Incident, string Source, long StartMs, long EndMs, string ExpectedCondition, string ExpectedSeverity);
