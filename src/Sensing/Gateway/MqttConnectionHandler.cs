using Microsoft.AspNetCore.Connections;
using Sensing.Core.Devices;

namespace Sensing.Gateway;

/// <summary>Kestrel's entry point for each accepted MQTT connection.</summary>
public sealed class MqttConnectionHandler(
    GatewayOptions options, DeviceRegistry registry, ReadingIngest ingest, GatewayCounters counters, SessionBook sessions,
    DeviceLimits limits, GatewayInstruments instruments, KeepAliveClock clock, IHostApplicationLifetime lifetime) : ConnectionHandler
{
    /// <inheritdoc />
    public override Task OnConnectedAsync(ConnectionContext connection) =>
        new MqttConnection(connection, options, registry, ingest, counters, instruments, sessions, limits, clock, lifetime.ApplicationStopping).RunAsync();
}
