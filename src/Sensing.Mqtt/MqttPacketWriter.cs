using System.Buffers;
using Sensing.Mqtt.Internal;

namespace Sensing.Mqtt;

/// <summary>
/// Encodes MQTT packets into an <see cref="IBufferWriter{T}"/> (a PipeWriter, usually): one GetSpan/Advance per
/// packet, no allocation. Each method returns the number of bytes written. Packets both sides send are here; the
/// server-only and client-only ones are in the <c>Server</c> and <c>Client</c> partial files. Arguments the protocol
/// cannot carry (a 70 kB string, QoS 1 without a packet identifier) throw <see cref="ArgumentException"/>.
/// </summary>
public static partial class MqttPacketWriter
{
    private const int DupBit = 0x08, RetainBit = 0x01;

    /// <summary>Writes a PUBLISH (section 3.3) without 5.0 properties.</summary>
    public static int WritePublish(
        IBufferWriter<byte> writer, MqttProtocolVersion version, ReadOnlySpan<byte> topic, ReadOnlySpan<byte> payload,
        MqttQoS qos = MqttQoS.AtMostOnce, ushort packetId = 0, bool retain = false, bool dup = false)
        => WritePublish(writer, version, topic, payload, qos, packetId, retain, dup, default);

    /// <summary>Writes a PUBLISH (section 3.3); <paramref name="properties"/> only in 5.0.</summary>
    public static int WritePublish(
        IBufferWriter<byte> writer, MqttProtocolVersion version, ReadOnlySpan<byte> topic, ReadOnlySpan<byte> payload,
        MqttQoS qos, ushort packetId, bool retain, bool dup, scoped in MqttPublishProperties properties)
    {
        if ((uint)qos > (uint)MqttQoS.ExactlyOnce)
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(qos), "QoS is 0, 1 or 2 (3.3.1.2)");
        }

        // 2.2.1: a packet identifier only for QoS > 0, and then non-zero. 3.3.1.1 [MQTT-3.3.1-2]: no DUP with QoS 0.
        if (qos != MqttQoS.AtMostOnce && packetId == 0)
        {
            ThrowHelper.ThrowZeroPacketId(nameof(packetId));
        }

        if (qos == MqttQoS.AtMostOnce && dup)
        {
            ThrowHelper.ThrowArgument("DUP must be 0 for QoS 0 (3.3.1.1)");
        }

        var v5 = version == MqttProtocolVersion.V500;
        var propertiesLength = v5 ? properties.Length() : 0;
        var variableHeader = MqttWireSize.LengthPrefixed(topic, nameof(topic)) + (qos != MqttQoS.AtMostOnce ? 2 : 0)
            + (v5 ? MqttWireSize.PropertyBlock(propertiesLength) : 0);
        var remaining = (long)variableHeader + payload.Length;
        var total = MqttWireSize.Packet(remaining);
        var headerSize = total - payload.Length;

        var span = writer.GetSpan(headerSize);
        var w = new MqttSpanWriter(span);
        w.FixedHeader((byte)(((int)MqttPacketType.Publish << 4) | (dup ? DupBit : 0) | ((int)qos << 1) | (retain ? RetainBit : 0)), (int)remaining);
        w.LengthPrefixed(topic);
        if (qos != MqttQoS.AtMostOnce)
        {
            w.UInt16(packetId);
        }

        if (v5)
        {
            w.VariableByteInteger(propertiesLength);
            properties.Write(ref w);
        }

        if (span.Length >= total)
        {
            // Small message: header and payload in one span.
            w.Bytes(payload);
            writer.Advance(total);
        }
        else
        {
            writer.Advance(headerSize);
            writer.Write(payload);
        }

        return total;
    }

    /// <summary>Writes a PUBACK (section 3.4): QoS 1 acknowledgment. Reason and reason string only in 5.0.</summary>
    public static int WritePubAck(IBufferWriter<byte> writer, MqttProtocolVersion version, ushort packetId, MqttReasonCode reason = MqttReasonCode.Success, ReadOnlySpan<byte> reasonString = default)
        => WritePublishAck(writer, MqttPacketType.PubAck, version, packetId, reason, reasonString);

    /// <summary>Writes a PUBREC (section 3.5): QoS 2 step 1. Reason and reason string only in 5.0.</summary>
    public static int WritePubRec(IBufferWriter<byte> writer, MqttProtocolVersion version, ushort packetId, MqttReasonCode reason = MqttReasonCode.Success, ReadOnlySpan<byte> reasonString = default)
        => WritePublishAck(writer, MqttPacketType.PubRec, version, packetId, reason, reasonString);

    /// <summary>Writes a PUBREL (section 3.6): QoS 2 step 2. Reason and reason string only in 5.0.</summary>
    public static int WritePubRel(IBufferWriter<byte> writer, MqttProtocolVersion version, ushort packetId, MqttReasonCode reason = MqttReasonCode.Success, ReadOnlySpan<byte> reasonString = default)
        => WritePublishAck(writer, MqttPacketType.PubRel, version, packetId, reason, reasonString);

    /// <summary>Writes a PUBCOMP (section 3.7): QoS 2 step 3. Reason and reason string only in 5.0.</summary>
    public static int WritePubComp(IBufferWriter<byte> writer, MqttProtocolVersion version, ushort packetId, MqttReasonCode reason = MqttReasonCode.Success, ReadOnlySpan<byte> reasonString = default)
        => WritePublishAck(writer, MqttPacketType.PubComp, version, packetId, reason, reasonString);

    /// <summary>
    /// Writes a DISCONNECT (section 3.14). 5.0 only: a reason code, a reason string, and (client to server only,
    /// [MQTT-3.14.2-2]) a session expiry interval.
    /// </summary>
    public static int WriteDisconnect(
        IBufferWriter<byte> writer, MqttProtocolVersion version, MqttReasonCode reason = MqttReasonCode.NormalDisconnection,
        ReadOnlySpan<byte> reasonString = default, uint? sessionExpiryInterval = null)
    {
        var header = MqttFixedHeader.HeaderByte(MqttPacketType.Disconnect);
        var propertiesLength = (sessionExpiryInterval.HasValue ? 5 : 0) + MqttWireSize.OptionalBytesProperty(reasonString, nameof(reasonString));

        // 3.1.1 section 3.14: remaining length 0. 5.0 section 3.14.2.1: reason code and property length may be
        // omitted for 0x00 without properties; 3.14.2.2.1: the property length may be omitted when there are none.
        var remaining = version != MqttProtocolVersion.V500 || (reason == MqttReasonCode.NormalDisconnection && propertiesLength == 0) ? 0
            : propertiesLength == 0 ? 1 : 1 + MqttWireSize.PropertyBlock(propertiesLength);
        var total = MqttWireSize.Packet(remaining);
        var w = new MqttSpanWriter(writer.GetSpan(total));
        w.FixedHeader(header, remaining);
        if (remaining > 0)
        {
            w.Byte((byte)reason);
        }

        if (remaining > 1)
        {
            w.VariableByteInteger(propertiesLength);
            if (sessionExpiryInterval is { } expiry)
            {
                w.UInt32Property(MqttPropertyId.SessionExpiryInterval, expiry);
            }

            if (!reasonString.IsEmpty)
            {
                w.BytesProperty(MqttPropertyId.ReasonString, reasonString);
            }
        }

        writer.Advance(total);
        return total;
    }

    private static int WritePublishAck(
        IBufferWriter<byte> writer, MqttPacketType type, MqttProtocolVersion version, ushort packetId, MqttReasonCode reason,
        ReadOnlySpan<byte> reasonString)
    {
        if (packetId == 0)
        {
            ThrowHelper.ThrowZeroPacketId(nameof(packetId));
        }

        var v5 = version == MqttProtocolVersion.V500;
        var propertiesLength = v5 ? MqttWireSize.OptionalBytesProperty(reasonString, nameof(reasonString)) : 0;

        // 3.1.1 sections 3.4-3.7: remaining length 2. 5.0 section 3.4.2.1 (3.5.2.1, 3.6.2.1, 3.7.2.1): "The Reason Code
        // and Property Length can be omitted if the Reason Code is 0x00 (Success) and there are no Properties"; with a
        // reason but no properties the Property Length may be omitted (remaining length 3).
        var remaining = !v5 || (reason == MqttReasonCode.Success && propertiesLength == 0) ? 2
            : propertiesLength == 0 ? 3 : 3 + MqttWireSize.PropertyBlock(propertiesLength);
        var total = MqttWireSize.Packet(remaining);
        var w = new MqttSpanWriter(writer.GetSpan(total));
        w.FixedHeader(MqttFixedHeader.HeaderByte(type), remaining);
        w.UInt16(packetId);
        if (remaining > 2)
        {
            w.Byte((byte)reason);
        }

        if (remaining > 3)
        {
            w.VariableByteInteger(propertiesLength);
            w.BytesProperty(MqttPropertyId.ReasonString, reasonString);
        }

        writer.Advance(total);
        return total;
    }
}
