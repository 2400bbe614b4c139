using System.Text.Json;
using Sensing.Core.Commands;
using Sensing.Core.Devices;
using Sensing.Mqtt;
using Sensing.Simulators.City;
using Sensing.Simulators.Mqtt;

namespace Sensing.Simulators.Publishing;

/// <summary>
/// The downlink: gas meters with a persistent session subscribe to their command topic <c>sensing/&lt;id&gt;/down</c>
/// (docs/gateway.md) and act on the commands the gateway delivers there (a valve-close after a rupture alert).
/// </summary>
public sealed partial class CityPublisher
{
    private async Task SubscribeCommandsAsync(CityDevice device, DeviceMqttClient client, CancellationToken cancellationToken)
    {
        if (device.Info.Kind != DeviceKind.GasMeter)
        {
            return;
        }

        client.MessageReceived += (DeviceMqttClient _, in MqttPublish message) => OnCommand(device, message.Payload);
        try
        {
            await client.SubscribeAsync($"sensing/{device.Info.Id}/down", MqttQoS.AtLeastOnce, cancellationToken);

            // From now on the valve follows the commands instead of closing by itself.
            device.ValveByCommand = true;
        }
        catch (Exception e) when (e is MqttClientException or InvalidOperationException)
        {
            Counters.AddError();
        }
    }

    private void OnCommand(CityDevice device, ReadOnlySpan<byte> payload)
    {
        DeviceCommand? command;
        try
        {
            command = JsonSerializer.Deserialize(payload, DeviceCommandJsonContext.Default.DeviceCommand);
        }
        catch (JsonException)
        {
            command = null;
        }

        if (command is not null && _city.Apply(device, command, Counters.SimulatedTimeMs))
        {
            Counters.AddCommand();
        }
        else
        {
            Counters.AddIgnoredCommand();
        }
    }
}
