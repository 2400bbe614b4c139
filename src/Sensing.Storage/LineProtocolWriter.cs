using System.Buffers;
using System.Runtime.CompilerServices;
using Sensing.Storage.Internal;

namespace Sensing.Storage;

/// <summary>
/// Encodes points as InfluxDB line protocol into an <see cref="IBufferWriter{T}"/>, without allocating per point:
/// <c>measurement[,tag=value...] field=value[,field=value...] [timestamp]\n</c>
/// (InfluxDB line protocol reference, "Line protocol syntax":
/// https://docs.influxdata.com/influxdb/v1/write_protocols/line_protocol_reference/).
/// </summary>
/// <remarks>
/// <para>Usage: <c>w.Measurement("gas"u8).Tag("device"u8, id).Field("lel"u8, 12.5).EndLine(timestampMs);</c>
/// Methods return the writer so calls chain. One instance is reused for every point; it is not thread-safe.</para>
/// <para>Lines are atomic: a line is assembled in an internal buffer and reaches the output only at
/// <see cref="EndLine(long)"/>. When a call throws (bad name, newline in a value, calls out of order), the partial
/// line is discarded and the output never sees half a point.</para>
/// <para>Tag keys are written in the order given. The reference asks writers to sort tags by key in
/// <c>bytes.Compare</c> (ordinal byte) order for best store performance; sorting is the caller's job, and callers
/// should pass tags already in that order (they are usually fixed literals, so this costs nothing at run time).</para>
/// <para>NaN and infinities are not valid line protocol values (the reference's float type is a finite IEEE-754
/// number). A non-finite <see cref="Field(ReadOnlySpan{byte}, double)"/> is skipped and counted in
/// <see cref="SkippedNonFiniteFields"/>, so one bad sensor reading does not stop a stream processor; a point whose
/// every field was skipped is dropped and counted in <see cref="DroppedLines"/>.</para>
/// <para>Timestamps are Unix milliseconds: send with <c>precision=ms</c> (see <see cref="StoreWriter"/>).</para>
/// </remarks>
public sealed partial class LineProtocolWriter
{
    // Typical point: measurement + 3 tags + 3 fields + timestamp is ~120 bytes; the buffer grows when needed.
    private const int DefaultLineCapacity = 256;

    private readonly IBufferWriter<byte> _output;
    private byte[] _line;
    private byte[] _transcoded = [];
    private int _length;
    private LineState _state;
    private bool _skippedInLine;

    /// <summary>Creates a writer that appends complete lines to <paramref name="output"/>.</summary>
    public LineProtocolWriter(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        _output = output;
        _line = new byte[DefaultLineCapacity];
    }

    private enum LineState : byte
    {
        Idle,
        TagSet,
        FieldSet,
    }

    /// <summary>Lines written to the output so far.</summary>
    public long LinesWritten { get; private set; }

    /// <summary>NaN or infinite float fields skipped so far (they are not valid line protocol).</summary>
    public long SkippedNonFiniteFields { get; private set; }

    /// <summary>Points dropped because every one of their fields was a skipped non-finite float.</summary>
    public long DroppedLines { get; private set; }

    /// <summary>True between <see cref="Measurement"/> and <see cref="EndLine()"/> (or <see cref="Abandon"/>).</summary>
    public bool IsLineOpen => _state != LineState.Idle;

    /// <summary>Starts a point. Commas and spaces in the name are escaped.</summary>
    /// <exception cref="ArgumentException">The name is empty, starts with <c>#</c>, or holds a newline or backslash.</exception>
    /// <exception cref="InvalidOperationException">The previous line was not ended.</exception>
    public LineProtocolWriter Measurement(ReadOnlySpan<byte> name)
    {
        if (_state != LineState.Idle)
        {
            FailState("Measurement called before the previous line was ended (call EndLine or Abandon)");
        }

        if (name.IsEmpty)
        {
            Fail("the measurement name is empty");
        }

        // Reference, "Comments": a line whose first character is # is a comment and would be ignored.
        if (name[0] == (byte)'#')
        {
            Fail("a measurement name cannot start with '#' (the line would be read as a comment)");
        }

        WriteEscaped(name, Element.Measurement);
        _state = LineState.TagSet;
        return this;
    }

    /// <summary>
    /// Adds a tag. Commas, equals signs and spaces in key and value are escaped. A tag with an empty value is
    /// omitted, as the reference requires ("tag values cannot be empty; instead, omit the tag").
    /// </summary>
    /// <exception cref="ArgumentException">The key is empty, or key or value holds a newline or backslash.</exception>
    /// <exception cref="InvalidOperationException">No line is open, or a field was already written.</exception>
    public LineProtocolWriter Tag(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        if (_state != LineState.TagSet)
        {
            FailState(_state == LineState.Idle
                ? "Tag called before Measurement"
                : "Tag called after a field: the tag set must come before the field set");
        }

        if (key.IsEmpty)
        {
            Fail("a tag key is empty");
        }

        if (value.IsEmpty)
        {
            return this;
        }

        Append((byte)',');
        WriteEscaped(key, Element.TagKey);
        Append((byte)'=');
        WriteEscaped(value, Element.TagValue);
        return this;
    }

    /// <summary>Adds a tag whose value is UTF-16 text (encoded as UTF-8); otherwise as the UTF-8 overload.</summary>
    public LineProtocolWriter Tag(ReadOnlySpan<byte> key, ReadOnlySpan<char> value) => Tag(key, Transcode(value));

    /// <summary>Ends the point with a Unix-millisecond timestamp and appends it to the output.</summary>
    /// <returns>True if the line was written; false if it was dropped because all its fields were non-finite.</returns>
    /// <exception cref="InvalidOperationException">No line is open, or the point has no field.</exception>
    public bool EndLine(long timestampMs)
    {
        if (!CanEnd())
        {
            return false;
        }

        Reserve(1 + MaxInt64Digits + 1);
        _line[_length++] = (byte)' ';
        _ = timestampMs.TryFormat(_line.AsSpan(_length), out var digits, default, Invariant);
        _length += digits;
        return Commit();
    }

    /// <summary>Ends the point without a timestamp: the store stamps it with its own clock on arrival.</summary>
    /// <inheritdoc cref="EndLine(long)"/>
    public bool EndLine() => CanEnd() && Commit();

    /// <summary>Discards the line being built, if any. The output is untouched.</summary>
    public void Abandon()
    {
        _length = 0;
        _state = LineState.Idle;
        _skippedInLine = false;
    }

    private bool CanEnd()
    {
        if (_state == LineState.FieldSet)
        {
            return true;
        }

        if (_state == LineState.Idle)
        {
            FailState("EndLine called with no line open");
        }

        // Reference, "Field set": a point needs at least one field.
        if (!_skippedInLine)
        {
            FailState("a point needs at least one field");
        }

        DroppedLines++;
        Abandon();
        return false;
    }

    private bool Commit()
    {
        Reserve(1);
        _line[_length++] = (byte)'\n';
        _output.Write(_line.AsSpan(0, _length));
        LinesWritten++;
        Abandon();
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Append(byte b)
    {
        Reserve(1);
        _line[_length++] = b;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Reserve(int count)
    {
        if (_length + count > _line.Length)
        {
            Grow(count);
        }
    }

    private void Grow(int count) => Array.Resize(ref _line, Math.Max(_length + count, _line.Length * 2));
}
