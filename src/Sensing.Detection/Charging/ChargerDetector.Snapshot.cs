using Sensing.Core.Devices;
using Sensing.Detection.Internal;

namespace Sensing.Detection.Charging;

/// <summary>Per-device state for checkpoints (<see cref="DetectionEngine.WriteSnapshot"/>).</summary>
public sealed partial class ChargerDetector
{
    internal void WriteState(int deviceNumber, StateWriter writer)
    {
        _safety.WriteState(deviceNumber, writer);
        _outOfService.WriteState(deviceNumber, writer);
    }

    internal void ReadState(int deviceNumber, DeviceInfo device, ref StateReader reader)
    {
        _safety.ReadState(deviceNumber, ref reader);
        _outOfService.ReadState(deviceNumber, ref reader);
        Resolve(deviceNumber, device);
        var timing = _timings[deviceNumber];

        // A restored pending out-of-service comes due in Advance like one started here.
        ref var latch = ref _outOfService[deviceNumber];
        if (latch.Phase == LatchPhase.Pending)
        {
            _nextDueMs = Math.Min(_nextDueMs, latch.PendingSinceMs + timing.OnDelayMs);
        }
    }
}
