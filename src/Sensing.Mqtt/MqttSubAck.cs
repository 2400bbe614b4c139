using System.Runtime.InteropServices;
using Sensing.Mqtt.Internal;

namespace Sensing.Mqtt;

/// <summary>
/// A decoded SUBACK (3.1.1 section 3.9, 5.0 section 3.9), client side: one reason code per filter of the SUBSCRIBE,
/// in order (granted QoS 0-2, or a failure code).
/// </summary>
public readonly ref struct MqttSubAck
{
    /// <summary>The identifier of the SUBSCRIBE being acknowledged.</summary>
    public ushort PacketId { get; private init; }

    /// <summary>5.0 properties (Reason String, User Property).</summary>
    public MqttProperties Properties { get; private init; }

    /// <summary>One code per subscription; 3.1.1 uses 0x00-0x02 and 0x80, the same values as 5.0.</summary>
    public ReadOnlySpan<MqttReasonCode> ReasonCodes { get; private init; }

    /// <summary>Client side: decodes a SUBACK. Never throws.</summary>
    public static bool TryDecode(MqttFrame frame, MqttProtocolVersion version, out MqttSubAck subAck, out MqttDecodeError error)
    {
        subAck = default;
        error = ReadAck(frame, MqttPacketType.SubAck, version, out var packetId, out var properties, out var codes);
        if (error != MqttDecodeError.None)
        {
            return false;
        }

        subAck = new MqttSubAck { PacketId = packetId, Properties = properties, ReasonCodes = codes };
        return true;
    }

    /// <summary>Shared by SUBACK and UNSUBACK: packet identifier, 5.0 properties, then a list of reason codes.</summary>
    internal static MqttDecodeError ReadAck(
        MqttFrame frame, MqttPacketType type, MqttProtocolVersion version, out ushort packetId, out MqttProperties properties,
        out ReadOnlySpan<MqttReasonCode> codes)
    {
        properties = default;
        codes = default;
        packetId = 0;
        var error = MqttFixedHeader.Check(frame, type);
        if (error != MqttDecodeError.None)
        {
            return error;
        }

        var reader = new MqttSpanReader(frame.Body);
        if (!reader.TryReadUInt16(out packetId))
        {
            return MqttDecodeError.Truncated;
        }

        if (packetId == 0)
        {
            return MqttDecodeError.ZeroPacketIdentifier;
        }

        var v5 = version == MqttProtocolVersion.V500;
        var context = type == MqttPacketType.SubAck ? MqttPropertyContext.SubAck : MqttPropertyContext.UnsubAck;
        if (v5 && (error = MqttProperties.Read(ref reader, context, out properties)) != MqttDecodeError.None)
        {
            return error;
        }

        // 3.1.1 section 3.11: UNSUBACK has no payload (remaining length 2).
        if (!v5 && type == MqttPacketType.UnsubAck)
        {
            return reader.IsAtEnd ? MqttDecodeError.None : MqttDecodeError.TrailingBytes;
        }

        // 3.9.3 / 5.0 3.11.3: the payload is a list of reason codes, one per filter of the request, so at least one.
        var payload = reader.Rest;
        if (payload.IsEmpty)
        {
            return MqttDecodeError.NoTopicFilters;
        }

        foreach (var code in payload)
        {
            var valid = v5 ? MqttReasonCodeRules.IsValid(type, code) : MqttReasonCodeRules.IsValidSubAck311(code);
            if (!valid)
            {
                return MqttDecodeError.InvalidReasonCode;
            }
        }

        codes = MemoryMarshal.Cast<byte, MqttReasonCode>(payload);
        return MqttDecodeError.None;
    }
}

/// <summary>
/// A decoded UNSUBACK (3.1.1 section 3.11, 5.0 section 3.11), client side. In 5.0 one reason code per filter of the
/// UNSUBSCRIBE; in 3.1.1 only the packet identifier.
/// </summary>
public readonly ref struct MqttUnsubAck
{
    /// <summary>The identifier of the UNSUBSCRIBE being acknowledged.</summary>
    public ushort PacketId { get; private init; }

    /// <summary>5.0 properties (Reason String, User Property).</summary>
    public MqttProperties Properties { get; private init; }

    /// <summary>5.0: one code per topic filter; empty in 3.1.1.</summary>
    public ReadOnlySpan<MqttReasonCode> ReasonCodes { get; private init; }

    /// <summary>Client side: decodes an UNSUBACK. Never throws.</summary>
    public static bool TryDecode(MqttFrame frame, MqttProtocolVersion version, out MqttUnsubAck unsubAck, out MqttDecodeError error)
    {
        unsubAck = default;
        error = MqttSubAck.ReadAck(frame, MqttPacketType.UnsubAck, version, out var packetId, out var properties, out var codes);
        if (error != MqttDecodeError.None)
        {
            return false;
        }

        unsubAck = new MqttUnsubAck { PacketId = packetId, Properties = properties, ReasonCodes = codes };
        return true;
    }
}
