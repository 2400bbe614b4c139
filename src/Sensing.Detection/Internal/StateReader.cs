using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace Sensing.Detection.Internal;

/// <summary>Reads what <see cref="StateWriter"/> wrote; throws <see cref="InvalidDataException"/> on truncated input.</summary>
internal ref struct StateReader
{
    private readonly ReadOnlySpan<byte> _input;
    private int _position;

    public StateReader(ReadOnlySpan<byte> input) => _input = input;

    public readonly int Position => _position;

    public readonly int Remaining => _input.Length - _position;

    public byte ReadByte() => Take(1)[0];

    public int ReadInt32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));

    public long ReadInt64() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));

    public T ReadStruct<T>()
        where T : unmanaged => MemoryMarshal.Read<T>(Take(Unsafe.SizeOf<T>()));

    public string? ReadString()
    {
        var length = ReadInt32();
        if (length < -1)
        {
            throw new InvalidDataException("detection snapshot: negative string length");
        }

        return length == -1 ? null : Encoding.UTF8.GetString(Take(length));
    }

    public ReadOnlySpan<byte> Take(int length)
    {
        if (length < 0 || length > Remaining)
        {
            throw new InvalidDataException("detection snapshot: truncated");
        }

        var span = _input.Slice(_position, length);
        _position += length;
        return span;
    }
}
