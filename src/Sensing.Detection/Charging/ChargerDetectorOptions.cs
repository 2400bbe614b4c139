using Sensing.Detection.Internal;

namespace Sensing.Detection.Charging;

/// <summary>
/// Rules for EV chargers (<see cref="Core.Devices.DeviceKind.EvCharger"/>, OCPP 1.6 StatusNotification):
/// safety errors raise at once; Faulted or Unavailable longer than <see cref="OutOfServiceAfter"/> is out of
/// service. <see cref="DetectionOverrides"/> change them per district or charger.
/// </summary>
public sealed record ChargerDetectorOptions
{
    /// <summary>The defaults described on each property.</summary>
    public static ChargerDetectorOptions Default { get; } = new();

    /// <summary>
    /// How long (event time) a connector may stay Faulted or Unavailable before <c>charger.out-of-service</c> is
    /// raised. Default 15 minutes.
    /// </summary>
    // DOMAIN.md: "Faulted or Unavailable longer than N minutes". 15 min outlasts an OCPP Reset (a reboot and a
    // new BootNotification take a few minutes) yet catches a dead charger within one operator shift's glance.
    public TimeSpan OutOfServiceAfter { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first option that is out of range.</summary>
    public void Validate()
    {
        if (OutOfServiceAfter <= TimeSpan.Zero)
        {
            ThrowHelper.ThrowBadOption(nameof(OutOfServiceAfter), $"must be positive, was {OutOfServiceAfter}");
        }
    }
}
