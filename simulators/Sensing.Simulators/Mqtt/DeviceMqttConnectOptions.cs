using System.Net;
using Sensing.Mqtt;

namespace Sensing.Simulators.Mqtt;

/// <summary>How a simulated device connects, and the limits its <see cref="DeviceMqttClient"/> works within.</summary>
public sealed record DeviceMqttConnectOptions
{
    /// <summary>Options with every default.</summary>
    public static DeviceMqttConnectOptions Default { get; } = new();

    /// <summary>Gateway host name or address.</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>Gateway MQTT port.</summary>
    public int Port { get; init; } = 1883;

    /// <summary>
    /// Local source address (127.0.0.2, 127.0.0.3, ...) so a load driver gets a fresh ephemeral port range (about
    /// 28k ports on Linux) per address; null lets the OS choose.
    /// </summary>
    public IPAddress? LocalAddress { get; init; }

    /// <summary>MQTT client identifier (section 3.1.3.1).</summary>
    public string ClientId { get; init; } = "";

    /// <summary>User name (the device id); null for none.</summary>
    public string? UserName { get; init; }

    /// <summary>Password; null for none.</summary>
    public string? Password { get; init; }

    /// <summary>Protocol version: 3.1.1 or 5.0.</summary>
    public MqttProtocolVersion Version { get; init; } = MqttProtocolVersion.V311;

    /// <summary>Keep alive announced in CONNECT, seconds; 0 turns PINGREQ off (section 3.1.2.10).</summary>
    public ushort KeepAliveSeconds { get; init; } = 60;

    /// <summary>Clean Session (3.1.1) / Clean Start (5.0), section 3.1.2.4.</summary>
    public bool CleanSession { get; init; } = true;

    /// <summary>5.0 Session Expiry Interval in seconds (3.1.2.11.2); 0 ends the session with the connection.</summary>
    public uint SessionExpiryInterval { get; init; }

    /// <summary>
    /// Most QoS 1/2 publications, subscribes and unsubscribes awaiting their acknowledgment at once; further calls
    /// wait. A 5.0 server's Receive Maximum lowers it (5.0 section 3.3.4, [MQTT-3.3.4-7]).
    /// </summary>
    public int MaxInFlight { get; init; } = 32;

    /// <summary>Largest packet accepted from the server; 5.0 announces it as Maximum Packet Size (3.1.2.11.4).</summary>
    public int MaxIncomingPacketSize { get; init; } = 64 * 1024;

    /// <summary>Bytes queued for the socket beyond which QoS 0 publishes wait for the queue to drain.</summary>
    public int MaxSendBacklogBytes { get; init; } = 64 * 1024;

    /// <summary>Receive buffer segment size; small, because a simulator holds thousands of connections.</summary>
    public int ReceiveBufferSize { get; init; } = 1024;

    /// <summary>Time allowed for TCP connect plus CONNACK.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Time allowed for the SUBACK of a SUBSCRIBE or the UNSUBACK of an UNSUBSCRIBE; without it the client closes
    /// the connection (<see cref="DeviceMqttCloseReason.RequestTimeout"/>), as device firmware gives up on a request.
    /// Publish acknowledgments have no timeout: a gateway holds PUBACK until the reading is stored, which takes as long
    /// as its broker is away. <see cref="Timeout.InfiniteTimeSpan"/> waits forever.
    /// </summary>
    // A device with keep-alive 0 and no such limit waited forever for a SUBACK that never came, and its simulator
    // shard with it.
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);
}
