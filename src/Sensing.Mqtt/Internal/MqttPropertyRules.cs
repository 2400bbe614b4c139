namespace Sensing.Mqtt.Internal;

/// <summary>The packets (and the CONNECT will) that carry a property block.</summary>
internal enum MqttPropertyContext : byte
{
    Connect,
    ConnAck,
    Publish,
    Will,

    // PUBACK, PUBREC, PUBREL and PUBCOMP share one property set (5.0 sections 3.4.2.2, 3.5.2.2, 3.6.2.2, 3.7.2.2).
    PublishAck,
    Subscribe,
    SubAck,
    Unsubscribe,
    UnsubAck,
    Disconnect,
    Auth,

    // Any identifier defined by 5.0: for enumerating a block that was already validated.
    All,
}

/// <summary>Wire data types of property values (5.0 section 2.2.2.2, table 2-4).</summary>
internal enum MqttPropertyType : byte
{
    None, Byte, TwoByteInteger, FourByteInteger, VariableByteInteger, Utf8String, BinaryData, Utf8StringPair,
}

/// <summary>Table 2-4 of 5.0 section 2.2.2.2: each identifier's data type and the packets it may appear in.</summary>
internal static class MqttPropertyRules
{
    // Indexed by identifier 0x00..0x2A; 0 = not a property.
    private static ReadOnlySpan<byte> Types =>
    [
        0, 1, 3, 5, 0, 0, 0, 0, 5, 6, 0, 4, 0, 0, 0, 0, // 0x00-0x0F
        0, 3, 5, 2, 0, 5, 6, 1, 3, 1, 5, 0, 5, 0, 0, 5, // 0x10-0x1F
        0, 2, 2, 2, 1, 1, 7, 3, 1, 1, 1,                // 0x20-0x2A
    ];

    // The identifiers each packet may carry, one bit per identifier (all identifiers are below 64). Constants rather
    // than a table of ushort, so that no build configuration materializes an array.
    private const ulong ConnectIds = (1UL << 0x11) | (1UL << 0x15) | (1UL << 0x16) | (1UL << 0x17) | (1UL << 0x19)
        | (1UL << 0x21) | (1UL << 0x22) | (1UL << 0x26) | (1UL << 0x27);

    private const ulong ConnAckIds = (1UL << 0x11) | (1UL << 0x12) | (1UL << 0x13) | (1UL << 0x15) | (1UL << 0x16)
        | (1UL << 0x1A) | (1UL << 0x1C) | (1UL << 0x1F) | (1UL << 0x21) | (1UL << 0x22) | (1UL << 0x24) | (1UL << 0x25)
        | (1UL << 0x26) | (1UL << 0x27) | (1UL << 0x28) | (1UL << 0x29) | (1UL << 0x2A);

    private const ulong PublishIds = (1UL << 0x01) | (1UL << 0x02) | (1UL << 0x03) | (1UL << 0x08) | (1UL << 0x09)
        | (1UL << 0x0B) | (1UL << 0x23) | (1UL << 0x26);

    private const ulong WillIds = (1UL << 0x01) | (1UL << 0x02) | (1UL << 0x03) | (1UL << 0x08) | (1UL << 0x09)
        | (1UL << 0x18) | (1UL << 0x26);

    // PUBACK, PUBREC, PUBREL, PUBCOMP, SUBACK, UNSUBACK: Reason String and User Property.
    private const ulong AckIds = (1UL << 0x1F) | (1UL << 0x26);
    private const ulong SubscribeIds = (1UL << 0x0B) | (1UL << 0x26);
    private const ulong UnsubscribeIds = 1UL << 0x26;
    private const ulong DisconnectIds = (1UL << 0x11) | (1UL << 0x1C) | (1UL << 0x1F) | (1UL << 0x26);
    private const ulong AuthIds = (1UL << 0x15) | (1UL << 0x16) | (1UL << 0x1F) | (1UL << 0x26);
    private const ulong AllIds = ConnectIds | ConnAckIds | PublishIds | WillIds | SubscribeIds | DisconnectIds | AuthIds;

    /// <summary>The data type of <paramref name="id"/>, or None when it is not allowed in <paramref name="context"/>.</summary>
    public static MqttPropertyType TypeIn(int id, MqttPropertyContext context)
    {
        var allowed = context switch
        {
            MqttPropertyContext.Connect => ConnectIds,
            MqttPropertyContext.ConnAck => ConnAckIds,
            MqttPropertyContext.Publish => PublishIds,
            MqttPropertyContext.Will => WillIds,
            MqttPropertyContext.PublishAck or MqttPropertyContext.SubAck or MqttPropertyContext.UnsubAck => AckIds,
            MqttPropertyContext.Subscribe => SubscribeIds,
            MqttPropertyContext.Unsubscribe => UnsubscribeIds,
            MqttPropertyContext.Disconnect => DisconnectIds,
            MqttPropertyContext.Auth => AuthIds,
            MqttPropertyContext.All => AllIds,
            _ => 0UL,
        };
        return (uint)id < (uint)Types.Length && ((allowed >> id) & 1) != 0 ? (MqttPropertyType)Types[id] : MqttPropertyType.None;
    }

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
