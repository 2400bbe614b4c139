using System.Buffers;
using Sensing.Mqtt.Internal;

namespace Sensing.Mqtt;

/// <summary>A (topic filter, options) pair for a SUBSCRIBE with several filters.</summary>
/// <param name="Filter">The topic filter, UTF-8.</param>
/// <param name="Options">Maximum QoS and 5.0 options.</param>
public readonly record struct MqttSubscriptionRequest(ReadOnlyMemory<byte> Filter, MqttSubscriptionOptions Options);

/// <summary>Packets only a client sends: CONNECT, SUBSCRIBE, UNSUBSCRIBE, PINGREQ.</summary>
public static partial class MqttPacketWriter
{
    // 3.1.2.1: protocol name "MQTT" as a UTF-8 string: length 0x0004, then the four letters.
    private static ReadOnlySpan<byte> ProtocolNameField => [0x00, 0x04, (byte)'M', (byte)'Q', (byte)'T', (byte)'T'];

    /// <summary>Writes a CONNECT (section 3.1) for 3.1.1 or 5.0.</summary>
    public static int WriteConnect(IBufferWriter<byte> writer, scoped in MqttConnectRequest request)
    {
        var version = request.Version;
        if (version is not (MqttProtocolVersion.V311 or MqttProtocolVersion.V500))
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(request), "version is 3.1.1 (level 4) or 5.0 (level 5)");
        }

        var v5 = version == MqttProtocolVersion.V500;
        var hasUserName = !request.UserName.IsEmpty;
        var hasPassword = !request.Password.IsEmpty;
        if (!v5 && hasPassword && !hasUserName)
        {
            // 3.1.1 section 3.1.2.9 [MQTT-3.1.2-22].
            ThrowHelper.ThrowArgument("MQTT 3.1.1 does not allow a password without a user name ([MQTT-3.1.2-22])");
        }

        if ((uint)request.WillQoS > (uint)MqttQoS.ExactlyOnce)
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(request), "will QoS is 0, 1 or 2 (3.1.2.6)");
        }

        var hasWill = request.HasWill;
        var propertiesLength = v5 ? request.PropertiesLength() : 0;
        var willPropertiesLength = v5 && hasWill ? request.WillPropertiesLength() : 0;

        // Variable header (3.1.2): protocol name (6), level (1), flags (1), keep alive (2), [properties].
        long remaining = 10 + (v5 ? MqttWireSize.PropertyBlock(propertiesLength) : 0)
            + MqttWireSize.LengthPrefixed(request.ClientId, nameof(request.ClientId));
        if (hasWill)
        {
            remaining += (v5 ? MqttWireSize.PropertyBlock(willPropertiesLength) : 0)
                + MqttWireSize.LengthPrefixed(request.WillTopic, nameof(request.WillTopic))
                + MqttWireSize.LengthPrefixed(request.WillPayload, nameof(request.WillPayload));
        }

        remaining += (hasUserName ? MqttWireSize.LengthPrefixed(request.UserName, nameof(request.UserName)) : 0)
            + (hasPassword ? MqttWireSize.LengthPrefixed(request.Password, nameof(request.Password)) : 0);

        // 3.1.2.3 Connect Flags: 7 user name, 6 password, 5 will retain, 4-3 will QoS, 2 will, 1 clean start, 0 reserved.
        var flags = (hasUserName ? 0x80 : 0) | (hasPassword ? 0x40 : 0) | (request.CleanStart ? 0x02 : 0);
        if (hasWill)
        {
            flags |= 0x04 | ((int)request.WillQoS << 3) | (request.WillRetain ? 0x20 : 0);
        }

        var total = MqttWireSize.Packet(remaining);
        var w = new MqttSpanWriter(writer.GetSpan(total));
        w.FixedHeader(MqttFixedHeader.HeaderByte(MqttPacketType.Connect), (int)remaining);
        w.Bytes(ProtocolNameField);
        w.Byte((byte)version);
        w.Byte((byte)flags);
        w.UInt16(request.KeepAliveSeconds);
        if (v5)
        {
            w.VariableByteInteger(propertiesLength);
            request.WriteProperties(ref w);
        }

        // 3.1.3 payload order: Client Identifier, [Will Properties], Will Topic, Will Payload, User Name, Password.
        w.LengthPrefixed(request.ClientId);
        if (hasWill)
        {
            if (v5)
            {
                w.VariableByteInteger(willPropertiesLength);
                request.WriteWillProperties(ref w);
            }

            w.LengthPrefixed(request.WillTopic);
            w.LengthPrefixed(request.WillPayload);
        }

        if (hasUserName)
        {
            w.LengthPrefixed(request.UserName);
        }

        if (hasPassword)
        {
            w.LengthPrefixed(request.Password);
        }

        writer.Advance(total);
        return total;
    }

    /// <summary>Writes a SUBSCRIBE (section 3.8) with one filter; 5.0 may add a subscription identifier (0: none).</summary>
    public static int WriteSubscribe(
        IBufferWriter<byte> writer, MqttProtocolVersion version, ushort packetId, ReadOnlySpan<byte> filter,
        MqttSubscriptionOptions options, uint subscriptionIdentifier = 0)
    {
        var v5 = version == MqttProtocolVersion.V500;
        var remaining = SubscribeHeaderLength(v5, packetId, subscriptionIdentifier, out var propertiesLength)
            + MqttWireSize.LengthPrefixed(filter, nameof(filter)) + 1;
        var total = MqttWireSize.Packet(remaining);
        var w = new MqttSpanWriter(writer.GetSpan(total));
        WriteSubscribeHeader(ref w, MqttPacketType.Subscribe, v5, remaining, packetId, propertiesLength, subscriptionIdentifier);
        w.LengthPrefixed(filter);
        w.Byte(Options(v5, options));
        writer.Advance(total);
        return total;
    }

    /// <summary>Writes a SUBSCRIBE (section 3.8) with several filters.</summary>
    public static int WriteSubscribe(
        IBufferWriter<byte> writer, MqttProtocolVersion version, ushort packetId, ReadOnlySpan<MqttSubscriptionRequest> subscriptions,
        uint subscriptionIdentifier = 0)
    {
        // 3.8.3 [MQTT-3.8.3-3] (3.1.1) / [MQTT-3.8.3-2] (5.0): at least one pair.
        if (subscriptions.IsEmpty)
        {
            ThrowHelper.ThrowArgument("SUBSCRIBE needs at least one topic filter (3.8.3)");
        }

        var v5 = version == MqttProtocolVersion.V500;
        long remaining = SubscribeHeaderLength(v5, packetId, subscriptionIdentifier, out var propertiesLength);
        foreach (var s in subscriptions)
        {
            remaining += MqttWireSize.LengthPrefixed(s.Filter.Span, nameof(subscriptions)) + 1;
        }

        var total = MqttWireSize.Packet(remaining);
        var w = new MqttSpanWriter(writer.GetSpan(total));
        WriteSubscribeHeader(ref w, MqttPacketType.Subscribe, v5, (int)remaining, packetId, propertiesLength, subscriptionIdentifier);
        foreach (var s in subscriptions)
        {
            w.LengthPrefixed(s.Filter.Span);
            w.Byte(Options(v5, s.Options));
        }

        writer.Advance(total);
        return total;
    }

    /// <summary>Writes an UNSUBSCRIBE (section 3.10) with one filter.</summary>
    public static int WriteUnsubscribe(IBufferWriter<byte> writer, MqttProtocolVersion version, ushort packetId, ReadOnlySpan<byte> filter)
    {
        var v5 = version == MqttProtocolVersion.V500;
        var remaining = SubscribeHeaderLength(v5, packetId, 0, out _) + MqttWireSize.LengthPrefixed(filter, nameof(filter));
        var total = MqttWireSize.Packet(remaining);
        var w = new MqttSpanWriter(writer.GetSpan(total));
        WriteSubscribeHeader(ref w, MqttPacketType.Unsubscribe, v5, remaining, packetId, 0, 0);
        w.LengthPrefixed(filter);
        writer.Advance(total);
        return total;
    }

    /// <summary>Writes an UNSUBSCRIBE (section 3.10) with several filters.</summary>
    public static int WriteUnsubscribe(IBufferWriter<byte> writer, MqttProtocolVersion version, ushort packetId, ReadOnlySpan<ReadOnlyMemory<byte>> filters)
    {
        // 3.10.3 [MQTT-3.10.3-2]: at least one topic filter.
        if (filters.IsEmpty)
        {
            ThrowHelper.ThrowArgument("UNSUBSCRIBE needs at least one topic filter (3.10.3)");
        }

        var v5 = version == MqttProtocolVersion.V500;
        long remaining = SubscribeHeaderLength(v5, packetId, 0, out _);
        foreach (var f in filters)
        {
            remaining += MqttWireSize.LengthPrefixed(f.Span, nameof(filters));
        }

        var total = MqttWireSize.Packet(remaining);
        var w = new MqttSpanWriter(writer.GetSpan(total));
        WriteSubscribeHeader(ref w, MqttPacketType.Unsubscribe, v5, (int)remaining, packetId, 0, 0);
        foreach (var f in filters)
        {
            w.LengthPrefixed(f.Span);
        }

        writer.Advance(total);
        return total;
    }

    /// <summary>Writes a PINGREQ (section 3.12): two bytes.</summary>
    public static int WritePingReq(IBufferWriter<byte> writer) => WriteEmpty(writer, MqttPacketType.PingReq);

    private static int SubscribeHeaderLength(bool v5, ushort packetId, uint subscriptionIdentifier, out int propertiesLength)
    {
        if (packetId == 0)
        {
            ThrowHelper.ThrowZeroPacketId(nameof(packetId));
        }

        if (subscriptionIdentifier > MqttVariableByteInteger.MaxValue)
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(subscriptionIdentifier), "a subscription identifier is 1..268,435,455 (3.8.2.1.2)");
        }

        propertiesLength = v5 && subscriptionIdentifier != 0 ? 1 + MqttVariableByteInteger.SizeOf((int)subscriptionIdentifier) : 0;
        return 2 + (v5 ? MqttWireSize.PropertyBlock(propertiesLength) : 0);
    }

    private static void WriteSubscribeHeader(
        ref MqttSpanWriter w, MqttPacketType type, bool v5, int remaining, ushort packetId, int propertiesLength, uint subscriptionIdentifier)
    {
        // [MQTT-3.8.1-1] / [MQTT-3.10.1-1]: fixed-header flags 0b0010 (HeaderByte adds them).
        w.FixedHeader(MqttFixedHeader.HeaderByte(type), remaining);
        w.UInt16(packetId);
        if (v5)
        {
            w.VariableByteInteger(propertiesLength);
            if (subscriptionIdentifier != 0)
            {
                w.VariableByteIntegerProperty(MqttPropertyId.SubscriptionIdentifier, (int)subscriptionIdentifier);
            }
        }
    }

    // 3.1.1 section 3.8.3.1: only the requested QoS (bits 0-1); the other bits are reserved and MUST be 0.
    private static byte Options(bool v5, MqttSubscriptionOptions options) => v5 ? options.Value : (byte)options.MaximumQoS;
}
