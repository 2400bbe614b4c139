using System.Net;

namespace Sensing.Gateway;

/// <summary>Settings of an MQTT gateway.</summary>
public sealed record GatewayOptions
{
    /// <summary>Defaults: MQTT on 127.0.0.1:1883.</summary>
    public static GatewayOptions Default { get; } = new();

    /// <summary>TCP endpoint for MQTT, host:port (port 0 picks a free one).</summary>
    public string Listen { get; init; } = "127.0.0.1:1883";

    /// <summary>TCP endpoint for MQTT over TLS, host:port; empty: no TLS listener. Needs <see cref="TlsCertificate"/>.</summary>
    public string TlsListen { get; init; } = "";

    /// <summary>
    /// The server certificate for <see cref="TlsListen"/>: a PEM file (with <see cref="TlsKey"/>, or holding the key
    /// itself) or a PKCS#12 file (.pfx/.p12, without password).
    /// </summary>
    public string TlsCertificate { get; init; } = "";

    /// <summary>The PEM private key of <see cref="TlsCertificate"/>; empty when the certificate file holds it.</summary>
    public string TlsKey { get; init; } = "";

    /// <summary>HTTP endpoint for MQTT over WebSocket (path <c>/mqtt</c>, subprotocol <c>mqtt</c>), host:port; empty: none.</summary>
    public string WebSocketListen { get; init; } = "";

    /// <summary>Largest packet a device may send; larger ones close the connection (v5: reason 0x95).</summary>
    public int MaxPacketSize { get; init; } = 64 * 1024;

    /// <summary>
    /// QoS 1/2 readings one connection may have waiting for Kafka; past it the gateway stops reading the
    /// socket (TCP backpressure). Announced to v5 clients as Receive Maximum.
    /// </summary>
    public int MaxInflightPerConnection { get; init; } = 256;

    /// <summary>How long a new connection may take to send CONNECT.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Commands kept per device for delivery while it is offline (persistent session) or busy; past it the oldest
    /// is dropped and counted.
    /// </summary>
    public int MaxQueuedCommandsPerDevice { get; init; } = 32;

    /// <summary>
    /// How long after it was issued a command not yet acknowledged is still delivered, on whichever gateway its device
    /// connects to (sensing.commands is read from its start when a gateway starts). Default 24 h.
    /// </summary>
    public TimeSpan CommandTtl { get; init; } = TimeSpan.FromHours(24);

    /// <summary>QoS 1 commands sent to one device and not yet acknowledged (a v5 client's Receive Maximum lowers it).</summary>
    public int MaxDownlinkInflight { get; init; } = 16;

    /// <summary>
    /// Longest time an offline persistent session is kept: the limit for a v5 Session Expiry Interval, and the
    /// expiry of a v3.1.1 Clean Session 0 session (3.1.1 has no expiry of its own).
    /// </summary>
    public TimeSpan MaxSessionExpiry { get; init; } = TimeSpan.FromDays(1);

    /// <summary>Highest v5 topic alias a device may use for its uplink (announced in CONNACK, 5.0 3.2.2.3.8); 0 disables aliases.</summary>
    public int TopicAliasMaximum { get; init; } = 16;

    /// <summary>
    /// Most PUBLISH packets per second one connection may send; past it the gateway stops reading the connection's
    /// socket until the rate allows the next one (the device is slowed, not dropped). 0: no limit.
    /// </summary>
    public int MaxMessagesPerSecond { get; init; }

    /// <summary>
    /// Most connections from one source address; more are refused at CONNECT (5.0: 0x9F Connection rate exceeded;
    /// 3.1.1: 0x03 Server unavailable). 0: no limit (a load driver or a NAT gateway may need many).
    /// </summary>
    public int MaxConnectionsPerAddress { get; init; }

    /// <summary>
    /// This gateway's name, unique among the gateways of a city: the Kafka consumer group of its command reader is
    /// <c>sensing-gateway-{id}</c>, so every gateway reads every command and delivers those for its own devices.
    /// Empty: the machine name and the listen port.
    /// </summary>
    public string GatewayId { get; init; } = "";

