using Sensing.Detection.Internal;

namespace Sensing.Detection.Gas;

/// <summary>Per-device state for checkpoints (<see cref="DetectionEngine.WriteSnapshot"/>).</summary>
public sealed partial class GasMeterDetector
{
    /// <summary>Size of the per-meter struct, part of the snapshot's layout check.</summary>
    internal static int StateSize => StateWriter.SizeOf<Meter>();

    internal void WriteState(int deviceNumber, StateWriter writer)
    {
        writer.WriteStruct(in _meters[deviceNumber]);
        foreach (var track in (ReadOnlySpan<AlertTrack>)[_microLeak, _rupture, _longUse, _tamper, _valveFault])
        {
            track.WriteState(deviceNumber, writer);
        }
    }

    internal void ReadState(int deviceNumber, ref StateReader reader)
    {
        _meters[deviceNumber] = reader.ReadStruct<Meter>();
        foreach (var track in (ReadOnlySpan<AlertTrack>)[_microLeak, _rupture, _longUse, _tamper, _valveFault])
        {
            track.ReadState(deviceNumber, ref reader);
        }

        // Limits are not state: resolved again from the registry on the meter's next reading.
        _resolvedFor[deviceNumber] = null;
    }
}
