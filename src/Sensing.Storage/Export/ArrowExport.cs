using Apache.Arrow;
using Apache.Arrow.Ipc;
using Sensing.Storage.Export.Internal;

namespace Sensing.Storage.Export;

/// <summary>
/// One analyst export in progress, started by <see cref="StoreExporter.StartAsync"/>. <see cref="WriteAsync"/> reads
/// the window from the store a time slice at a time, joins and sorts each slice, and writes the rows with Apache.Arrow's
/// <see cref="ArrowStreamWriter"/> in record batches of <see cref="StoreExporterOptions.BatchRows"/>, each written as
/// soon as it is full. Memory holds one slice (at most <see cref="StoreExporterOptions.MaxRowsInMemory"/> rows) and one
/// batch, whatever the size of the export.
/// </summary>
/// <remarks>
/// Slices are whole minutes and follow each other in time, so rows come out in time order across slices. The first
/// slice is one minute; each next one is sized from the rows per minute seen so far to hold about
/// <see cref="StoreExporterOptions.SliceRows"/> rows (at most 4 times longer than the one before), so a sparse export
/// (alerts) takes few store requests and a dense one (a whole city's aggregates) stays within memory. A slice that
/// overflows <see cref="StoreExporterOptions.MaxRowsInMemory"/> is read again, 8 times shorter.
/// </remarks>
public sealed class ArrowExport
{
    /// <summary>The media type of the Arrow IPC stream format.</summary>
    public const string MediaType = "application/vnd.apache.arrow.stream";

    // Aggregates are one point per series and minute: the shortest slice that can still shrink the rows in memory.
    private const long MinSliceMs = 60_000;
    private const int MaxGrowth = 4;
    private const int Shrink = 8;

    private readonly StoreExporter _exporter;
    private readonly StoreExporterOptions _options;
    private readonly ExportQuery _query;
    private readonly ExportLayout _layout;
    private readonly ExportSeriesReader _reader;
    private readonly JoinedRows _rows;
    private readonly LabelTable _labels = new();
    private long _sliceTo;
    private long _nextSliceMs = MinSliceMs;
    private bool _started;

    internal ArrowExport(StoreExporter exporter, ExportQuery query)
    {
        _exporter = exporter;
        _options = exporter.Options;
        _query = query;
        _layout = ExportLayout.Of(query.What);
        _reader = new ExportSeriesReader(_layout);
        _rows = new JoinedRows(_layout);
        _sliceTo = query.FromMs;
    }

    /// <summary>The Arrow schema of the export.</summary>
    public Schema Schema => _layout.Schema;

    /// <summary>Rows written so far.</summary>
    public long Rows { get; private set; }

    /// <summary>Record batches written so far.</summary>
    public int Batches { get; private set; }

    /// <summary>Slices read whole from the store so far, one request each (a slice read again shorter took one more).</summary>
    public int Slices { get; private set; }

    /// <summary>The most rows held in memory at once so far (the largest slice read whole).</summary>
    public int MostRowsHeld { get; private set; }

    /// <summary>
    /// Writes the export to <paramref name="output"/> as an Arrow IPC stream: schema, record batches, end of stream.
    /// A store failure after the first slice throws after the batches before it were written (the stream then has
    /// no end-of-stream marker, so a reader sees it cut short).
    /// </summary>
    public async Task WriteAsync(Stream output, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (_started)
        {
            throw new InvalidOperationException("An export is written once.");
        }

        _started = true;

        // Apache.Arrow writes each message as several small pieces (length prefix, metadata, padding, buffers).
        var buffered = new BufferedStream(output, 64 * 1024);
        using var writer = new ArrowStreamWriter(buffered, Schema, leaveOpen: true);
        var batch = new RecordBatchBuilder(_layout);
        await writer.WriteStartAsync(cancellationToken).ConfigureAwait(false);
        do
        {
            _rows.Sort(_labels);
            for (var position = 0; position < _rows.Count; position++)
            {
                batch.Append(_rows, _rows.RowAt(position), _labels);
                if (batch.Length == _options.BatchRows)
                {
                    await WriteBatchAsync(writer, batch, buffered, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        while (await ReadNextSliceAsync(cancellationToken).ConfigureAwait(false));

        if (batch.Length > 0)
        {
            await WriteBatchAsync(writer, batch, buffered, cancellationToken).ConfigureAwait(false);
        }

        await writer.WriteEndAsync(cancellationToken).ConfigureAwait(false);
        await buffered.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads the first slice (the start of the export).</summary>
    internal Task ReadFirstSliceAsync(CancellationToken cancellationToken) => ReadNextSliceAsync(cancellationToken);

    // Reads the slice after the current one into _rows; false when the window is done.
    private async Task<bool> ReadNextSliceAsync(CancellationToken cancellationToken)
    {
        _rows.Clear();
        _labels.Clear();
        if (_sliceTo >= _query.ToMs)
        {
            return false;
        }

        var from = _sliceTo;
        var length = _nextSliceMs;
        while (!await _exporter.ReadSliceAsync(_query, _reader, _rows, _labels, from, Math.Min(from + length, _query.ToMs), _options.MaxRowsInMemory, cancellationToken)
            .ConfigureAwait(false))
        {
            _rows.Clear();
            _labels.Clear();
            if (length <= MinSliceMs)
            {
                throw new ExportTooLargeException(_options.MaxRowsInMemory);
            }

            length = Math.Max(MinSliceMs, length / Shrink / MinSliceMs * MinSliceMs);
        }

        _sliceTo = Math.Min(from + length, _query.ToMs);
        Slices++;
        MostRowsHeld = Math.Max(MostRowsHeld, _rows.Count);
        _nextSliceMs = NextSliceMs(length, _rows.Count);
        return true;
    }

    // Whole minutes holding about SliceRows rows at this slice's rows per minute, between 1 minute and 4 times this one.
    private long NextSliceMs(long length, int rows)
    {
        var minutes = length / MinSliceMs;
        var target = rows == 0 ? minutes * MaxGrowth : (long)((double)minutes * _options.SliceRows / rows);
        return Math.Clamp(target, 1, minutes * MaxGrowth) * MinSliceMs;
    }

    private async Task WriteBatchAsync(ArrowStreamWriter writer, RecordBatchBuilder batch, Stream buffered, CancellationToken cancellationToken)
    {
        using var recordBatch = batch.Build();
        await writer.WriteRecordBatchAsync(recordBatch, cancellationToken).ConfigureAwait(false);
        await buffered.FlushAsync(cancellationToken).ConfigureAwait(false);
        Rows += recordBatch.Length;
        Batches++;
    }
}
