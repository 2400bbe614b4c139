using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace Sensing.Detection.Internal;

/// <summary>
/// Writes detector state for a snapshot: unmanaged structs as their bytes, integers little-endian, strings as a
/// length (-1 for null) and UTF-8. Runs at checkpoints, not per reading.
/// </summary>
internal readonly ref struct StateWriter
{
    private readonly IBufferWriter<byte> _output;

    public StateWriter(IBufferWriter<byte> output) => _output = output;

    public void WriteByte(byte value)
    {
        _output.GetSpan(1)[0] = value;
        _output.Advance(1);
    }

    public void WriteInt32(int value)
    {
        BinaryPrimitives.WriteInt32LittleEndian(_output.GetSpan(4), value);
        _output.Advance(4);
    }

    public void WriteInt64(long value)
    {
        BinaryPrimitives.WriteInt64LittleEndian(_output.GetSpan(8), value);
        _output.Advance(8);
    }

    /// <summary>The struct's bytes as they are in memory (layout checked by size when read back).</summary>
    public void WriteStruct<T>(in T value)
        where T : unmanaged
    {
        var bytes = MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in value));
        bytes.CopyTo(_output.GetSpan(bytes.Length));
        _output.Advance(bytes.Length);
    }

    public void WriteString(string? value)
    {
        if (value is null)
        {
            WriteInt32(-1);
            return;
        }

        var length = Encoding.UTF8.GetByteCount(value);
        WriteInt32(length);
        Encoding.UTF8.GetBytes(value, _output.GetSpan(length));
        _output.Advance(length);
    }

    /// <summary>Size of <typeparamref name="T"/> in bytes, written into the snapshot header as a layout check.</summary>
    public static int SizeOf<T>()
        where T : unmanaged => Unsafe.SizeOf<T>();
}
