using Sensing.Mqtt.Internal;

namespace Sensing.Mqtt;

/// <summary>
/// What a client puts in CONNECT (3.1.1 section 3.1, 5.0 section 3.1), for
/// <see cref="MqttPacketWriter.WriteConnect"/>. Optional fields are left out when empty or 0.
/// </summary>
public readonly ref struct MqttConnectRequest
{
    /// <summary>Protocol level: <see cref="MqttProtocolVersion.V311"/> or <see cref="MqttProtocolVersion.V500"/>.</summary>
    public MqttProtocolVersion Version { get; init; }

    /// <summary>Client identifier (3.1.3.1); may be empty (the server then assigns one, with Clean Session in 3.1.1).</summary>
    public ReadOnlySpan<byte> ClientId { get; init; }

    /// <summary>Clean Session (3.1.1) / Clean Start (5.0), section 3.1.2.4.</summary>
    public bool CleanStart { get; init; }

    /// <summary>Keep alive in seconds; 0 turns it off (3.1.2.10).</summary>
    public ushort KeepAliveSeconds { get; init; }

    /// <summary>User name (3.1.3.5); empty leaves it out.</summary>
    public ReadOnlySpan<byte> UserName { get; init; }

    /// <summary>Password (3.1.3.6); empty leaves it out. 3.1.1 requires a user name with it [MQTT-3.1.2-22].</summary>
    public ReadOnlySpan<byte> Password { get; init; }

    /// <summary>Will topic (3.1.3.3); empty means no will.</summary>
    public ReadOnlySpan<byte> WillTopic { get; init; }

    /// <summary>Will payload (3.1.3.4).</summary>
    public ReadOnlySpan<byte> WillPayload { get; init; }

    /// <summary>Will QoS (3.1.2.6).</summary>
    public MqttQoS WillQoS { get; init; }

    /// <summary>Will retain (3.1.2.7).</summary>
    public bool WillRetain { get; init; }

    /// <summary>5.0 Will Delay Interval in seconds (3.1.3.2.2); 0 leaves it out.</summary>
    public uint WillDelayInterval { get; init; }

    /// <summary>5.0 Session Expiry Interval in seconds (3.1.2.11.2); 0 leaves it out (0 is also the default).</summary>
    public uint SessionExpiryInterval { get; init; }

    /// <summary>5.0 Receive Maximum (3.1.2.11.3); 0 leaves it out, meaning 65,535.</summary>
    public ushort ReceiveMaximum { get; init; }

    /// <summary>5.0 Maximum Packet Size the client accepts (3.1.2.11.4); 0 leaves it out.</summary>
    public uint MaximumPacketSize { get; init; }

    /// <summary>5.0 Topic Alias Maximum the client accepts (3.1.2.11.5); 0 leaves it out, meaning none.</summary>
    public ushort TopicAliasMaximum { get; init; }

    /// <summary>5.0: name of one user property (3.1.2.11.8); empty leaves it out.</summary>
    public ReadOnlySpan<byte> UserPropertyName { get; init; }

    /// <summary>5.0: value of that user property.</summary>
    public ReadOnlySpan<byte> UserPropertyValue { get; init; }

    /// <summary>True when a will message is configured.</summary>
    public bool HasWill => !WillTopic.IsEmpty;

    internal int PropertiesLength()
        => (SessionExpiryInterval != 0 ? 5 : 0) + (ReceiveMaximum != 0 ? 3 : 0) + (MaximumPacketSize != 0 ? 5 : 0)
            + (TopicAliasMaximum != 0 ? 3 : 0)
            + MqttWireSize.OptionalPairProperty(UserPropertyName, UserPropertyValue, nameof(UserPropertyName));

    internal int WillPropertiesLength() => WillDelayInterval != 0 ? 5 : 0;

    internal void WriteProperties(ref MqttSpanWriter w)
    {
        if (SessionExpiryInterval != 0)
        {
            w.UInt32Property(MqttPropertyId.SessionExpiryInterval, SessionExpiryInterval);
        }

        if (ReceiveMaximum != 0)
        {
            w.UInt16Property(MqttPropertyId.ReceiveMaximum, ReceiveMaximum);
        }

        if (MaximumPacketSize != 0)
        {
            w.UInt32Property(MqttPropertyId.MaximumPacketSize, MaximumPacketSize);
        }

        if (TopicAliasMaximum != 0)
        {
            w.UInt16Property(MqttPropertyId.TopicAliasMaximum, TopicAliasMaximum);
        }

        if (!UserPropertyName.IsEmpty)
        {
            w.PairProperty(MqttPropertyId.UserProperty, UserPropertyName, UserPropertyValue);
        }
    }

    internal void WriteWillProperties(ref MqttSpanWriter w)
    {
        if (WillDelayInterval != 0)
        {
            w.UInt32Property(MqttPropertyId.WillDelayInterval, WillDelayInterval);
        }
    }
}
