using System.Buffers;
using System.Buffers.Binary;

namespace Sensing.Storage.Arrow.Internal;

/// <summary>
/// The buffers of one column of a record batch being built, in pooled arrays: the validity bitmap (bit i set when
/// row i is valid, least significant bit first: format "Validity bitmaps"), the values (8 bytes per row, or the
/// UTF-8 data of a Utf8 column) and, for Utf8, the int32 offsets (rows + 1 of them, the first 0).
/// </summary>
internal sealed class ColumnBuffers : IDisposable
{
    private byte[] _validity = ArrayPool<byte>.Shared.Rent(64);
    private byte[] _values = ArrayPool<byte>.Shared.Rent(512);
    private byte[] _offsets = ArrayPool<byte>.Shared.Rent(256);
    private int _valuesLength;

    public ColumnBuffers(ArrowColumnType type)
    {
        Type = type;
        Clear();
    }

    public ArrowColumnType Type { get; }

    public int Count { get; private set; }

    public int NullCount { get; private set; }

    public ReadOnlySpan<byte> Validity => _validity.AsSpan(0, (Count + 7) / 8);

    public ReadOnlySpan<byte> Offsets => Type == ArrowColumnType.Utf8 ? _offsets.AsSpan(0, 4 * (Count + 1)) : default;

    public ReadOnlySpan<byte> Values => _values.AsSpan(0, _valuesLength);

    public ReadOnlyMemory<byte> ValidityMemory => _validity.AsMemory(0, (Count + 7) / 8);

    public ReadOnlyMemory<byte> OffsetsMemory => Type == ArrowColumnType.Utf8 ? _offsets.AsMemory(0, 4 * (Count + 1)) : default;

    public ReadOnlyMemory<byte> ValuesMemory => _values.AsMemory(0, _valuesLength);

    public void AppendNull()
    {
        NullCount++;
        if (Type == ArrowColumnType.Utf8)
        {
            // A null string has a zero-length slot: its end offset repeats the previous one.
            WriteEndOffset();
        }
        else
        {
            // A null slot of a fixed-width column still takes its 8 bytes (their value is undefined; zero here).
            WriteFixed(0);
        }

        EndRow(valid: false);
    }

    public void AppendFixed(long bits)
    {
        WriteFixed(bits);
        EndRow(valid: true);
    }

    public void AppendUtf8(ReadOnlySpan<byte> utf8)
    {
        Ensure(ref _values, _valuesLength + utf8.Length);
        utf8.CopyTo(_values.AsSpan(_valuesLength));
        _valuesLength += utf8.Length;
        WriteEndOffset();
        EndRow(valid: true);
    }

    public void AppendUtf8(ReadOnlySpan<char> text)
    {
        Ensure(ref _values, _valuesLength + System.Text.Encoding.UTF8.GetMaxByteCount(text.Length));
        _valuesLength += System.Text.Encoding.UTF8.GetBytes(text, _values.AsSpan(_valuesLength));
        WriteEndOffset();
        EndRow(valid: true);
    }

    public void Clear()
    {
        Count = 0;
        NullCount = 0;
        _valuesLength = 0;
        _offsets.AsSpan(0, 4).Clear();
    }

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_validity);
        ArrayPool<byte>.Shared.Return(_values);
        ArrayPool<byte>.Shared.Return(_offsets);
    }

    private void WriteFixed(long bits)
    {
        Ensure(ref _values, _valuesLength + 8);
        BinaryPrimitives.WriteInt64LittleEndian(_values.AsSpan(_valuesLength), bits);
        _valuesLength += 8;
    }

    private void WriteEndOffset()
    {
        Ensure(ref _offsets, 4 * (Count + 2));
        BinaryPrimitives.WriteInt32LittleEndian(_offsets.AsSpan(4 * (Count + 1)), _valuesLength);
    }

    // Last step of every append: the row's validity bit, then the row count.
    private void EndRow(bool valid)
    {
        var index = Count;
        Ensure(ref _validity, (index / 8) + 1);
        if (index % 8 == 0)
        {
            _validity[index / 8] = 0;
        }

        if (valid)
        {
            _validity[index / 8] |= (byte)(1 << (index % 8));
        }

        Count++;
    }

    private static void Ensure(ref byte[] array, int length)
    {
        if (length <= array.Length)
        {
            return;
        }

        var larger = ArrayPool<byte>.Shared.Rent(Math.Max(length, array.Length * 2));
        array.AsSpan().CopyTo(larger);
        ArrayPool<byte>.Shared.Return(array);
        array = larger;
    }
}
