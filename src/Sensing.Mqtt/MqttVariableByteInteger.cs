using System.Runtime.CompilerServices;

namespace Sensing.Mqtt;

/// <summary>
/// The variable byte integer of 5.0 section 1.5.5 (3.1.1 section 2.2.3 "Remaining Length"): 7 bits per byte,
/// least significant group first, bit 7 set when another byte follows, at most 4 bytes (0..268,435,455).
/// </summary>
public static class MqttVariableByteInteger
{
    /// <summary>Largest encodable value, 0x0FFFFFFF (four bytes of 7 bits).</summary>
    public const int MaxValue = 268_435_455;

    /// <summary>Longest encoding in bytes.</summary>
    public const int MaxLength = 4;

    /// <summary>Bytes needed to encode <paramref name="value"/> (0..<see cref="MaxValue"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int SizeOf(int value) => value < 128 ? 1 : value < 16_384 ? 2 : value < 2_097_152 ? 3 : 4;

    /// <summary>
    /// Decodes from the start of <paramref name="source"/>. Returns the number of bytes read, 0 when more bytes are
    /// needed, or -1 when the encoding is malformed: a continuation bit on the 4th byte (5.0 section 1.5.5, 3.1.1
    /// section 2.2.3: "The maximum number of bytes in the Remaining Length field is four") or a non-minimal
    /// encoding (5.0 [MQTT-1.5.5-1]: "MUST use the minimum number of bytes necessary").
    /// </summary>
    public static int TryRead(ReadOnlySpan<byte> source, out int value)
    {
        value = 0;
        var shift = 0;
        for (var i = 0; i < MaxLength; i++)
        {
            if (i >= source.Length)
            {
                return 0;
            }

            int b = source[i];
            value |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                // A last byte of 0 after a continuation byte adds nothing: a shorter encoding existed.
                if (b == 0 && i > 0)
                {
                    value = 0;
                    return -1;
                }

                return i + 1;
            }

            shift += 7;
        }

        value = 0;
        return -1;
    }

    /// <summary>Encodes <paramref name="value"/> (0..<see cref="MaxValue"/>) into <paramref name="destination"/>; returns bytes written.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Write(Span<byte> destination, int value)
    {
        var i = 0;
        while (value >= 0x80)
        {
            destination[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        destination[i++] = (byte)value;
        return i;
    }
}
