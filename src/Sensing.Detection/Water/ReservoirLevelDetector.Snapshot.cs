using Sensing.Detection.Internal;

namespace Sensing.Detection.Water;

/// <summary>Per-gauge state for checkpoints (<see cref="DetectionEngine.WriteSnapshot"/>): the alert latch; the colour levels come from the registry.</summary>
public sealed partial class ReservoirLevelDetector
{
    internal void WriteState(int index, StateWriter writer) => _track.WriteState(index, writer);

    internal void ReadState(int index, ref StateReader reader) => _track.ReadState(index, ref reader);
}
