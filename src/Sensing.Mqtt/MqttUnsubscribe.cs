using Sensing.Mqtt.Internal;

namespace Sensing.Mqtt;

/// <summary>
/// A decoded UNSUBSCRIBE (3.1.1 section 3.10, 5.0 section 3.10): packet identifier, 5.0 properties and the topic
/// filters, enumerated with <c>foreach</c> without allocation.
/// </summary>
public readonly ref struct MqttUnsubscribe
{
    private readonly ReadOnlySpan<byte> _payload;

    private MqttUnsubscribe(ushort packetId, MqttProperties properties, ReadOnlySpan<byte> payload, int count)
    {
        PacketId = packetId;
        Properties = properties;
        _payload = payload;
        Count = count;
    }

    /// <summary>Packet identifier to echo in UNSUBACK.</summary>
    public ushort PacketId { get; }

    /// <summary>5.0 properties (User Property only).</summary>
    public MqttProperties Properties { get; }

    /// <summary>Number of topic filters; at least 1.</summary>
    public int Count { get; }

    /// <summary>Enumerates the topic filters in order.</summary>
    public MqttTopicFilterEnumerator GetEnumerator() => new(_payload);

    /// <summary>Decodes and validates an UNSUBSCRIBE. Never throws.</summary>
    public static bool TryDecode(MqttFrame frame, MqttProtocolVersion version, out MqttUnsubscribe unsubscribe, out MqttDecodeError error)
        => (error = Decode(frame, version, out unsubscribe)) == MqttDecodeError.None;

    private static MqttDecodeError Decode(MqttFrame frame, MqttProtocolVersion version, out MqttUnsubscribe unsubscribe)
    {
        unsubscribe = default;

        // 3.10.1 [MQTT-3.10.1-1]: fixed-header flags MUST be 0b0010.
        var error = MqttFixedHeader.Check(frame, MqttPacketType.Unsubscribe);
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
        if (version == MqttProtocolVersion.V500 && (error = MqttProperties.Read(ref reader, MqttPropertyContext.Unsubscribe, out properties)) != MqttDecodeError.None)
        {
            return error;
        }

        var payload = reader.Rest;
        var count = 0;
        while (!reader.IsAtEnd)
        {
            if ((error = reader.ReadString(out _)) != MqttDecodeError.None)
            {
                return error;
            }

            count++;
        }

        // 3.1.1 section 3.10.3 [MQTT-3.10.3-2] / 5.0 section 3.10.3 [MQTT-3.10.3-2]: at least one topic filter; 5.0:
        // "An UNSUBSCRIBE packet with no Payload is a Protocol Error".
        if (count == 0)
        {
            return MqttDecodeError.NoTopicFilters;
        }

        unsubscribe = new MqttUnsubscribe(packetId, properties, payload, count);
        return MqttDecodeError.None;
    }
}

/// <summary>Enumerates the topic filters of a validated UNSUBSCRIBE payload.</summary>
public ref struct MqttTopicFilterEnumerator
{
    private MqttSpanReader _reader;

    internal MqttTopicFilterEnumerator(ReadOnlySpan<byte> payload)
    {
        _reader = new MqttSpanReader(payload);
        Current = default;
    }

    /// <summary>The current topic filter.</summary>
    public ReadOnlySpan<byte> Current { get; private set; }

    /// <summary>Moves to the next filter; false at the end.</summary>
    public bool MoveNext()
    {
        if (!_reader.TryReadBinary(out var filter))
        {
            Current = default;
            return false;
        }

        Current = filter;
        return true;
    }
}
