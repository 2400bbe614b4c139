using Sensing.Mqtt.Internal;

namespace Sensing.Mqtt;

/// <summary>
/// A decoded CONNACK (3.1.1 section 3.2, 5.0 section 3.2), client side: whether the connection was accepted and, in
/// 5.0, the limits the server imposes on the client.
/// </summary>
public readonly ref struct MqttConnAck
{
    private const int SessionPresentBit = 0x01;

    /// <summary>Session Present (3.2.2.1 / 3.2.2.1.1).</summary>
    public bool SessionPresent { get; private init; }

    /// <summary>
    /// The outcome as a 5.0 reason code. A 3.1.1 return code is mapped (0x01 becomes 0x84 Unsupported Protocol Version,
    /// 0x05 becomes 0x87 Not authorized, and so on), so callers need to look at one field only.
    /// </summary>
    public MqttReasonCode ReasonCode { get; private init; }

    /// <summary>True when the server accepted the connection.</summary>
    public bool IsAccepted => ReasonCode == MqttReasonCode.Success;

    /// <summary>
    /// True when the packet had the 3.1.1 layout (remaining length 2): always in 3.1.1, and in 5.0 when a server that
    /// only speaks 3.1.1 refuses the 5.0 CONNECT.
    /// </summary>
    public bool IsV311Layout { get; private init; }

    /// <summary>5.0 CONNACK properties (section 3.2.2.3); empty for 3.1.1.</summary>
    public MqttProperties Properties { get; private init; }

    /// <summary>5.0 Session Expiry Interval the server uses instead of the client's; null when absent (3.2.2.3.2).</summary>
    public uint? SessionExpiryInterval => Properties.TryGet(MqttPropertyId.SessionExpiryInterval, out var p) ? p.Integer : null;

    /// <summary>5.0 Receive Maximum: QoS 1/2 publications the client may have in flight; absent means 65,535 (3.2.2.3.3).</summary>
    public ushort ReceiveMaximum => (ushort)Properties.GetInteger(MqttPropertyId.ReceiveMaximum, ushort.MaxValue);

    /// <summary>5.0 Maximum QoS the server supports; absent means 2 (3.2.2.3.4).</summary>
    public MqttQoS MaximumQoS => (MqttQoS)Properties.GetInteger(MqttPropertyId.MaximumQoS, 2);

    /// <summary>5.0 Retain Available; absent means supported (3.2.2.3.5).</summary>
    public bool RetainAvailable => Properties.GetInteger(MqttPropertyId.RetainAvailable, 1) == 1;

    /// <summary>5.0 Maximum Packet Size the server accepts; 0 when absent, meaning only the protocol limit (3.2.2.3.6).</summary>
    public uint MaximumPacketSize => Properties.GetInteger(MqttPropertyId.MaximumPacketSize, 0);

    /// <summary>5.0 Assigned Client Identifier, when the client sent an empty one (3.2.2.3.7); empty otherwise.</summary>
    public ReadOnlySpan<byte> AssignedClientIdentifier => Properties.GetBytes(MqttPropertyId.AssignedClientIdentifier);

    /// <summary>5.0 Topic Alias Maximum the server accepts; absent means 0, no aliases (3.2.2.3.8).</summary>
    public ushort TopicAliasMaximum => (ushort)Properties.GetInteger(MqttPropertyId.TopicAliasMaximum, 0);

    /// <summary>5.0 Reason String (3.2.2.3.9); empty when absent.</summary>
    public ReadOnlySpan<byte> ReasonString => Properties.GetBytes(MqttPropertyId.ReasonString);

    /// <summary>5.0 Server Keep Alive, which replaces the client's keep alive (3.2.2.3.14); null when absent.</summary>
    public ushort? ServerKeepAlive => Properties.TryGet(MqttPropertyId.ServerKeepAlive, out var p) ? (ushort)p.Integer : null;

    /// <summary>Client side: decodes a CONNACK for a CONNECT sent with <paramref name="version"/>. Never throws.</summary>
    public static bool TryDecode(MqttFrame frame, MqttProtocolVersion version, out MqttConnAck connAck, out MqttDecodeError error)
        => (error = Decode(frame, version, out connAck)) == MqttDecodeError.None;

    private static MqttDecodeError Decode(MqttFrame frame, MqttProtocolVersion version, out MqttConnAck connAck)
    {
        connAck = default;
        var error = MqttFixedHeader.Check(frame, MqttPacketType.ConnAck);
        if (error != MqttDecodeError.None)
        {
            return error;
        }

        var reader = new MqttSpanReader(frame.Body);
        if (!reader.TryReadByte(out var ackFlags) || !reader.TryReadByte(out var code))
        {
            return MqttDecodeError.Truncated;
        }

        // 3.2.2.1 (3.1.1) / 3.2.2.1 (5.0): "Bits 7-1 are reserved and MUST be set to 0" [MQTT-3.2.2-1] (5.0: a
        // Malformed Packet otherwise).
        if ((ackFlags & ~SessionPresentBit) != 0)
        {
            return MqttDecodeError.InvalidConnAckFlags;
        }

        var sessionPresent = (ackFlags & SessionPresentBit) != 0;
        MqttReasonCode reason;
        MqttProperties properties = default;

        // A 3.1.1 CONNACK is exactly 2 bytes (3.1.1 section 3.2.1). A 5.0 one always has a Property Length, so a 2-byte
        // CONNACK after a 5.0 CONNECT comes from a 3.1.1-only server; 3.1.1 section 3.1.2.2 [MQTT-3.1.2-2] has it
        // answer an unsupported level with return code 0x01.
        var v311Layout = version != MqttProtocolVersion.V500 || reader.IsAtEnd;
        if (v311Layout)
        {
            // 3.1.1 section 3.2.2.3: return codes 6-255 are reserved.
            if (code > (byte)MqttConnectReturnCode.NotAuthorized)
            {
                return MqttDecodeError.InvalidReasonCode;
            }

            reason = ((MqttConnectReturnCode)code).ToReasonCode();
        }
        else
        {
            if (!MqttReasonCodeRules.IsValid(MqttPacketType.ConnAck, code))
            {
                return MqttDecodeError.InvalidReasonCode;
            }

            reason = (MqttReasonCode)code;
            if ((error = MqttProperties.Read(ref reader, MqttPropertyContext.ConnAck, out properties)) != MqttDecodeError.None)
            {
                return error;
            }
        }

        if (!reader.IsAtEnd)
        {
            return MqttDecodeError.TrailingBytes;
        }

        // 3.1.1 [MQTT-3.2.2-4] / 5.0 [MQTT-3.2.2-6]: a refusing CONNACK MUST set Session Present to 0.
        if (sessionPresent && reason != MqttReasonCode.Success)
        {
            return MqttDecodeError.SessionPresentOnFailure;
        }

        connAck = new MqttConnAck { SessionPresent = sessionPresent, ReasonCode = reason, IsV311Layout = v311Layout, Properties = properties };
        return MqttDecodeError.None;
    }
}
