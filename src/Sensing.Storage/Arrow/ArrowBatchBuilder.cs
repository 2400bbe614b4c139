using Sensing.Storage.Arrow.Internal;

namespace Sensing.Storage.Arrow;

/// <summary>
/// Rows of one Arrow record batch, column by column, in pooled buffers. Append one value (or null) to every column,
/// then <see cref="EndRow"/>. After warm-up appending allocates nothing: <see cref="Clear"/> keeps the buffers.
/// Not thread-safe.
/// </summary>
public sealed class ArrowBatchBuilder : IDisposable
{
    private readonly ColumnBuffers[] _columns;

    /// <summary>Creates an empty batch for <paramref name="schema"/>.</summary>
    public ArrowBatchBuilder(ArrowSchema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        Schema = schema;
        _columns = [.. schema.Fields.Select(f => new ColumnBuffers(f.Type))];
    }

    /// <summary>The batch's columns.</summary>
    public ArrowSchema Schema { get; }

    /// <summary>Complete rows.</summary>
    public int Rows { get; private set; }

    internal ReadOnlySpan<ColumnBuffers> Columns => _columns;

    /// <summary>Appends a null to <paramref name="column"/>.</summary>
    /// <exception cref="InvalidOperationException">The column is not nullable.</exception>
    public void AppendNull(int column)
    {
        var buffers = Column(column);
        if (!Schema.Fields[column].Nullable)
        {
            throw new InvalidOperationException($"Column '{Schema.Fields[column].Name}' is not nullable.");
        }

        buffers.AppendNull();
    }

    /// <summary>Appends a string to a <see cref="ArrowColumnType.Utf8"/> column.</summary>
    public void AppendUtf8(int column, ReadOnlySpan<char> value) => Column(column, ArrowColumnType.Utf8).AppendUtf8(value);

    /// <summary>Appends UTF-8 bytes to a <see cref="ArrowColumnType.Utf8"/> column.</summary>
    public void AppendUtf8(int column, ReadOnlySpan<byte> value) => Column(column, ArrowColumnType.Utf8).AppendUtf8(value);

    /// <summary>Appends a value to an <see cref="ArrowColumnType.Int64"/> column.</summary>
    public void AppendInt64(int column, long value) => Column(column, ArrowColumnType.Int64).AppendFixed(value);

    /// <summary>Appends a value to a <see cref="ArrowColumnType.Float64"/> column.</summary>
    public void AppendFloat64(int column, double value) =>
        Column(column, ArrowColumnType.Float64).AppendFixed(BitConverter.DoubleToInt64Bits(value));

    /// <summary>Appends Unix milliseconds to a <see cref="ArrowColumnType.TimestampMsUtc"/> column.</summary>
    public void AppendTimestampMs(int column, long unixMs) => Column(column, ArrowColumnType.TimestampMsUtc).AppendFixed(unixMs);

    /// <summary>Completes the row.</summary>
    /// <exception cref="InvalidOperationException">A column has no value (or two) for this row.</exception>
    public void EndRow()
    {
        foreach (var column in _columns)
        {
            if (column.Count != Rows + 1)
            {
                throw new InvalidOperationException($"Row {Rows}: every column needs exactly one value before EndRow.");
            }
        }

        Rows++;
    }

    /// <summary>Empties the batch, keeping its buffers.</summary>
    public void Clear()
    {
        foreach (var column in _columns)
        {
            column.Clear();
        }

        Rows = 0;
    }

    /// <summary>Returns the buffers to the pool.</summary>
    public void Dispose()
    {
        foreach (var column in _columns)
        {
            column.Dispose();
        }
    }

    private ColumnBuffers Column(int column)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(column);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(column, _columns.Length);
        return _columns[column];
    }

    private ColumnBuffers Column(int column, ArrowColumnType type)
    {
        var buffers = Column(column);
        if (buffers.Type != type)
        {
            throw new InvalidOperationException($"Column '{Schema.Fields[column].Name}' is {buffers.Type}, not {type}.");
        }

        return buffers;
    }
}
