using System.Net;
using Sensing.Mqtt;

namespace Sensing.Simulators.Mqtt;

/// <summary>How a simulated device connects.</summary>
public sealed record DeviceMqttConnectOptions
{
    /// <summary>Gateway address.</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>Gateway MQTT port.</summary>
    public int Port { get; init; } = 1883;

    /// <summary>Local source address (127.0.0.2, 127.0.0.3, ... to exceed one address's ephemeral ports); null for any.</summary>
    public IPAddress? LocalAddress { get; init; }

    /// <summary>MQTT client identifier.</summary>
    public string ClientId { get; init; } = "";

    /// <summary>User name (the device id); null for none.</summary>
    public string? UserName { get; init; }

    /// <summary>Password; null for none.</summary>
    public string? Password { get; init; }

    /// <summary>Protocol version.</summary>
    public MqttProtocolVersion Version { get; init; } = MqttProtocolVersion.V311;

    /// <summary>Keep-alive announced in CONNECT.</summary>
    public ushort KeepAliveSeconds { get; init; } = 60;
}

/// <summary>The gateway refused or broke the MQTT exchange.</summary>
public sealed class MqttClientException(string message) : Exception(message);
