namespace Sensing.Storage.Arrow.Internal;

/// <summary>
/// The flatbuffer <c>Message</c> metadata of the Arrow IPC format (format/Message.fbs and format/Schema.fbs, metadata
/// version V5). Field ids below are the declaration order in those tables; a union takes two ids (its type, then
/// the value).
/// </summary>
internal static class ArrowMessages
{
    // MetadataVersion.V5 (enum short: V1 = 0 .. V5 = 4).
    private const long MetadataV5 = 4;

    // MessageHeader union: Schema = 1, RecordBatch = 3.
    private const long HeaderSchema = 1;
    private const long HeaderRecordBatch = 3;

    // Type union members: Int = 2, FloatingPoint = 3, Utf8 = 5, Timestamp = 10.
    private const long TypeInt = 2;
    private const long TypeFloatingPoint = 3;
    private const long TypeUtf8 = 5;
    private const long TypeTimestamp = 10;

    // Precision.DOUBLE = 2; TimeUnit.MILLISECOND = 1.
    private const long PrecisionDouble = 2;
    private const long UnitMillisecond = 1;

    /// <summary>Encodes the Schema message (no body).</summary>
    public static void WriteSchema(FlatBufferWriter fb, ArrowSchema schema)
    {
        Span<int> refs = stackalloc int[2];
        var root = fb.StartBuffer();
        var header = WriteMessageTable(fb, root, HeaderSchema, bodyLength: 0);

        // table Schema { endianness: short (0, Little); fields: [Field] (1); ... }
        fb.StartTable();
        fb.AddScalar(0, 2, 0);
        fb.AddReference(1);
        fb.EndTable(header, refs);
        var fieldSlots = fb.WriteReferenceVector(refs[0], schema.Fields.Count);
        for (var i = 0; i < schema.Fields.Count; i++)
        {
            WriteField(fb, fieldSlots + (4 * i), schema.Fields[i]);
        }

        fb.PadTo(8);
    }

    /// <summary>
    /// Encodes a RecordBatch message: <paramref name="nodes"/> holds (length, null_count) per column and
    /// <paramref name="buffers"/> (offset, length) per buffer, both flattened.
    /// </summary>
    public static void WriteRecordBatch(FlatBufferWriter fb, long rows, ReadOnlySpan<long> nodes, ReadOnlySpan<long> buffers, long bodyLength)
    {
        Span<int> refs = stackalloc int[2];
        var root = fb.StartBuffer();
        var header = WriteMessageTable(fb, root, HeaderRecordBatch, bodyLength);

        // table RecordBatch { length: long (0); nodes: [FieldNode] (1); buffers: [Buffer] (2); ... }
        fb.StartTable();
        fb.AddScalar(0, 8, rows);
        fb.AddReference(1);
        fb.AddReference(2);
        fb.EndTable(header, refs);
        fb.WriteInt64PairVector(refs[0], nodes);
        fb.WriteInt64PairVector(refs[1], buffers);
        fb.PadTo(8);
    }

    // table Message { version: short (0); header_type: ubyte (1); header: table (2); bodyLength: long (3); ... }
    // Returns the reference to the header table.
    private static int WriteMessageTable(FlatBufferWriter fb, int root, long headerType, long bodyLength)
    {
        Span<int> refs = stackalloc int[1];
        fb.StartTable();
        fb.AddScalar(3, 8, bodyLength);
        fb.AddScalar(0, 2, MetadataV5);
        fb.AddScalar(1, 1, headerType);
        fb.AddReference(2);
        fb.EndTable(root, refs);
        return refs[0];
    }

    // table Field { name: string (0); nullable: bool (1); type_type: ubyte (2); type: table (3);
    //               dictionary (4); children: [Field] (5); custom_metadata (6) }
    private static void WriteField(FlatBufferWriter fb, int slot, ArrowField field)
    {
        Span<int> refs = stackalloc int[3];
        fb.StartTable();
        fb.AddReference(0);
        fb.AddScalar(1, 1, field.Nullable ? 1 : 0);
        fb.AddScalar(2, 1, field.Type switch
        {
            ArrowColumnType.Utf8 => TypeUtf8,
            ArrowColumnType.Int64 => TypeInt,
            ArrowColumnType.Float64 => TypeFloatingPoint,
            _ => TypeTimestamp,
        });
        fb.AddReference(3);
        // An empty children vector: readers (Arrow C++ among them) refuse a Field without one.
        fb.AddReference(5);
        fb.EndTable(slot, refs);
        fb.WriteString(refs[0], field.Name);
        WriteType(fb, refs[1], field.Type);
        fb.WriteReferenceVector(refs[2], 0);
    }

    private static void WriteType(FlatBufferWriter fb, int reference, ArrowColumnType type)
    {
        Span<int> refs = stackalloc int[1];
        fb.StartTable();
        switch (type)
        {
            case ArrowColumnType.Int64:
                // table Int { bitWidth: int (0); is_signed: bool (1) }
                fb.AddScalar(0, 4, 64);
                fb.AddScalar(1, 1, 1);
                fb.EndTable(reference, refs);
                break;
            case ArrowColumnType.Float64:
                // table FloatingPoint { precision: short (0) }
                fb.AddScalar(0, 2, PrecisionDouble);
                fb.EndTable(reference, refs);
                break;
            case ArrowColumnType.TimestampMsUtc:
                // table Timestamp { unit: short (0); timezone: string (1) }
                fb.AddScalar(0, 2, UnitMillisecond);
                fb.AddReference(1);
                fb.EndTable(reference, refs);
                fb.WriteString(refs[0], "UTC");
                break;
            default:
                // table Utf8 { }
                fb.EndTable(reference, refs);
                break;
        }
    }
}
