using Sensing.Mqtt.Internal;

namespace Sensing.Mqtt;

/// <summary>
/// A decoded PUBACK, PUBREC, PUBREL or PUBCOMP (sections 3.4-3.7): the packet identifier and, in 5.0, a reason code
/// and properties. Used by both sides: the server receives PUBREL (its QoS 2 uplink) and PUBACK/PUBREC/PUBCOMP (its
/// downlink); a client receives PUBACK/PUBREC/PUBCOMP and PUBREL.
/// </summary>
public readonly ref struct MqttPublishAck
{
    /// <summary>Which of the four acknowledgments this is.</summary>
    public MqttPacketType Type { get; private init; }

    /// <summary>The packet identifier being acknowledged (never 0).</summary>
    public ushort PacketId { get; private init; }

    /// <summary>5.0 reason code; <see cref="MqttReasonCode.Success"/> when omitted and always in 3.1.1.</summary>
    public MqttReasonCode ReasonCode { get; private init; }

    /// <summary>5.0 properties (Reason String, User Property); empty when omitted.</summary>
    public MqttProperties Properties { get; private init; }

    /// <summary>5.0 Reason String; empty when absent.</summary>
    public ReadOnlySpan<byte> ReasonString => Properties.GetBytes(MqttPropertyId.ReasonString);

    /// <summary>Decodes any of the four acknowledgments. Never throws.</summary>
    public static bool TryDecode(MqttFrame frame, MqttProtocolVersion version, out MqttPublishAck ack, out MqttDecodeError error)
        => (error = Decode(frame, version, out ack)) == MqttDecodeError.None;

    private static MqttDecodeError Decode(MqttFrame frame, MqttProtocolVersion version, out MqttPublishAck ack)
    {
        ack = default;
        var type = frame.Type;
        if (type is not (MqttPacketType.PubAck or MqttPacketType.PubRec or MqttPacketType.PubRel or MqttPacketType.PubComp))
        {
            return MqttDecodeError.UnexpectedPacketType;
        }

        // 2.1.3: PUBACK, PUBREC, PUBCOMP flags are 0; PUBREL flags are 0b0010 [MQTT-3.6.1-1].
        var error = MqttFixedHeader.Check(frame, type);
        if (error != MqttDecodeError.None)
        {
            return error;
        }

        var reader = new MqttSpanReader(frame.Body);
        if (!reader.TryReadUInt16(out var packetId))
        {
            return MqttDecodeError.Truncated;
        }

        // 3.1.1 section 2.3.1 [MQTT-2.3.1-1], 5.0 section 2.2.1: packet identifiers are non-zero.
        if (packetId == 0)
        {
            return MqttDecodeError.ZeroPacketIdentifier;
        }

        var reason = MqttReasonCode.Success;
        MqttProperties properties = default;

        // 3.1.1 sections 3.4.1-3.7.1: remaining length is exactly 2. 5.0 section 3.4.2.1 (and 3.5.2.1, 3.6.2.1,
        // 3.7.2.1): the reason code may be omitted (remaining length 2, meaning Success), and "If the Remaining Length
        // is less than 4 there is no Property Length and the value of 0 is used".
        if (version == MqttProtocolVersion.V500 && reader.TryReadByte(out var code))
        {
            if (!MqttReasonCodeRules.IsValid(type, code))
            {
                return MqttDecodeError.InvalidReasonCode;
            }

            reason = (MqttReasonCode)code;
            if (!reader.IsAtEnd && (error = MqttProperties.Read(ref reader, MqttPropertyContext.PublishAck, out properties)) != MqttDecodeError.None)
            {
                return error;
            }
        }

        if (!reader.IsAtEnd)
        {
            return MqttDecodeError.TrailingBytes;
        }

        ack = new MqttPublishAck { Type = type, PacketId = packetId, ReasonCode = reason, Properties = properties };
        return MqttDecodeError.None;
    }
}
