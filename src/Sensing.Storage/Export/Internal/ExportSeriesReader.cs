using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;

namespace Sensing.Storage.Export.Internal;

/// <summary>
/// Reads VictoriaMetrics' <c>/api/v1/export</c> answer, one series per line
/// (<c>{"metric":{"__name__":..,label:value..},"values":[..],"timestamps":[..]}</c>), into <see cref="JoinedRows"/>:
/// each sample in the slice sets one value of the row of its time and tags. Label values are interned, so a line
/// allocates nothing once its values have been seen.
/// </summary>
internal sealed class ExportSeriesReader(ExportLayout layout)
{
    private readonly int[] _tags = new int[layout.TagCount];
    private char[] _chars = new char[256];
    private double[] _values = new double[256];
    private long[] _times = new long[256];

    /// <summary>
    /// Adds the samples in [<paramref name="fromMs"/>, <paramref name="toMs"/>) of every series in
    /// <paramref name="body"/>; false (and stops reading) as soon as the slice holds more than
    /// <paramref name="maxRows"/> rows.
    /// </summary>
    public async Task<bool> ReadAsync(Stream body, JoinedRows rows, LabelTable labels, long fromMs, long toMs, int maxRows, CancellationToken cancellationToken)
    {
        var reader = PipeReader.Create(body, new StreamPipeReaderOptions(bufferSize: 64 * 1024, leaveOpen: true));
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                var buffer = result.Buffer;
                if (!ReadLines(ref buffer, result.IsCompleted, rows, labels, fromMs, toMs, maxRows))
                {
                    return false;
                }

                if (result.IsCompleted)
                {
                    return true;
                }

                reader.AdvanceTo(buffer.Start, buffer.End);
            }
        }
        finally
        {
            await reader.CompleteAsync().ConfigureAwait(false);
        }
    }

    // Reads every complete line of buffer (and the rest too when the body has ended); buffer keeps what is left.
    private bool ReadLines(ref ReadOnlySequence<byte> buffer, bool ended, JoinedRows rows, LabelTable labels, long fromMs, long toMs, int maxRows)
    {
        while (!buffer.IsEmpty)
        {
            ReadOnlySequence<byte> line;
            if (buffer.PositionOf((byte)'\n') is { } newline)
            {
                line = buffer.Slice(0, newline);
                buffer = buffer.Slice(buffer.GetPosition(1, newline));
            }
            else if (ended)
            {
                line = buffer;
                buffer = buffer.Slice(buffer.End);
            }
            else
            {
                return true;
            }

            if (!line.IsEmpty && !ReadSeries(line, rows, labels, fromMs, toMs, maxRows))
            {
                return false;
            }
        }

        return true;
    }

    private bool ReadSeries(ReadOnlySequence<byte> line, JoinedRows rows, LabelTable labels, long fromMs, long toMs, int maxRows)
    {
        var json = new Utf8JsonReader(line);
        var column = -1;
        var values = 0;
        var times = 0;
        _tags.AsSpan().Clear();
        Expect(ref json, JsonTokenType.StartObject);
        while (json.Read() && json.TokenType == JsonTokenType.PropertyName)
        {
            if (json.ValueTextEquals("metric"u8))
            {
                Expect(ref json, JsonTokenType.StartObject);
                column = ReadLabels(ref json, labels);
            }
            else if (json.ValueTextEquals("values"u8))
            {
                Expect(ref json, JsonTokenType.StartArray);
                while (json.Read() && json.TokenType != JsonTokenType.EndArray)
                {
                    Add(ref _values, ref values, json.TokenType == JsonTokenType.Number ? json.GetDouble() : double.NaN);
                }
            }
            else if (json.ValueTextEquals("timestamps"u8))
            {
                Expect(ref json, JsonTokenType.StartArray);
                while (json.Read() && json.TokenType != JsonTokenType.EndArray)
                {
                    Add(ref _times, ref times, json.GetInt64());
                }
            }
            else
            {
                json.Read();
                json.Skip();
            }
        }

        if (column < 0)
        {
            return true;
        }

        for (var i = 0; i < Math.Min(values, times); i++)
        {
            // The store's export range is inclusive at both ends; a slice is [from, to).
            if (_times[i] >= fromMs && _times[i] < toMs)
            {
                rows.Set(rows.Row(_times[i], _tags), column, _values[i]);
                if (rows.Count > maxRows)
                {
                    return false;
                }
            }
        }

        return true;
    }

    // Reads the "metric" object; returns the value column its name fills, or -1.
    private int ReadLabels(ref Utf8JsonReader json, LabelTable labels)
    {
        var column = -1;
        while (json.Read() && json.TokenType == JsonTokenType.PropertyName)
        {
            var isName = json.ValueTextEquals("__name__"u8);
            var tag = isName ? -1 : layout.TagOfLabel(json.HasValueSequence ? json.ValueSequence.ToArray() : json.ValueSpan);
            Expect(ref json, JsonTokenType.String);
            if (isName)
            {
                var name = Text(ref json);
                if (layout.TryMapName(name, out column, out var derivedTag, out var derivedValue) && derivedTag >= 0)
                {
                    _tags[derivedTag] = labels.Intern(name[derivedValue]);
                }
            }
            else if (tag >= 0)
            {
                _tags[tag] = labels.Intern(Text(ref json));
            }
        }

        return column;
    }

    private ReadOnlySpan<char> Text(ref Utf8JsonReader json)
    {
        // A UTF-8 string never decodes to more chars than it has bytes.
        var bytes = json.HasValueSequence ? json.ValueSequence.Length : json.ValueSpan.Length;
        if (_chars.Length < bytes)
        {
            _chars = new char[Math.Max(bytes, _chars.Length * 2)];
        }

        return _chars.AsSpan(0, json.CopyString(_chars));
    }

    private static void Add<T>(ref T[] array, ref int count, T value)
    {
        if (count == array.Length)
        {
            Array.Resize(ref array, array.Length * 2);
        }

        array[count++] = value;
    }

    private static void Expect(ref Utf8JsonReader json, JsonTokenType token)
    {
        if (!json.Read() || json.TokenType != token)
        {
            throw new JsonException($"the store's export line has {json.TokenType} where {token} belongs");
        }
    }
}
