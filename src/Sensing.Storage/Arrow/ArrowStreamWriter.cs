using System.Buffers.Binary;
using Sensing.Storage.Arrow.Internal;

namespace Sensing.Storage.Arrow;

/// <summary>
/// Writes the Arrow IPC streaming format (media type <c>application/vnd.apache.arrow.stream</c>): a Schema message,
/// RecordBatch messages, and the end-of-stream marker. Every message is encapsulated as the format's "Encapsulated
/// message format" says: the continuation marker 0xFFFFFFFF, the int32 length of the flatbuffer metadata (padded so
/// the body starts 8-byte aligned), the metadata, then the body, each buffer padded to a multiple of 8 bytes.
/// Written by the project: the Arrow .NET library is not used.
/// </summary>
public sealed class ArrowStreamWriter
{
    /// <summary>The media type of the stream format.</summary>
    public const string MediaType = "application/vnd.apache.arrow.stream";

    // Format: "the body ... buffers are padded to a multiple of 8 bytes" (64 is recommended; 8 is required).
    private const int Alignment = 8;
    private static readonly byte[] Padding = new byte[Alignment];
    private readonly Stream _output;
    private readonly ArrowSchema _schema;
    private readonly FlatBufferWriter _metadata = new();
    private readonly byte[] _prefix = new byte[8];
    private long[] _nodes = [];
    private long[] _buffers = [];
    private bool _schemaWritten;
    private bool _ended;

    /// <summary>Creates a writer; nothing is written until the first call.</summary>
    public ArrowStreamWriter(Stream output, ArrowSchema schema)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(schema);
        _output = output;
        _schema = schema;
    }

    /// <summary>Record batches written.</summary>
    public long Batches { get; private set; }

    /// <summary>Rows written in all batches.</summary>
    public long Rows { get; private set; }

    /// <summary>Writes the Schema message (done by the first batch or the end if not called).</summary>
    public async ValueTask WriteSchemaAsync(CancellationToken cancellationToken = default)
    {
        if (_schemaWritten)
        {
            return;
        }

        ArrowMessages.WriteSchema(_metadata, _schema);
        await WriteMetadataAsync(cancellationToken).ConfigureAwait(false);
        _schemaWritten = true;
    }

    /// <summary>Writes <paramref name="batch"/> as one RecordBatch message (an empty batch writes nothing).</summary>
    public async ValueTask WriteBatchAsync(ArrowBatchBuilder batch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ObjectDisposedException.ThrowIf(_ended, this);
        if (batch.Schema != _schema)
        {
            throw new ArgumentException("The batch was built for another schema.", nameof(batch));
        }

        await WriteSchemaAsync(cancellationToken).ConfigureAwait(false);
        if (batch.Rows == 0)
        {
            return;
        }

        var bodyLength = Describe(batch);
        ArrowMessages.WriteRecordBatch(_metadata, batch.Rows, _nodes, _buffers, bodyLength);
        await WriteMetadataAsync(cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < batch.Columns.Length; i++)
        {
            var column = batch.Columns[i];
            await WriteBufferAsync(column, BufferKind.Validity, cancellationToken).ConfigureAwait(false);
            if (column.Type == ArrowColumnType.Utf8)
            {
                await WriteBufferAsync(column, BufferKind.Offsets, cancellationToken).ConfigureAwait(false);
            }

            await WriteBufferAsync(column, BufferKind.Values, cancellationToken).ConfigureAwait(false);
        }

        Batches++;
        Rows += batch.Rows;
    }

    /// <summary>Writes the end-of-stream marker (0xFFFFFFFF then a zero length) and flushes; the writer is then done.</summary>
    public async ValueTask WriteEndAsync(CancellationToken cancellationToken = default)
    {
        if (_ended)
        {
            return;
        }

        await WriteSchemaAsync(cancellationToken).ConfigureAwait(false);
        BinaryPrimitives.WriteUInt32LittleEndian(_prefix, 0xFFFFFFFF);
        BinaryPrimitives.WriteInt32LittleEndian(_prefix.AsSpan(4), 0);
        await _output.WriteAsync(_prefix, cancellationToken).ConfigureAwait(false);
        await _output.FlushAsync(cancellationToken).ConfigureAwait(false);
        _ended = true;
    }

    // Fills the FieldNode (length, null_count) and Buffer (offset, length) arrays; returns the body length.
    private long Describe(ArrowBatchBuilder batch)
    {
        var columns = batch.Columns;
        var bufferCount = 0;
        foreach (var column in columns)
        {
            bufferCount += column.Type == ArrowColumnType.Utf8 ? 3 : 2;
        }

        if (_nodes.Length != 2 * columns.Length || _buffers.Length != 2 * bufferCount)
        {
            _nodes = new long[2 * columns.Length];
            _buffers = new long[2 * bufferCount];
        }

        long offset = 0;
        var b = 0;
        for (var i = 0; i < columns.Length; i++)
        {
            var column = columns[i];
            _nodes[2 * i] = column.Count;
            _nodes[(2 * i) + 1] = column.NullCount;
            offset = AddBuffer(ref b, offset, column.Validity.Length);
            if (column.Type == ArrowColumnType.Utf8)
            {
                offset = AddBuffer(ref b, offset, column.Offsets.Length);
            }

            offset = AddBuffer(ref b, offset, column.Values.Length);
        }

        return offset;
    }

    private long AddBuffer(ref int index, long offset, int length)
    {
        _buffers[2 * index] = offset;
        _buffers[(2 * index) + 1] = length;
        index++;
        return offset + Padded(length);
    }

    private async ValueTask WriteMetadataAsync(CancellationToken cancellationToken)
    {
        // The metadata is already padded to 8; with the 8-byte prefix the body starts aligned.
        var metadata = _metadata.Written;
        BinaryPrimitives.WriteUInt32LittleEndian(_prefix, 0xFFFFFFFF);
        BinaryPrimitives.WriteInt32LittleEndian(_prefix.AsSpan(4), metadata.Length);
        await _output.WriteAsync(_prefix, cancellationToken).ConfigureAwait(false);
        await _output.WriteAsync(_metadata.WrittenMemory, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask WriteBufferAsync(ColumnBuffers column, BufferKind kind, CancellationToken cancellationToken)
    {
        var memory = kind switch
        {
            BufferKind.Validity => column.ValidityMemory,
            BufferKind.Offsets => column.OffsetsMemory,
            _ => column.ValuesMemory,
        };
        await _output.WriteAsync(memory, cancellationToken).ConfigureAwait(false);
        var padding = (int)(Padded(memory.Length) - memory.Length);
        if (padding > 0)
        {
            await _output.WriteAsync(Padding.AsMemory(0, padding), cancellationToken).ConfigureAwait(false);
        }
    }

    private static long Padded(long length) => (length + Alignment - 1) / Alignment * Alignment;

    private enum BufferKind
    {
        Validity,
        Offsets,
        Values,
    }
}
