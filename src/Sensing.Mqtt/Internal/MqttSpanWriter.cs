using System.Buffers.Binary;

namespace Sensing.Mqtt.Internal;

/// <summary>Writes the MQTT data types (section 1.5) sequentially into a span the caller sized exactly.</summary>
internal ref struct MqttSpanWriter
{
    private readonly Span<byte> _span;
    private int _position;

    public MqttSpanWriter(Span<byte> span)
    {
        _span = span;
        _position = 0;
    }

    public readonly int Position => _position;

    public void Byte(byte value) => _span[_position++] = value;

    // 1.5.2 Two Byte Integer, big-endian.
    public void UInt16(ushort value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(_span[_position..], value);
        _position += 2;
    }

    // 1.5.3 Four Byte Integer, big-endian.
    public void UInt32(uint value)
    {
        BinaryPrimitives.WriteUInt32BigEndian(_span[_position..], value);
        _position += 4;
    }

    // 1.5.5 Variable Byte Integer.
    public void VariableByteInteger(int value) => _position += MqttVariableByteInteger.Write(_span[_position..], value);

    public void Bytes(ReadOnlySpan<byte> value)
    {
        value.CopyTo(_span[_position..]);
        _position += value.Length;
    }

    // 1.5.4 UTF-8 Encoded String / 1.5.6 Binary Data: two byte length, then the bytes.
    public void LengthPrefixed(ReadOnlySpan<byte> value)
    {
        UInt16((ushort)value.Length);
        Bytes(value);
    }

    /// <summary>Fixed header: first byte, then the remaining length (2.1.1).</summary>
    public void FixedHeader(byte header, int remainingLength)
    {
        Byte(header);
        VariableByteInteger(remainingLength);
    }

    public void ByteProperty(MqttPropertyId id, byte value)
    {
        Byte((byte)id);
        Byte(value);
    }

    public void UInt16Property(MqttPropertyId id, ushort value)
    {
        Byte((byte)id);
        UInt16(value);
    }

    public void UInt32Property(MqttPropertyId id, uint value)
    {
        Byte((byte)id);
        UInt32(value);
    }

    public void VariableByteIntegerProperty(MqttPropertyId id, int value)
    {
        Byte((byte)id);
        VariableByteInteger(value);
    }

    public void BytesProperty(MqttPropertyId id, ReadOnlySpan<byte> value)
    {
        Byte((byte)id);
        LengthPrefixed(value);
    }

    // 1.5.7 UTF-8 String Pair.
    public void PairProperty(MqttPropertyId id, ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        Byte((byte)id);
        LengthPrefixed(name);
        LengthPrefixed(value);
    }
}

/// <summary>Encoded sizes, and the argument checks that go with them.</summary>
internal static class MqttWireSize
{
    /// <summary>Size of a length-prefixed field; throws when longer than 65,535 bytes (1.5.4, 1.5.6).</summary>
    public static int LengthPrefixed(ReadOnlySpan<byte> value, string paramName)
    {
        if (value.Length > ushort.MaxValue)
        {
            ThrowHelper.ThrowStringTooLong(paramName);
        }

        return 2 + value.Length;
    }

    /// <summary>Size of an optional string/binary property: absent (0) when empty.</summary>
    public static int OptionalBytesProperty(ReadOnlySpan<byte> value, string paramName)
        => value.IsEmpty ? 0 : 1 + LengthPrefixed(value, paramName);

    /// <summary>Size of a user property (1.5.7), absent when the name is empty.</summary>
    public static int OptionalPairProperty(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, string paramName)
        => name.IsEmpty ? 0 : 1 + LengthPrefixed(name, paramName) + LengthPrefixed(value, paramName);

    /// <summary>Size of a property block including its Property Length (2.2.2.1).</summary>
    public static int PropertyBlock(int propertiesLength) => MqttVariableByteInteger.SizeOf(propertiesLength) + propertiesLength;

    /// <summary>Size of a whole packet; throws when the remaining length does not fit 4 bytes (2.1.4).</summary>
    public static int Packet(long remainingLength)
    {
        if (remainingLength > MqttVariableByteInteger.MaxValue)
        {
            ThrowHelper.ThrowPacketTooLarge();
        }

        return 1 + MqttVariableByteInteger.SizeOf((int)remainingLength) + (int)remainingLength;
    }
}
