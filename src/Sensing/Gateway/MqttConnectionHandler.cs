using Microsoft.AspNetCore.Connections;
using Sensing.Core.Devices;

namespace Sensing.Gateway;

/// <summary>Kestrel's entry point for each accepted MQTT connection.</summary>
public sealed class MqttConnectionHandler(
    GatewayOptions options, DeviceRegistry registry, ReadingIngest ingest, GatewayCounters counters, SessionBook sessions,
    IHostApplicationLifetime lifetime) : ConnectionHandler
{
    /// <inheritdoc />
    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        await using var mqtt = new MqttConnection(connection, options, registry, ingest, counters, sessions, lifetime.ApplicationStopping);
        try
        {
            await mqtt.RunAsync();
        }
        finally
        {
            if (mqtt.IsAuthenticated)
            {
                counters.Disconnected();
            }
        }
    }
}
