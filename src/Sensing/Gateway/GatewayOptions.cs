using System.Net;

namespace Sensing.Gateway;

/// <summary>Settings of an MQTT gateway.</summary>
public sealed record GatewayOptions
{
    /// <summary>Defaults: MQTT on 127.0.0.1:1883.</summary>
    public static GatewayOptions Default { get; } = new();

    /// <summary>TCP endpoint for MQTT, host:port (port 0 picks a free one).</summary>
    public string Listen { get; init; } = "127.0.0.1:1883";

    /// <summary>Largest packet a device may send; larger ones close the connection (v5: reason 0x95).</summary>
    public int MaxPacketSize { get; init; } = 64 * 1024;

    /// <summary>
    /// QoS 1/2 readings one connection may have waiting for Kafka; past it the gateway stops reading the
    /// socket (TCP backpressure). Announced to v5 clients as Receive Maximum.
    /// </summary>
    public int MaxInflightPerConnection { get; init; } = 256;

    /// <summary>How long a new connection may take to send CONNECT.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The parsed listen endpoint.</summary>
    public IPEndPoint ListenEndPoint => IPEndPoint.Parse(Listen);

    /// <summary>Checks the options; throws naming the bad key.</summary>
    public GatewayOptions Validate()
    {
        if (!IPEndPoint.TryParse(Listen, out _) || !Listen.Contains(':', StringComparison.Ordinal))
        {
            throw new ArgumentException($"gateway.listen: '{Listen}' is not address:port");
        }

        if (MaxPacketSize is < 128 or > 268_435_455)
        {
            throw new ArgumentException("gateway.maxPacketSize: must be 128 to 268435455 bytes (the MQTT maximum)");
        }

        if (MaxInflightPerConnection is < 1 or > 65_535)
        {
            throw new ArgumentException("gateway.maxInflightPerConnection: must be 1-65535 (MQTT Receive Maximum)");
        }

        if (ConnectTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException("gateway.connectTimeout: must be positive");
        }

        return this;
    }
}
