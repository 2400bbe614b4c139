namespace Sensing.Mqtt.Internal;

/// <summary>The packets (and the CONNECT will) that carry a property block, as flags.</summary>
[Flags]
internal enum MqttPropertyContext : ushort
{
    None = 0,
    Connect = 1 << 0,
    ConnAck = 1 << 1,
    Publish = 1 << 2,
    Will = 1 << 3,

    // PUBACK, PUBREC, PUBREL and PUBCOMP share one property set (5.0 sections 3.4.2.2, 3.5.2.2, 3.6.2.2, 3.7.2.2).
    PublishAck = 1 << 4,
    Subscribe = 1 << 5,
    SubAck = 1 << 6,
    Unsubscribe = 1 << 7,
    UnsubAck = 1 << 8,
    Disconnect = 1 << 9,
    Auth = 1 << 10,
    All = 0x7FF,
}

/// <summary>Wire data types of property values (5.0 section 2.2.2.2, table 2-4).</summary>
internal enum MqttPropertyType : byte
{
    None, Byte, TwoByteInteger, FourByteInteger, VariableByteInteger, Utf8String, BinaryData, Utf8StringPair,
}

/// <summary>Table 2-4 of 5.0 section 2.2.2.2: each identifier's data type and the packets it may appear in.</summary>
internal static class MqttPropertyRules
{
    private const ushort Connect = (ushort)MqttPropertyContext.Connect;
    private const ushort ConnAck = (ushort)MqttPropertyContext.ConnAck;
    private const ushort Publish = (ushort)MqttPropertyContext.Publish;
    private const ushort Will = (ushort)MqttPropertyContext.Will;
    private const ushort Ack = (ushort)MqttPropertyContext.PublishAck;
    private const ushort Subscribe = (ushort)MqttPropertyContext.Subscribe;
    private const ushort SubAck = (ushort)MqttPropertyContext.SubAck;
    private const ushort UnsubAck = (ushort)MqttPropertyContext.UnsubAck;
    private const ushort Disconnect = (ushort)MqttPropertyContext.Disconnect;
    private const ushort Auth = (ushort)MqttPropertyContext.Auth;
    private const ushort All = (ushort)MqttPropertyContext.All;

    // Indexed by identifier 0x00..0x2A; 0 = not a property.
    private static ReadOnlySpan<byte> Types =>
    [
        0, 1, 3, 5, 0, 0, 0, 0, 5, 6, 0, 4, 0, 0, 0, 0, // 0x00-0x0F
        0, 3, 5, 2, 0, 5, 6, 1, 3, 1, 5, 0, 5, 0, 0, 5, // 0x10-0x1F
        0, 2, 2, 2, 1, 1, 7, 3, 1, 1, 1,                // 0x20-0x2A
    ];

    private static ReadOnlySpan<ushort> Contexts =>
    [
        0, Publish | Will, Publish | Will, Publish | Will, 0, 0, 0, 0, // 0x00-0x07
        Publish | Will, Publish | Will, 0, Publish | Subscribe, 0, 0, 0, 0, // 0x08-0x0F
        0, Connect | ConnAck | Disconnect, ConnAck, ConnAck, 0, Connect | ConnAck | Auth, Connect | ConnAck | Auth, Connect, // 0x10-0x17
        Will, Connect, ConnAck, 0, ConnAck | Disconnect, 0, 0, ConnAck | Ack | SubAck | UnsubAck | Disconnect | Auth, // 0x18-0x1F
        0, Connect | ConnAck, Connect | ConnAck, Publish, ConnAck, ConnAck, All, Connect | ConnAck, // 0x20-0x27
        ConnAck, ConnAck, ConnAck, // 0x28-0x2A
    ];

    /// <summary>The data type of <paramref name="id"/>, or None when it is not allowed in <paramref name="context"/>.</summary>
    public static MqttPropertyType TypeIn(int id, MqttPropertyContext context)
        => (uint)id < (uint)Types.Length && (Contexts[id] & (ushort)context) != 0 ? (MqttPropertyType)Types[id] : MqttPropertyType.None;

    /// <summary>The data type of <paramref name="id"/> in any packet (None when unknown).</summary>
    public static MqttPropertyType TypeOf(int id) => (uint)id < (uint)Types.Length ? (MqttPropertyType)Types[id] : MqttPropertyType.None;

    /// <summary>
    /// Value rules that do not depend on the rest of the packet; a violation is a Protocol Error (5.0 section 4.13).
    /// </summary>
    public static MqttDecodeError CheckValue(MqttPropertyId id, uint integer, ReadOnlySpan<byte> bytes) => id switch
    {
        // 3.3.2.3.2 / 3.1.3.2.3: Payload Format Indicator is 0 (unspecified bytes) or 1 (UTF-8).
        MqttPropertyId.PayloadFormatIndicator => integer <= 1 ? MqttDecodeError.None : MqttDecodeError.InvalidPropertyValue,

        // 3.1.2.11.6, 3.1.2.11.7, 3.2.2.3.4, 3.2.2.3.5, 3.2.2.3.11-13: "a value other than 0 or 1" is a Protocol Error.
        MqttPropertyId.RequestProblemInformation or MqttPropertyId.RequestResponseInformation or MqttPropertyId.MaximumQoS
            or MqttPropertyId.RetainAvailable or MqttPropertyId.WildcardSubscriptionAvailable
            or MqttPropertyId.SubscriptionIdentifierAvailable or MqttPropertyId.SharedSubscriptionAvailable
            => integer <= 1 ? MqttDecodeError.None : MqttDecodeError.InvalidPropertyValue,

        // 3.1.2.11.3 / 3.2.2.3.3 Receive Maximum, 3.1.2.11.4 / 3.2.2.3.6 Maximum Packet Size: 0 is a Protocol Error.
        // 3.3.2.3.4 [MQTT-3.3.2-8]: "A Topic Alias of 0 is not permitted".
        // 3.3.2.3.8 / 3.8.2.1.2: "It is a Protocol Error if the Subscription Identifier has a value of 0".
        MqttPropertyId.ReceiveMaximum or MqttPropertyId.MaximumPacketSize or MqttPropertyId.TopicAlias
            or MqttPropertyId.SubscriptionIdentifier => integer != 0 ? MqttDecodeError.None : MqttDecodeError.InvalidPropertyValue,

        // 3.3.2.3.5 [MQTT-3.3.2-14]: "The Response Topic MUST NOT contain wildcard characters".
        MqttPropertyId.ResponseTopic => bytes.IndexOfAny((byte)'+', (byte)'#') < 0 ? MqttDecodeError.None : MqttDecodeError.WildcardInTopicName,
        _ => MqttDecodeError.None,
    };
}
