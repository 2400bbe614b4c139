using Sensing.Mqtt.Internal;

namespace Sensing.Mqtt;

/// <summary>One (topic filter, options) pair of a SUBSCRIBE.</summary>
public readonly ref struct MqttSubscription
{
    internal MqttSubscription(ReadOnlySpan<byte> filter, MqttSubscriptionOptions options)
    {
        Filter = filter;
        Options = options;
    }

    /// <summary>
    /// The topic filter, well-formed UTF-8. Its wildcard syntax is not checked here: a 5.0 server answers an invalid
    /// one with SUBACK 0x8F for that filter alone; check it with <see cref="MqttTopic.IsValidFilter"/>.
    /// </summary>
    public ReadOnlySpan<byte> Filter { get; }

    /// <summary>Requested maximum QoS and, in 5.0, No Local, Retain As Published and Retain Handling.</summary>
    public MqttSubscriptionOptions Options { get; }
}

/// <summary>
/// A decoded SUBSCRIBE (3.1.1 section 3.8, 5.0 section 3.8): packet identifier, 5.0 properties and the validated list
/// of subscriptions, enumerated with <c>foreach</c> without allocation.
/// </summary>
public readonly ref struct MqttSubscribe
{
    private readonly ReadOnlySpan<byte> _payload;

    private MqttSubscribe(ushort packetId, MqttProperties properties, ReadOnlySpan<byte> payload, int count)
    {
        PacketId = packetId;
        Properties = properties;
        _payload = payload;
        Count = count;
    }

    /// <summary>Packet identifier to echo in SUBACK.</summary>
    public ushort PacketId { get; }

    /// <summary>5.0 properties (Subscription Identifier, User Property).</summary>
    public MqttProperties Properties { get; }

    /// <summary>Number of (filter, options) pairs; at least 1. SUBACK carries one reason code per pair.</summary>
    public int Count { get; }

    /// <summary>5.0 Subscription Identifier (3.8.2.1.2); 0 when absent.</summary>
    public uint SubscriptionIdentifier => Properties.GetInteger(MqttPropertyId.SubscriptionIdentifier, 0);

    /// <summary>Enumerates the subscriptions in order.</summary>
    public MqttSubscriptionEnumerator GetEnumerator() => new(_payload);

    /// <summary>Decodes and validates a SUBSCRIBE. Never throws.</summary>
    public static bool TryDecode(MqttFrame frame, MqttProtocolVersion version, out MqttSubscribe subscribe, out MqttDecodeError error)
        => (error = Decode(frame, version, out subscribe)) == MqttDecodeError.None;

    private static MqttDecodeError Decode(MqttFrame frame, MqttProtocolVersion version, out MqttSubscribe subscribe)
    {
        subscribe = default;

        // 3.8.1 [MQTT-3.8.1-1]: fixed-header flags MUST be 0b0010.
        var error = MqttFixedHeader.Check(frame, MqttPacketType.Subscribe);
        if (error != MqttDecodeError.None)
        {
            return error;
        }

        var reader = new MqttSpanReader(frame.Body);
        if (!reader.TryReadUInt16(out var packetId))
        {
            return MqttDecodeError.Truncated;
        }

        if (packetId == 0)
        {
            return MqttDecodeError.ZeroPacketIdentifier;
        }

        MqttProperties properties = default;
        if (version == MqttProtocolVersion.V500 && (error = MqttProperties.Read(ref reader, MqttPropertyContext.Subscribe, out properties)) != MqttDecodeError.None)
        {
            return error;
        }

        var payload = reader.Rest;
        var count = 0;
        while (!reader.IsAtEnd)
        {
            if ((error = reader.ReadString(out var filter)) != MqttDecodeError.None)
            {
                return error;
            }

            if (!reader.TryReadByte(out var options))
            {
                return MqttDecodeError.Truncated;
            }

            if ((error = CheckOptions(version, filter, options)) != MqttDecodeError.None)
            {
                return error;
            }

            count++;
        }

        // 3.1.1 section 3.8.3 [MQTT-3.8.3-3]: "The payload of a SUBSCRIBE packet MUST contain at least one Topic
        // Filter / QoS pair"; 5.0 section 3.8.3: "A SUBSCRIBE packet with no Payload is a Protocol Error".
        if (count == 0)
        {
            return MqttDecodeError.NoTopicFilters;
        }

        subscribe = new MqttSubscribe(packetId, properties, payload, count);
        return MqttDecodeError.None;
    }

    private static MqttDecodeError CheckOptions(MqttProtocolVersion version, ReadOnlySpan<byte> filter, byte options)
    {
        var qos = options & 0x03;
        if (version != MqttProtocolVersion.V500)
        {
            // 3.1.1 section 3.8.3 [MQTT-3-8.3-4]: malformed if the reserved bits 7-2 are non-zero or QoS is not 0-2.
            return (options & 0xFC) != 0 ? MqttDecodeError.InvalidSubscriptionOptions
                : qos == 3 ? MqttDecodeError.InvalidQoS : MqttDecodeError.None;
        }

        var value = MqttSubscriptionOptions.FromByte(options);

        // 5.0 section 3.8.3.1 [MQTT-3.8.3-5]: reserved bits 6-7 MUST be 0, else a Malformed Packet.
        if ((options & 0xC0) != 0)
        {
            return MqttDecodeError.InvalidSubscriptionOptions;
        }

        // 5.0 section 3.8.3.1: "It is a Protocol Error if the Maximum QoS field has the value 3" and "It is a Protocol
        // Error to send a Retain Handling value of 3".
        if (qos == 3)
        {
            return MqttDecodeError.InvalidSubscriptionQoS;
        }

        if ((int)value.RetainHandling == 3)
        {
            return MqttDecodeError.InvalidRetainHandling;
        }

        // 5.0 section 3.8.3.1 [MQTT-3.8.3-4]: "It is a Protocol Error to set the No Local bit to 1 on a Shared
        // Subscription".
        return value.NoLocal && MqttTopic.IsShared(filter) ? MqttDecodeError.NoLocalOnSharedSubscription : MqttDecodeError.None;
    }
}

/// <summary>Enumerates the pairs of a validated SUBSCRIBE payload.</summary>
public ref struct MqttSubscriptionEnumerator
{
    private MqttSpanReader _reader;

    internal MqttSubscriptionEnumerator(ReadOnlySpan<byte> payload)
    {
        _reader = new MqttSpanReader(payload);
        Current = default;
    }

    /// <summary>The current pair.</summary>
    public MqttSubscription Current { get; private set; }

    /// <summary>Moves to the next pair; false at the end.</summary>
    public bool MoveNext()
    {
        // The payload was validated by MqttSubscribe.TryDecode; a failed read only happens at the end.
        if (!_reader.TryReadBinary(out var filter) || !_reader.TryReadByte(out var options))
        {
            Current = default;
            return false;
        }

        Current = new MqttSubscription(filter, MqttSubscriptionOptions.FromByte(options));
        return true;
    }
}
