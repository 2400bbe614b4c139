namespace Sensing.Mqtt;

/// <summary>
/// One complete MQTT control packet: the first fixed-header byte and the bytes after the remaining length
/// (variable header and payload). A view: valid only as long as the memory it was read from (the pipe buffer
/// before <c>AdvanceTo</c>, or the <see cref="MqttFrameBuffer"/> until the next packet).
/// </summary>
public readonly ref struct MqttFrame
{
    /// <summary>Creates a frame from its first fixed-header byte and its body.</summary>
    public MqttFrame(byte header, ReadOnlySpan<byte> body)
    {
        Header = header;
        Body = body;
    }

    /// <summary>The first byte of the fixed header: type in bits 7-4, flags in bits 3-0 (section 2.1.1).</summary>
    public byte Header { get; }

    /// <summary>Variable header and payload: exactly "remaining length" bytes.</summary>
    public ReadOnlySpan<byte> Body { get; }

    /// <summary>The control packet type (bits 7-4, section 2.1.2).</summary>
    public MqttPacketType Type => (MqttPacketType)(Header >> 4);

    /// <summary>The four flag bits (bits 3-0, section 2.1.3).</summary>
    public int Flags => Header & 0x0F;

    /// <summary>Total size on the wire: fixed header (1 byte plus 1-4 bytes of remaining length) and body.</summary>
    public int PacketSize => 1 + MqttVariableByteInteger.SizeOf(Body.Length) + Body.Length;
}