    /// <summary>The name used for the command consumer group.</summary>
    public string EffectiveGatewayId => GatewayId.Length != 0 ? GatewayId : $"{Environment.MachineName}-{ListenEndPoint.Port}";

    /// <summary>The parsed listen endpoint.</summary>
    public IPEndPoint ListenEndPoint => IPEndPoint.Parse(Listen);

    /// <summary>Checks the options; throws naming the bad key.</summary>
    public GatewayOptions Validate()
    {
        if (!IPEndPoint.TryParse(Listen, out _) || !Listen.Contains(':', StringComparison.Ordinal))
        {
            throw new ArgumentException($"gateway.listen: '{Listen}' is not address:port");
        }

        foreach (var (key, value) in new[] { ("gateway.tlsListen", TlsListen), ("gateway.webSocketListen", WebSocketListen) })
        {
            if (value.Length != 0 && (!IPEndPoint.TryParse(value, out _) || !value.Contains(':', StringComparison.Ordinal)))
            {
                throw new ArgumentException($"{key}: '{value}' is not address:port");
            }
        }

        if (TlsListen.Length != 0 && TlsCertificate.Length == 0)
        {
            throw new ArgumentException("gateway.tlsCert: required with gateway.tlsListen (a PEM or PFX file)");
        }

        if (TlsCertificate.Length != 0 && !File.Exists(TlsCertificate))
        {
            throw new ArgumentException($"gateway.tlsCert: file '{TlsCertificate}' not found");
        }

        if (TlsKey.Length != 0 && !File.Exists(TlsKey))
        {
            throw new ArgumentException($"gateway.tlsKey: file '{TlsKey}' not found");
        }

        if (MaxPacketSize is < 128 or > 268_435_455)
        {
            throw new ArgumentException("gateway.maxPacketSize: must be 128 to 268435455 bytes (the MQTT maximum)");
        }

        if (MaxInflightPerConnection is < 1 or > 65_535)
        {
            throw new ArgumentException("gateway.maxInflightPerConnection: must be 1-65535 (MQTT Receive Maximum)");
        }

        if (CommandTtl <= TimeSpan.Zero || CommandTtl > TimeSpan.FromDays(30))
        {
            throw new ArgumentException("gateway.commandTtl: must be between 0 and 30 days");
        }

        if (MaxQueuedCommandsPerDevice is < 1 or > 10_000)
        {
            throw new ArgumentException("gateway.maxQueuedCommandsPerDevice: must be 1-10000");
        }

        if (MaxDownlinkInflight is < 1 or > 65_535)
        {
            throw new ArgumentException("gateway.maxDownlinkInflight: must be 1-65535 (MQTT Receive Maximum)");
        }

        if (MaxSessionExpiry < TimeSpan.Zero || MaxSessionExpiry.TotalSeconds >= uint.MaxValue)
        {
            throw new ArgumentException("gateway.maxSessionExpiry: must be 0 or more, below 2^32 seconds");
        }

        if (TopicAliasMaximum is < 0 or > 65_535)
        {
            throw new ArgumentException("gateway.topicAliasMaximum: must be 0-65535 (5.0 3.2.2.3.8)");
        }

        if (MaxMessagesPerSecond < 0)
        {
            throw new ArgumentException("gateway.maxMessagesPerSecond: must be 0 (no limit) or more");
        }

        if (MaxConnectionsPerAddress < 0)
        {
            throw new ArgumentException("gateway.maxConnectionsPerAddress: must be 0 (no limit) or more");
        }

        if (GatewayId.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-')))
        {
            throw new ArgumentException($"gateway.id: '{GatewayId}' may hold only letters, digits, '.', '_' and '-'");
        }

        if (ConnectTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException("gateway.connectTimeout: must be positive");
        }

        return this;
    }
}
