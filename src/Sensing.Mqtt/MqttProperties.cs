using Sensing.Mqtt.Internal;

namespace Sensing.Mqtt;

/// <summary>
/// A validated 5.0 property block (5.0 section 2.2.2): every identifier allowed for its packet, none duplicated where
/// the specification forbids it, every value of the right type and range. Lookups scan the block (blocks are a few
/// dozen bytes); <see cref="Contains"/> is a bit test. Empty for 3.1.1 packets.
/// </summary>
public readonly ref struct MqttProperties
{
    private readonly ulong _present;

    internal MqttProperties(ReadOnlySpan<byte> block, ulong present)
    {
        Raw = block;
        _present = present;
    }

    /// <summary>The encoded properties, without the leading Property Length.</summary>
    public ReadOnlySpan<byte> Raw { get; }

    /// <summary>True when there are no properties.</summary>
    public bool IsEmpty => Raw.IsEmpty;

    /// <summary>True when the block contains <paramref name="id"/>.</summary>
    public bool Contains(MqttPropertyId id) => (_present & (1UL << (int)id)) != 0;

    /// <summary>Enumerates all properties in wire order (user properties included).</summary>
    public MqttPropertyEnumerator GetEnumerator() => new(Raw);

    /// <summary>Finds the first property <paramref name="id"/>.</summary>
    public bool TryGet(MqttPropertyId id, out MqttProperty property)
    {
        if (Contains(id))
        {
            foreach (var p in this)
            {
                if (p.Id == id)
                {
                    property = p;
                    return true;
                }
            }
        }

        property = default;
        return false;
    }

    /// <summary>The integer value of <paramref name="id"/>, or <paramref name="absent"/> when not present.</summary>
    public uint GetInteger(MqttPropertyId id, uint absent) => TryGet(id, out var p) ? p.Integer : absent;

    /// <summary>The string or binary value of <paramref name="id"/>; empty when not present.</summary>
    public ReadOnlySpan<byte> GetBytes(MqttPropertyId id) => TryGet(id, out var p) ? p.Bytes : default;

    /// <summary>
    /// Reads a Property Length (a Variable Byte Integer, 5.0 section 2.2.2.1) and that many bytes of properties, and
    /// validates them for <paramref name="context"/>.
    /// </summary>
    internal static MqttDecodeError Read(scoped ref MqttSpanReader reader, MqttPropertyContext context, out MqttProperties properties)
    {
        properties = default;
        var error = reader.ReadVariableByteInteger(out var length);
        if (error != MqttDecodeError.None)
        {
            return error;
        }

        if (!reader.TryReadBytes(length, out var block))
        {
            return MqttDecodeError.Truncated;
        }

        var present = 0UL;
        var items = new MqttSpanReader(block);
        while (!items.IsAtEnd)
        {
            error = ReadOne(ref items, context, out var property);
            if (error != MqttDecodeError.None)
            {
                return error;
            }

            var bit = 1UL << (int)property.Id;

            // 5.0 section 2.2.2.2 and each property's description: "It is a Protocol Error to include <property> more
            // than once". Exceptions: User Property may repeat (3.1.2.11.8 and others), and a PUBLISH may carry several
            // Subscription Identifiers (3.3.2.3.8); in SUBSCRIBE it is once only (3.8.2.1.2).
            var mayRepeat = property.Id == MqttPropertyId.UserProperty
                || (property.Id == MqttPropertyId.SubscriptionIdentifier && context == MqttPropertyContext.Publish);
            if ((present & bit) != 0 && !mayRepeat)
            {
                return MqttDecodeError.DuplicateProperty;
            }

            present |= bit;
            error = MqttPropertyRules.CheckValue(property.Id, property.Integer, property.Bytes);
            if (error != MqttDecodeError.None)
            {
                return error;
            }
        }

        // 3.1.2.11.10 / 3.2.2.3.18 / 3.15.2.2.3: "It is a Protocol Error to include Authentication Data if there is no
        // Authentication Method".
        if ((present & (1UL << (int)MqttPropertyId.AuthenticationData)) != 0 && (present & (1UL << (int)MqttPropertyId.AuthenticationMethod)) == 0)
        {
            return MqttDecodeError.AuthenticationDataWithoutMethod;
        }

        properties = new MqttProperties(block, present);
        return MqttDecodeError.None;
    }

    internal static MqttDecodeError ReadOne(scoped ref MqttSpanReader reader, MqttPropertyContext context, out MqttProperty property)
    {
        property = default;

        // 5.0 section 2.2.2.2: the identifier is encoded as a Variable Byte Integer (all defined ones fit one byte).
        var error = reader.ReadVariableByteInteger(out var id);
        if (error != MqttDecodeError.None)
        {
            return error;
        }

        // 5.0 section 2.2.2.2: "A Control Packet which contains an Identifier which is not valid for its packet type,
        // or contains a value not of the specified data type, is a Malformed Packet."
        uint integer = 0;
        ReadOnlySpan<byte> bytes = default;
        ReadOnlySpan<byte> pairValue = default;
        switch (MqttPropertyRules.TypeIn(id, context))
        {
            case MqttPropertyType.Byte:
                if (!reader.TryReadByte(out var b))
                {
                    return MqttDecodeError.Truncated;
                }

                integer = b;
                break;
            case MqttPropertyType.TwoByteInteger:
                if (!reader.TryReadUInt16(out var u16))
                {
                    return MqttDecodeError.Truncated;
                }

                integer = u16;
                break;
            case MqttPropertyType.FourByteInteger:
                if (!reader.TryReadUInt32(out integer))
                {
                    return MqttDecodeError.Truncated;
                }

                break;
            case MqttPropertyType.VariableByteInteger:
                error = reader.ReadVariableByteInteger(out var vbi);
                integer = (uint)vbi;
                break;
            case MqttPropertyType.Utf8String:
                error = reader.ReadString(out bytes);
                break;
            case MqttPropertyType.BinaryData:
                error = reader.TryReadBinary(out bytes) ? MqttDecodeError.None : MqttDecodeError.Truncated;
                break;
            case MqttPropertyType.Utf8StringPair:
                // 1.5.7 UTF-8 String Pair [MQTT-1.5.7-1]: both strings follow the UTF-8 string rules.
                error = reader.ReadString(out bytes);
                if (error == MqttDecodeError.None)
                {
                    error = reader.ReadString(out pairValue);
                }

                break;
            default:
                return MqttDecodeError.InvalidPropertyIdentifier;
        }

        if (error == MqttDecodeError.None)
        {
            property = new MqttProperty((MqttPropertyId)id, integer, bytes, pairValue);
        }

        return error;
    }
}
