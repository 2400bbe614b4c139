using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Sensing.Mqtt.Internal;

/// <summary>
/// Reads the MQTT data types of 5.0 section 1.5 (3.1.1 section 1.5) from a packet body, bounds-checked: every read
/// that would pass the end fails instead of throwing.
/// </summary>
internal ref struct MqttSpanReader
{
    private readonly ReadOnlySpan<byte> _span;
    private int _position;

    public MqttSpanReader(ReadOnlySpan<byte> span)
    {
        _span = span;
        _position = 0;
    }

    public readonly int Remaining => _span.Length - _position;

    public readonly bool IsAtEnd => _position == _span.Length;

    public readonly ReadOnlySpan<byte> Rest => _span[_position..];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryReadByte(out byte value)
    {
        if (_position >= _span.Length)
        {
            value = 0;
            return false;
        }

        value = _span[_position++];
        return true;
    }

    // 1.5.2 Two Byte Integer: big-endian.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryReadUInt16(out ushort value)
    {
        if (Remaining < 2)
        {
            value = 0;
            return false;
        }

        value = BinaryPrimitives.ReadUInt16BigEndian(_span[_position..]);
        _position += 2;
        return true;
    }

    // 1.5.3 Four Byte Integer: big-endian.
    public bool TryReadUInt32(out uint value)
    {
        if (Remaining < 4)
        {
            value = 0;
            return false;
        }

        value = BinaryPrimitives.ReadUInt32BigEndian(_span[_position..]);
        _position += 4;
        return true;
    }

    // 1.5.5 Variable Byte Integer.
    public MqttDecodeError ReadVariableByteInteger(out int value)
    {
        var read = MqttVariableByteInteger.TryRead(Rest, out value);
        if (read > 0)
        {
            _position += read;
            return MqttDecodeError.None;
        }

        return read == 0 ? MqttDecodeError.Truncated : MqttDecodeError.MalformedVariableByteInteger;
    }

    public bool TryReadBytes(int count, out ReadOnlySpan<byte> value)
    {
        if ((uint)count > (uint)Remaining)
        {
            value = default;
            return false;
        }

        value = _span.Slice(_position, count);
        _position += count;
        return true;
    }

    // 1.5.6 Binary Data (3.1.1: 1.5.3's length-prefix form): a two byte length, then that many bytes.
    public bool TryReadBinary(out ReadOnlySpan<byte> value)
    {
        if (!TryReadUInt16(out var length))
        {
            value = default;
            return false;
        }

        return TryReadBytes(length, out value);
    }

    // 1.5.4 UTF-8 Encoded String (3.1.1 section 1.5.3): a two byte length, then well-formed UTF-8 without U+0000.
    public MqttDecodeError ReadString(out ReadOnlySpan<byte> value)
        => TryReadBinary(out value) ? MqttUtf8.Validate(value) : MqttDecodeError.Truncated;
}
