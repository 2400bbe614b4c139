using System.Buffers;

namespace Sensing.Mqtt;

/// <summary>Outcome of <see cref="MqttFrameReader.TryRead"/>.</summary>
public enum MqttFrameStatus : byte
{
    /// <summary>One packet was read; advance the reader to <c>consumed</c>.</summary>
    Complete,

    /// <summary>More bytes are needed; <c>AdvanceTo(consumed, examined)</c> and read again.</summary>
    Incomplete,

    /// <summary>The remaining length is malformed: reason 0x81, then close.</summary>
    MalformedRemainingLength,

    /// <summary>The packet type is 0 (reserved, forbidden): reason 0x81, then close.</summary>
    ReservedPacketType,

    /// <summary>The packet is larger than the maximum packet size: 5.0 reason 0x95, then close.</summary>
    PacketTooLarge,
}

/// <summary>
/// Finds MQTT packet boundaries in a byte stream. The fixed header is one type/flags byte and the remaining length
/// (section 2.1.1 in both 3.1.1 and 5.0). No allocation: a packet inside the first segment is returned in place;
/// one that spans segments is copied into the caller's <see cref="MqttFrameBuffer"/>.
/// </summary>
public static class MqttFrameReader
{
    /// <summary>
    /// Largest packet the protocol can carry: 1 type byte, 4 length bytes and a remaining length of
    /// 268,435,455 (5.0 section 2.1.4, 3.1.1 section 2.2.3).
    /// </summary>
    public const int ProtocolMaxPacketSize = 1 + MqttVariableByteInteger.MaxLength + MqttVariableByteInteger.MaxValue;

    // Longest fixed header: 1 type byte + 4 remaining-length bytes.
    private const int MaxFixedHeaderLength = 5;

    /// <summary>
    /// Reads one packet from the start of <paramref name="buffer"/>.
    /// </summary>
    /// <param name="buffer">Bytes received so far (<c>ReadResult.Buffer</c>).</param>
    /// <param name="maxPacketSize">
    /// Largest packet accepted, counting the fixed header (5.0 section 3.1.2.11.4 counts "the total number of bytes in
    /// an MQTT Control Packet"). Checked as soon as the fixed header is in, before the body arrives.
    /// </param>
    /// <param name="reassembly">Where a packet that spans segments is copied.</param>
    /// <param name="frame">The packet when the result is <see cref="MqttFrameStatus.Complete"/>.</param>
    /// <param name="consumed">
    /// The end of the packet when complete, otherwise the start of <paramref name="buffer"/>.
    /// </param>
    /// <param name="examined">
    /// The end of the packet when complete, otherwise the end of <paramref name="buffer"/> (everything was looked at).
    /// </param>
    public static MqttFrameStatus TryRead(
        in ReadOnlySequence<byte> buffer, int maxPacketSize, MqttFrameBuffer reassembly, out MqttFrame frame,
        out SequencePosition consumed, out SequencePosition examined)
    {
        frame = default;
        consumed = buffer.Start;
        examined = buffer.End;

        var first = buffer.FirstSpan;
        MqttFrameStatus status;
        int headerLength;
        int remainingLength;
        if (first.Length >= MaxFixedHeaderLength || buffer.IsSingleSegment)
        {
            status = ReadFixedHeader(first, out headerLength, out remainingLength);
        }
        else
        {
            // The fixed header itself straddles segments: gather its (at most 5) bytes first.
            Span<byte> header = stackalloc byte[MaxFixedHeaderLength];
            var available = (int)Math.Min(buffer.Length, MaxFixedHeaderLength);
            buffer.Slice(0, available).CopyTo(header);
            status = ReadFixedHeader(header[..available], out headerLength, out remainingLength);
        }

        if (status != MqttFrameStatus.Complete)
        {
            return status;
        }

        var packetSize = (long)headerLength + remainingLength;
        if (packetSize > maxPacketSize)
        {
            // 5.0 section 3.1.2.11.4 / 3.2.2.3.6: a packet over the advertised Maximum Packet Size is a protocol
            // violation; the receiver sends DISCONNECT 0x95 Packet too large (5.0 section 4.13).
            return MqttFrameStatus.PacketTooLarge;
        }

        if (buffer.Length < packetSize)
        {
            return MqttFrameStatus.Incomplete;
        }

        var header0 = first[0];
        if (first.Length >= packetSize)
        {
            // Fast path: the whole packet is in the first segment.
            frame = new MqttFrame(header0, first.Slice(headerLength, remainingLength));
        }
        else
        {
            var copy = reassembly.GetSpan(remainingLength);
            buffer.Slice(headerLength, remainingLength).CopyTo(copy);
            frame = new MqttFrame(header0, copy);
        }

        consumed = examined = buffer.GetPosition(packetSize);
        return MqttFrameStatus.Complete;
    }

    /// <summary>Maps a framing failure to the 5.0 reason code to report before closing.</summary>
    public static MqttReasonCode ToReasonCode(this MqttFrameStatus status) => status switch
    {
        MqttFrameStatus.Complete or MqttFrameStatus.Incomplete => MqttReasonCode.Success,
        MqttFrameStatus.PacketTooLarge => MqttReasonCode.PacketTooLarge,
        _ => MqttReasonCode.MalformedPacket,
    };

    /// <summary>Maps a framing failure to the matching <see cref="MqttDecodeError"/>.</summary>
    public static MqttDecodeError ToDecodeError(this MqttFrameStatus status) => status switch
    {
        MqttFrameStatus.MalformedRemainingLength => MqttDecodeError.MalformedRemainingLength,
        MqttFrameStatus.ReservedPacketType => MqttDecodeError.ReservedPacketType,
        MqttFrameStatus.PacketTooLarge => MqttDecodeError.PacketTooLarge,
        _ => MqttDecodeError.None,
    };

    private static MqttFrameStatus ReadFixedHeader(ReadOnlySpan<byte> span, out int headerLength, out int remainingLength)
    {
        headerLength = 0;
        remainingLength = 0;
        if (span.IsEmpty)
        {
            return MqttFrameStatus.Incomplete;
        }

        // 3.1.1 and 5.0 section 2.1.2: packet type 0 is "Reserved / Forbidden".
        if ((span[0] >> 4) == (int)MqttPacketType.Reserved)
        {
            return MqttFrameStatus.ReservedPacketType;
        }

        var read = MqttVariableByteInteger.TryRead(span[1..], out remainingLength);
        if (read == 0)
        {
            return MqttFrameStatus.Incomplete;
        }

        if (read < 0)
        {
            return MqttFrameStatus.MalformedRemainingLength;
        }

        headerLength = 1 + read;
        return MqttFrameStatus.Complete;
    }
}
