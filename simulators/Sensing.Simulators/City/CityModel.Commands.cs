using Sensing.Core.Commands;
using Sensing.Core.Devices;
using Sensing.Simulators.Incidents;

namespace Sensing.Simulators.City;

/// <summary>Downlink commands the simulated devices act on.</summary>
public sealed partial class CityModel
{
    /// <summary>
    /// Acts on a command for <paramref name="device"/> received at simulation time <paramref name="timeMs"/>: a gas
    /// meter that takes commands (<see cref="CityDevice.ValveByCommand"/>) closes or opens its valve, and its next
    /// readings say so (a closed valve reports zero flow, whatever flows behind it). Safe to call from a connection's
    /// receive thread while readings are produced. False for a command the device does not understand.
    /// </summary>
    public bool Apply(CityDevice device, DeviceCommand command, long timeMs)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(command);
        if (device.Info.Kind != DeviceKind.GasMeter || !device.ValveByCommand || command.Device != device.Info.Id)
        {
            return false;
        }

        switch (command.Command)
        {
            case DeviceCommandNames.ValveClose:
                device.CloseValve(timeMs);
                return true;
            case DeviceCommandNames.ValveOpen:
                device.OpenValve();
                return true;
            default:
                return false;
        }
    }

    /// <summary>
    /// True while <paramref name="device"/> waits for a valve-close: a gas meter that takes commands, whose flow alarm
    /// went off (a rupture it has reported) and whose valve is still open. Such a meter keeps checking its downlink.
    /// </summary>
    public bool AwaitsValveClose(CityDevice device)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (!device.ValveByCommand || device.ValveClosedAtMs != 0 || _incidentsByDevice[device.Index] is not { } list)
        {
            return false;
        }

        foreach (var incident in list)
        {
            if (incident.Kind == IncidentKind.MeterRupture && incident.FirstSeenMs > 0)
            {
                return true;
            }
        }

        return false;
    }
}
