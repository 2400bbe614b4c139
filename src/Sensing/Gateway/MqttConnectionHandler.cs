using Microsoft.AspNetCore.Connections;
using Sensing.Core.Devices;

namespace Sensing.Gateway;

/// <summary>Kestrel's entry point for each accepted MQTT TCP connection.</summary>
public sealed class MqttConnectionHandler(GatewayOptions options, DeviceRegistry registry, ReadingIngest ingest, GatewayCounters counters) : ConnectionHandler
{
    /// <inheritdoc />
    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        await using var mqtt = new MqttConnection(connection, options, registry, ingest, counters);
        var authenticated = false;
        try
        {
            await mqtt.RunAsync();
            authenticated = mqtt.IsAuthenticated;
        }
        finally
        {
            if (authenticated || mqtt.IsAuthenticated)
            {
                counters.Disconnected();
            }
        }
    }
}
