using Sensing.Core.Devices;
using Sensing.Core.Telemetry;

namespace Sensing.Detection.Internal;

/// <summary>
/// A detector for one device kind. The engine has already dropped duplicates and resolved the device; a detector
/// keeps its per-device state in flat arrays indexed by the dense device number and must not allocate per reading.
/// </summary>
internal interface IDeviceDetector
{
    /// <summary>The device kind whose readings this detector examines.</summary>
    DeviceKind Kind { get; }

    /// <summary>Grows per-device state so numbers 0..<paramref name="capacity"/>-1 are valid; existing state is kept.</summary>
    void EnsureCapacity(int capacity);

    /// <summary>Examines one new (non-duplicate) reading of <paramref name="device"/>.</summary>
    void Process(int deviceNumber, DeviceInfo device, TelemetryFrame reading);
}
