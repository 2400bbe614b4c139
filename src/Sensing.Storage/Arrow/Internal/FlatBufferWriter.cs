using System.Buffers.Binary;
using System.Text;

namespace Sensing.Storage.Arrow.Internal;

/// <summary>
/// Writes a FlatBuffer front to back: the root offset first, then each table (its vtable just before it), then the
/// strings, vectors and tables it refers to. FlatBuffers only require that a uoffset points forward (to a higher
/// address) and that a table's soffset finds its vtable, so writing in reading order is valid; each reference is
/// written as a placeholder and patched when its target is placed. Scalars are aligned to their size, vector
/// element data to the element's alignment (flatbuffers "Binary format": alignment of scalars, vectors and tables).
/// Allocates per message, not per row: Arrow metadata is written once per schema and once per record batch.
/// </summary>
internal sealed class FlatBufferWriter
{
    private readonly List<TableField> _fields = new(8);
    private byte[] _buffer = new byte[512];
    private int _position;

    /// <summary>Bytes written so far.</summary>
    public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, _position);

    /// <summary>Bytes written so far, as memory (for asynchronous writes).</summary>
    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _position);

    /// <summary>Starts a new buffer with the root table's uoffset at 0; returns that reference.</summary>
    public int StartBuffer()
    {
        _position = 0;
        return Reserve(4, 4);
    }

    /// <summary>Starts collecting the fields of a table.</summary>
    public void StartTable() => _fields.Clear();

    /// <summary>Adds a scalar field (2, 4 or 8 bytes, or 1 for bool and ubyte) with the given field id.</summary>
    public void AddScalar(int id, int size, long value) => _fields.Add(new TableField(id, size, value, IsReference: false));

    /// <summary>Adds a field that refers to a string, vector or table written later; see <see cref="EndTable"/>.</summary>
    public void AddReference(int id) => _fields.Add(new TableField(id, 4, 0, IsReference: true));

    /// <summary>
    /// Writes the vtable and the table, and points <paramref name="pointedFrom"/> (a reference written earlier) at the
    /// table. <paramref name="references"/> receives the position of every reference field in the order they were
    /// added, for <see cref="PlaceHere"/> and the write methods.
    /// </summary>
    public void EndTable(int pointedFrom, Span<int> references)
    {
        var slots = 0;
        foreach (var field in _fields)
        {
            slots = Math.Max(slots, field.Id + 1);
        }

        // vtable: uint16 vtable size, uint16 table size, one uint16 offset per field id (0: absent).
        var vtableSize = 4 + (2 * slots);
        var vtable = Reserve(vtableSize, 2);
        // The table starts with its int32 soffset; 8-aligning it lets 8-byte fields sit right after in order.
        var table = Reserve(4, 8);
        var written = 0;
        for (var order = 0; order < _fields.Count; order++)
        {
            var field = _fields[order];
            var at = Reserve(field.Size, field.Size);
            Write(at, field.Size, field.Value);
            BinaryPrimitives.WriteUInt16LittleEndian(_buffer.AsSpan(vtable + 4 + (2 * field.Id)), (ushort)(at - table));
            if (field.IsReference)
            {
                references[written++] = at;
            }
        }

        BinaryPrimitives.WriteUInt16LittleEndian(_buffer.AsSpan(vtable), (ushort)vtableSize);
        BinaryPrimitives.WriteUInt16LittleEndian(_buffer.AsSpan(vtable + 2), (ushort)(_position - table));
        // soffset: the vtable is at table - soffset.
        BinaryPrimitives.WriteInt32LittleEndian(_buffer.AsSpan(table), table - vtable);
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer.AsSpan(pointedFrom), (uint)(table - pointedFrom));
    }

    /// <summary>
    /// Aligns the next write so that data following a <paramref name="prefix"/>-byte header is
    /// <paramref name="alignment"/>-aligned, and points the reference at <paramref name="reference"/> there.
    /// </summary>
    public void PlaceHere(int reference, int alignment = 4, int prefix = 0)
    {
        Pad(alignment, prefix);
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer.AsSpan(reference), (uint)(_position - reference));
    }

    /// <summary>Places a string (uint32 length, UTF-8 bytes, a 0 terminator) for <paramref name="reference"/>.</summary>
    public void WriteString(int reference, string value)
    {
        PlaceHere(reference);
        var length = Encoding.UTF8.GetByteCount(value);
        var at = Reserve(4 + length + 1, 1);
        BinaryPrimitives.WriteInt32LittleEndian(_buffer.AsSpan(at), length);
        Encoding.UTF8.GetBytes(value, _buffer.AsSpan(at + 4));
        _buffer[at + 4 + length] = 0;
    }

    /// <summary>Places a vector of <paramref name="count"/> references for <paramref name="reference"/>; returns
    /// the position of its first element slot (slot i at + 4 * i).</summary>
    public int WriteReferenceVector(int reference, int count)
    {
        PlaceHere(reference);
        var at = Reserve(4 + (4 * count), 4);
        BinaryPrimitives.WriteInt32LittleEndian(_buffer.AsSpan(at), count);
        return at + 4;
    }

    /// <summary>Places a vector of structs of two int64 each (Arrow's FieldNode and Buffer) for <paramref name="reference"/>.</summary>
    public void WriteInt64PairVector(int reference, ReadOnlySpan<long> pairs)
    {
        // The uint32 length comes first and the 8-byte-aligned struct data right after it.
        PlaceHere(reference, alignment: 8, prefix: 4);
        var at = Reserve(4 + (8 * pairs.Length), 4);
        BinaryPrimitives.WriteInt32LittleEndian(_buffer.AsSpan(at), pairs.Length / 2);
        for (var i = 0; i < pairs.Length; i++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(_buffer.AsSpan(at + 4 + (8 * i)), pairs[i]);
        }
    }

    /// <summary>Pads the buffer with zeros to a multiple of <paramref name="alignment"/>.</summary>
    public void PadTo(int alignment) => Pad(alignment, 0);

    private void Pad(int alignment, int prefix)
    {
        var misaligned = (_position + prefix) % alignment;
        if (misaligned != 0)
        {
            Reserve(alignment - misaligned, 1);
        }
    }

    private int Reserve(int size, int alignment)
    {
        Pad(alignment, 0);
        if (_position + size > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _position + size));
        }

        var at = _position;
        _buffer.AsSpan(at, size).Clear();
        _position += size;
        return at;
    }

    private void Write(int at, int size, long value)
    {
        var span = _buffer.AsSpan(at);
        switch (size)
        {
            case 1: span[0] = (byte)value; break;
            case 2: BinaryPrimitives.WriteInt16LittleEndian(span, (short)value); break;
            case 4: BinaryPrimitives.WriteInt32LittleEndian(span, (int)value); break;
            default: BinaryPrimitives.WriteInt64LittleEndian(span, value); break;
        }
    }

    private readonly record struct TableField(int Id, int Size, long Value, bool IsReference);
}
