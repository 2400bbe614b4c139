using System.Buffers;
using Sensing.Mqtt.Internal;

namespace Sensing.Mqtt;

/// <summary>Packets only a server sends: CONNACK, SUBACK, UNSUBACK, PINGRESP, AUTH.</summary>
public static partial class MqttPacketWriter
{
    // 3.1.1 section 3.2.1: a CONNACK's remaining length is 2 (acknowledge flags, return code).
    private const int ConnAck311Length = 2;

    /// <summary>Writes a 3.1.1 CONNACK (3.1.1 section 3.2).</summary>
    public static int WriteConnAck(IBufferWriter<byte> writer, bool sessionPresent, MqttConnectReturnCode returnCode)
    {
        // 3.1.1 [MQTT-3.2.2-4]: "If a server sends a CONNACK packet containing a non-zero return code it MUST set
        // Session Present to 0".
        var present = sessionPresent && returnCode == MqttConnectReturnCode.Accepted;
        var span = writer.GetSpan(4);
        span[0] = MqttFixedHeader.HeaderByte(MqttPacketType.ConnAck);
        span[1] = ConnAck311Length;
        span[2] = present ? (byte)1 : (byte)0;
        span[3] = (byte)returnCode;
        writer.Advance(4);
        return 4;
    }

    /// <summary>Writes a 5.0 CONNACK without properties (5.0 section 3.2).</summary>
    public static int WriteConnAck(IBufferWriter<byte> writer, bool sessionPresent, MqttReasonCode reason)
        => WriteConnAck(writer, sessionPresent, reason, default);

    /// <summary>Writes a 5.0 CONNACK with properties (5.0 section 3.2).</summary>
    public static int WriteConnAck(IBufferWriter<byte> writer, bool sessionPresent, MqttReasonCode reason, scoped in MqttConnAckProperties properties)
    {
        // 5.0 [MQTT-3.2.2-6]: a non-zero reason code goes with Session Present 0.
        var present = sessionPresent && reason == MqttReasonCode.Success;
        var propertiesLength = properties.Length();
        var remaining = 2 + MqttWireSize.PropertyBlock(propertiesLength);
        var total = MqttWireSize.Packet(remaining);
        var w = new MqttSpanWriter(writer.GetSpan(total));
        w.FixedHeader(MqttFixedHeader.HeaderByte(MqttPacketType.ConnAck), remaining);
        w.Byte(present ? (byte)1 : (byte)0);
        w.Byte((byte)reason);
        w.VariableByteInteger(propertiesLength);
        properties.Write(ref w);
        writer.Advance(total);
        return total;
    }

    /// <summary>
    /// Writes a SUBACK (section 3.9): one code per filter of the SUBSCRIBE, in order. In 3.1.1 any failure code
    /// becomes 0x80 Failure (3.1.1 section 3.9.3 allows only 0x00-0x02 and 0x80); the reason string is 5.0 only.
    /// </summary>
    public static int WriteSubAck(
        IBufferWriter<byte> writer, MqttProtocolVersion version, ushort packetId, ReadOnlySpan<MqttReasonCode> reasonCodes,
        ReadOnlySpan<byte> reasonString = default)
        => WriteSubscribeAck(writer, MqttPacketType.SubAck, version, packetId, reasonCodes, reasonString);

    /// <summary>
    /// Writes an UNSUBACK (section 3.11). 5.0: one code per filter of the UNSUBSCRIBE, and a reason string; 3.1.1
    /// carries only the packet identifier, so the codes are ignored.
    /// </summary>
    public static int WriteUnsubAck(
        IBufferWriter<byte> writer, MqttProtocolVersion version, ushort packetId, ReadOnlySpan<MqttReasonCode> reasonCodes,
        ReadOnlySpan<byte> reasonString = default)
        => WriteSubscribeAck(writer, MqttPacketType.UnsubAck, version, packetId, version == MqttProtocolVersion.V500 ? reasonCodes : default, reasonString);

    /// <summary>Writes a PINGRESP (section 3.13): two bytes.</summary>
    public static int WritePingResp(IBufferWriter<byte> writer) => WriteEmpty(writer, MqttPacketType.PingResp);

    /// <summary>Writes a 5.0 AUTH (5.0 section 3.15); either side may send it during extended authentication.</summary>
    public static int WriteAuth(
        IBufferWriter<byte> writer, MqttReasonCode reason, ReadOnlySpan<byte> authenticationMethod,
        ReadOnlySpan<byte> authenticationData = default, ReadOnlySpan<byte> reasonString = default)
    {
        // 3.15.2.2.2: the Authentication Method is required in every AUTH that carries properties.
        if (authenticationMethod.IsEmpty)
        {
            ThrowHelper.ThrowArgument("AUTH needs an authentication method (5.0 section 3.15.2.2.2)");
        }

        var propertiesLength = MqttWireSize.OptionalBytesProperty(authenticationMethod, nameof(authenticationMethod))
            + MqttWireSize.OptionalBytesProperty(authenticationData, nameof(authenticationData))
            + MqttWireSize.OptionalBytesProperty(reasonString, nameof(reasonString));
        var remaining = 1 + MqttWireSize.PropertyBlock(propertiesLength);
        var total = MqttWireSize.Packet(remaining);
        var w = new MqttSpanWriter(writer.GetSpan(total));
        w.FixedHeader(MqttFixedHeader.HeaderByte(MqttPacketType.Auth), remaining);
        w.Byte((byte)reason);
        w.VariableByteInteger(propertiesLength);
        w.BytesProperty(MqttPropertyId.AuthenticationMethod, authenticationMethod);
        if (!authenticationData.IsEmpty)
        {
            w.BytesProperty(MqttPropertyId.AuthenticationData, authenticationData);
        }

        if (!reasonString.IsEmpty)
        {
            w.BytesProperty(MqttPropertyId.ReasonString, reasonString);
        }

        writer.Advance(total);
        return total;
    }

    private static int WriteSubscribeAck(
        IBufferWriter<byte> writer, MqttPacketType type, MqttProtocolVersion version, ushort packetId,
        ReadOnlySpan<MqttReasonCode> reasonCodes, ReadOnlySpan<byte> reasonString)
    {
        if (packetId == 0)
        {
            ThrowHelper.ThrowZeroPacketId(nameof(packetId));
        }

        var v5 = version == MqttProtocolVersion.V500;
        var propertiesLength = v5 ? MqttWireSize.OptionalBytesProperty(reasonString, nameof(reasonString)) : 0;
        var remaining = 2L + (v5 ? MqttWireSize.PropertyBlock(propertiesLength) : 0) + reasonCodes.Length;
        var total = MqttWireSize.Packet(remaining);
        var w = new MqttSpanWriter(writer.GetSpan(total));
        w.FixedHeader(MqttFixedHeader.HeaderByte(type), (int)remaining);
        w.UInt16(packetId);
        if (v5)
        {
            w.VariableByteInteger(propertiesLength);
            if (!reasonString.IsEmpty)
            {
                w.BytesProperty(MqttPropertyId.ReasonString, reasonString);
            }
        }

        foreach (var code in reasonCodes)
        {
            w.Byte(!v5 && code.IsFailure() ? (byte)MqttReasonCode.UnspecifiedError : (byte)code);
        }

        writer.Advance(total);
        return total;
    }

    private static int WriteEmpty(IBufferWriter<byte> writer, MqttPacketType type)
    {
        var span = writer.GetSpan(2);
        span[0] = MqttFixedHeader.HeaderByte(type);
        span[1] = 0;
        writer.Advance(2);
        return 2;
    }
}
