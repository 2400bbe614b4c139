namespace Sensing.Simulators.Truth;

/// <summary>One line of a ground-truth file.</summary>
/// <param name="Kind">Incident kind, e.g. <c>pipe-burst</c> (see <see cref="Incidents.IncidentKinds"/>).</param>
/// <param name="Source">Device id, or district name for district incidents.</param>
/// <param name="StartMs">Event time the incident starts, Unix ms.</param>
/// <param name="EndMs">Event time it ends, Unix ms.</param>
/// <param name="ExpectedCondition">Alert condition name that must be raised, or <c>none</c> for a trap.</param>
public sealed record TruthEntry(string Kind, string Source, long StartMs, long EndMs, string ExpectedCondition)
{
    /// <summary>True for traps, which must raise nothing.</summary>
    public bool IsTrap => ExpectedCondition == Incidents.IncidentKinds.NoAlert;
}
