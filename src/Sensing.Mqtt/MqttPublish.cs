using Sensing.Mqtt.Internal;

namespace Sensing.Mqtt;

/// <summary>
/// A decoded PUBLISH (3.1.1 section 3.3, 5.0 section 3.3): a view over the packet, no strings, no allocation. The
/// gateway's hot path.
/// </summary>
public readonly ref struct MqttPublish
{
    private const int RetainBit = 0x01, QoSMask = 0x06, DupBit = 0x08;

    /// <summary>DUP: this may be a re-delivery (section 3.3.1.1).</summary>
    public bool Dup { get; private init; }

    /// <summary>Quality of service (section 3.3.1.2).</summary>
    public MqttQoS QoS { get; private init; }

    /// <summary>RETAIN (section 3.3.1.3).</summary>
    public bool Retain { get; private init; }

    /// <summary>The topic name (section 3.3.2.1); empty in 5.0 when a topic alias stands for it.</summary>
    public ReadOnlySpan<byte> Topic { get; private init; }

    /// <summary>Packet identifier for QoS 1 and 2; 0 for QoS 0 (section 3.3.2.2).</summary>
    public ushort PacketId { get; private init; }

    /// <summary>5.0 PUBLISH properties (section 3.3.2.3); empty for 3.1.1.</summary>
    public MqttProperties Properties { get; private init; }

    /// <summary>The application message (section 3.3.3); may be empty.</summary>
    public ReadOnlySpan<byte> Payload { get; private init; }

    /// <summary>5.0 Topic Alias; 0 when absent (3.3.2.3.4). The receiver checks it against its Topic Alias Maximum.</summary>
    public ushort TopicAlias => (ushort)Properties.GetInteger(MqttPropertyId.TopicAlias, 0);

    /// <summary>5.0 Payload Format Indicator: 1 means UTF-8 text, 0 or absent unspecified bytes (3.3.2.3.2).</summary>
    public byte PayloadFormatIndicator => (byte)Properties.GetInteger(MqttPropertyId.PayloadFormatIndicator, 0);

    /// <summary>5.0 Message Expiry Interval in seconds; null when the message does not expire (3.3.2.3.3).</summary>
    public uint? MessageExpiryInterval
        => Properties.TryGet(MqttPropertyId.MessageExpiryInterval, out var p) ? p.Integer : null;

    /// <summary>5.0 Content Type (3.3.2.3.9); empty when absent.</summary>
    public ReadOnlySpan<byte> ContentType => Properties.GetBytes(MqttPropertyId.ContentType);

    /// <summary>5.0 Response Topic (3.3.2.3.5); empty when absent.</summary>
    public ReadOnlySpan<byte> ResponseTopic => Properties.GetBytes(MqttPropertyId.ResponseTopic);

    /// <summary>5.0 Correlation Data (3.3.2.3.6); empty when absent.</summary>
    public ReadOnlySpan<byte> CorrelationData => Properties.GetBytes(MqttPropertyId.CorrelationData);

    /// <summary>
    /// Server side: decodes a PUBLISH sent by a client. Never throws. A 5.0 PUBLISH from a client must not carry a
    /// Subscription Identifier [MQTT-3.3.4-6].
    /// </summary>
    public static bool TryDecode(MqttFrame frame, MqttProtocolVersion version, out MqttPublish publish, out MqttDecodeError error)
        => (error = Decode(frame, version, fromServer: false, out publish)) == MqttDecodeError.None;

    /// <summary>Client side: decodes a PUBLISH sent by the server (downlink). Never throws.</summary>
    public static bool TryDecodeFromServer(MqttFrame frame, MqttProtocolVersion version, out MqttPublish publish, out MqttDecodeError error)
        => (error = Decode(frame, version, fromServer: true, out publish)) == MqttDecodeError.None;

    private static MqttDecodeError Decode(MqttFrame frame, MqttProtocolVersion version, bool fromServer, out MqttPublish publish)
    {
        publish = default;
        if (frame.Type != MqttPacketType.Publish)
        {
            return MqttDecodeError.UnexpectedPacketType;
        }

        var flags = frame.Flags;
        var qos = (flags & QoSMask) >> 1;

        // 3.3.1.2 [MQTT-3.3.1-4]: "A PUBLISH Packet MUST NOT have both QoS bits set to 1" (a Malformed Packet in 5.0).
        if (qos == 3)
        {
            return MqttDecodeError.InvalidQoS;
        }

        // 3.3.1.1 [MQTT-3.3.1-2]: "The DUP flag MUST be set to 0 for all QoS 0 messages".
        if (qos == 0 && (flags & DupBit) != 0)
        {
            return MqttDecodeError.DupWithQoS0;
        }

        var reader = new MqttSpanReader(frame.Body);
        var error = reader.ReadString(out var topic);
        if (error != MqttDecodeError.None)
        {
            return error;
        }

        // 3.3.2.1 [MQTT-3.3.2-2]: "The Topic Name in the PUBLISH packet MUST NOT contain wildcard characters".
        if (topic.IndexOfAny((byte)'+', (byte)'#') >= 0)
        {
            return MqttDecodeError.WildcardInTopicName;
        }

        ushort packetId = 0;
        if (qos > 0)
        {
            if (!reader.TryReadUInt16(out packetId))
            {
                return MqttDecodeError.Truncated;
            }

            // 3.1.1 section 2.3.1 [MQTT-2.3.1-1], 5.0 section 2.2.1: QoS > 0 packets carry a non-zero identifier.
            if (packetId == 0)
            {
                return MqttDecodeError.ZeroPacketIdentifier;
            }
        }

        MqttProperties properties = default;
        if (version == MqttProtocolVersion.V500)
        {
            error = MqttProperties.Read(ref reader, MqttPropertyContext.Publish, out properties);
            if (error != MqttDecodeError.None)
            {
                return error;
            }

            // 3.3.4 [MQTT-3.3.4-6]: "A PUBLISH packet sent from a Client to a Server MUST NOT contain a Subscription
            // Identifier".
            if (!fromServer && properties.Contains(MqttPropertyId.SubscriptionIdentifier))
            {
                return MqttDecodeError.SubscriptionIdentifierFromClient;
            }
        }

        // 3.1.1 section 4.7.3 [MQTT-4.7.3-1]: topic names are at least one character long. 5.0 section 3.3.2.3.4:
        // "It is a Protocol Error if the Topic Name is zero length and there is no Topic Alias".
        if (topic.IsEmpty && !properties.Contains(MqttPropertyId.TopicAlias))
        {
            return MqttDecodeError.EmptyTopicName;
        }

        publish = new MqttPublish
        {
            Dup = (flags & DupBit) != 0, QoS = (MqttQoS)qos, Retain = (flags & RetainBit) != 0, Topic = topic,
            PacketId = packetId, Properties = properties, Payload = reader.Rest,
        };
        return MqttDecodeError.None;
    }
}
