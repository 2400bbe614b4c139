namespace Sensing.Detection.Water;

/// <summary>What other water detectors may ask of the burst vote.</summary>
public sealed partial class PipeBurstDetector
{
    /// <summary>True while at least one pressure CUSUM of district <paramref name="district"/> is tripped (pressure has dropped against its baseline).</summary>
    internal bool PressureTripped(int district) => (uint)district < (uint)_districts.Length && _districts[district].TrippedPressure > 0;
}
