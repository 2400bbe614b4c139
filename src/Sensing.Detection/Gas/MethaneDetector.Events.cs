using System.Globalization;
using Sensing.Detection.Internal;
using Sensing.Core.Devices;

namespace Sensing.Detection.Gas;

/// <summary>Building the alert events; runs only on transitions, so it may allocate.</summary>
public sealed partial class MethaneDetector
{
    private void Publish(LatchSteps steps, int deviceNumber, DeviceInfo device, double lel, int level, long timeMs)
    {
        ref var state = ref _alerts[deviceNumber];
        ref readonly var limits = ref _limits[deviceNumber];
        var message = (steps & LatchSteps.Cleared) != 0
            ? string.Create(CultureInfo.InvariantCulture,
                $"Methane {lel:0.0} %LEL at {device.Id}: cleared (below {limits.ClearBelow:0.##} %LEL, peak {state.Peak:0.0} %LEL)")
            : string.Create(CultureInfo.InvariantCulture,
                $"Methane {lel:0.0} %LEL at {device.Id} (level {level}, >= {(level >= 2 ? limits.Level2 : limits.Level1):0.##} %LEL)");
        _alerts.Publish(_sink, steps, deviceNumber, device.Id, device.District, device.Kind.Name(), lel, timeMs, message);
    }
}
