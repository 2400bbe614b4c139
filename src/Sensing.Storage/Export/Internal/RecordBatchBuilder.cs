using Apache.Arrow;
using Apache.Arrow.Types;

namespace Sensing.Storage.Export.Internal;

/// <summary>
/// Rows of one Arrow record batch of an export, appended from <see cref="JoinedRows"/> into Apache.Arrow's array
/// builders. <see cref="Build"/> hands the batch over and starts the next one with the same builders.
/// </summary>
internal sealed class RecordBatchBuilder
{
    private readonly Schema _schema;
    private readonly TimestampArray.Builder _time;
    private readonly StringArray.Builder[] _tags;
    private readonly DoubleArray.Builder?[] _doubles;
    private readonly Int64Array.Builder?[] _counts;
    private readonly (int Value, uint Mask)[] _flagSources;
    private readonly BooleanArray.Builder[] _flags;

    public RecordBatchBuilder(ExportLayout layout)
    {
        _schema = layout.Schema;
        _time = new TimestampArray.Builder((TimestampType)_schema.FieldsList[0].DataType);
        _tags = [.. Enumerable.Range(0, layout.TagCount).Select(_ => new StringArray.Builder())];
        _doubles = [.. layout.ValueIsCount.Select(isCount => isCount ? null : new DoubleArray.Builder())];
        _counts = [.. layout.ValueIsCount.Select(isCount => isCount ? new Int64Array.Builder() : null)];
        _flagSources = [.. layout.Flags.Select(f => (f.Value, f.Mask))];
        _flags = [.. layout.Flags.Select(_ => new BooleanArray.Builder())];
    }

    /// <summary>Rows in the batch.</summary>
    public int Length { get; private set; }

    /// <summary>Appends <paramref name="row"/>; an empty tag and a value the store lacked become nulls.</summary>
    public void Append(JoinedRows rows, int row, LabelTable labels)
    {
        _time.Append(DateTimeOffset.FromUnixTimeMilliseconds(rows.Time(row)));
        for (var t = 0; t < _tags.Length; t++)
        {
            var value = labels[rows.Tag(row, t)];
            if (value.Length == 0)
            {
                _tags[t].AppendNull();
            }
            else
            {
                _tags[t].Append(value);
            }
        }

        for (var v = 0; v < _doubles.Length; v++)
        {
            var present = rows.TryGetValue(row, v, out var value);
            if (_doubles[v] is { } doubles)
            {
                _ = present ? doubles.Append(value) : doubles.AppendNull();
            }
            else
            {
                _ = present ? _counts[v]!.Append((long)value) : _counts[v]!.AppendNull();
            }
        }

        for (var f = 0; f < _flags.Length; f++)
        {
            var (source, mask) = _flagSources[f];
            _ = rows.TryGetValue(row, source, out var bits) ? _flags[f].Append(((long)bits & mask) != 0) : _flags[f].AppendNull();
        }

        Length++;
    }

    /// <summary>The batch so far (the caller disposes it); the builders start empty again.</summary>
    public RecordBatch Build()
    {
        var arrays = new IArrowArray[_schema.FieldsList.Count];
        arrays[0] = _time.Build();
        _time.Clear();
        for (var t = 0; t < _tags.Length; t++)
        {
            arrays[1 + t] = _tags[t].Build();
            _tags[t].Clear();
        }

        for (var v = 0; v < _doubles.Length; v++)
        {
            if (_doubles[v] is { } doubles)
            {
                arrays[1 + _tags.Length + v] = doubles.Build();
                doubles.Clear();
            }
            else
            {
                arrays[1 + _tags.Length + v] = _counts[v]!.Build();
                _counts[v]!.Clear();
            }
        }

        for (var f = 0; f < _flags.Length; f++)
        {
            arrays[1 + _tags.Length + _doubles.Length + f] = _flags[f].Build();
            _flags[f].Clear();
        }

        var batch = new RecordBatch(_schema, arrays, Length);
        Length = 0;
        return batch;
    }
}
