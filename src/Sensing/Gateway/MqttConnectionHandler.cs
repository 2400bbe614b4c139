using System.Net;
using Microsoft.AspNetCore.Connections;
using Sensing.Core.Devices;

namespace Sensing.Gateway;

/// <summary>Kestrel's entry point for each accepted MQTT connection.</summary>
public sealed class MqttConnectionHandler(
    GatewayOptions options, DeviceRegistry registry, ReadingIngest ingest, GatewayCounters counters, SessionBook sessions,
    DeviceLimits limits, GatewayInstruments instruments, IHostApplicationLifetime lifetime) : ConnectionHandler
{
    /// <inheritdoc />
    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        var address = (connection.RemoteEndPoint as IPEndPoint)?.Address;
        var allowed = limits.TryOpen(address);
        await using var mqtt = new MqttConnection(connection, options, registry, ingest, counters, instruments, sessions, limits, allowed, lifetime.ApplicationStopping);
        try
        {
            await mqtt.RunAsync();
        }
        finally
        {
            if (allowed)
            {
                limits.Close(address);
            }

            if (mqtt.Device is { } device)
            {
                counters.Disconnected(device.Kind);
            }
        }
    }
}
