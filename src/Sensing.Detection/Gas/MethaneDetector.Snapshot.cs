using Sensing.Detection.Internal;

namespace Sensing.Detection.Gas;

/// <summary>Per-device state for checkpoints (<see cref="DetectionEngine.WriteSnapshot"/>).</summary>
public sealed partial class MethaneDetector
{
    internal void WriteState(int deviceNumber, StateWriter writer) => _alerts.WriteState(deviceNumber, writer);

    internal void ReadState(int deviceNumber, ref StateReader reader)
    {
        _alerts.ReadState(deviceNumber, ref reader);

        // Limits are not state: resolved again from the registry on the device's next reading.
        _resolvedFor[deviceNumber] = null;
    }
}
