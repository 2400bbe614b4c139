using System.Globalization;

namespace Sensing.Storage;

/// <content>Field values (reference, "Data types and format").</content>
public sealed partial class LineProtocolWriter
{
    // "-9223372036854775808" is 20 characters.
    private const int MaxInt64Digits = 20;

    // Shortest round-trip form of a double is at most 24 characters, e.g. "-2.2250738585072014E-308".
    private const int MaxDoubleChars = 32;

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>
    /// Adds a float field in its shortest round-trip invariant form (<c>1.5</c>, <c>3</c>, <c>1E-07</c>).
    /// NaN and infinities are skipped and counted in <see cref="SkippedNonFiniteFields"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The key is empty or holds a newline or backslash.</exception>
    /// <exception cref="InvalidOperationException">No line is open.</exception>
    public LineProtocolWriter Field(ReadOnlySpan<byte> key, double value)
    {
        if (!double.IsFinite(value))
        {
            if (_state == LineState.Idle)
            {
                FailState("Field called before Measurement");
            }

            SkippedNonFiniteFields++;
            _skippedInLine = true;
            return this;
        }

        WriteFieldKey(key);
        Reserve(MaxDoubleChars);
        _ = value.TryFormat(_line.AsSpan(_length), out var written, default, Invariant);
        _length += written;
        return this;
    }

    /// <summary>Adds a signed 64-bit integer field (reference: digits followed by <c>i</c>, e.g. <c>42i</c>).</summary>
    /// <inheritdoc cref="Field(ReadOnlySpan{byte}, double)" path="/exception"/>
    public LineProtocolWriter Field(ReadOnlySpan<byte> key, long value)
    {
        WriteFieldKey(key);
        Reserve(MaxInt64Digits + 1);
        _ = value.TryFormat(_line.AsSpan(_length), out var written, default, Invariant);
        _length += written;
        _line[_length++] = (byte)'i';
        return this;
    }

    /// <summary>Adds a boolean field, written <c>true</c> or <c>false</c>.</summary>
    /// <inheritdoc cref="Field(ReadOnlySpan{byte}, double)" path="/exception"/>
    public LineProtocolWriter Field(ReadOnlySpan<byte> key, bool value)
    {
        WriteFieldKey(key);
        WriteRaw(value ? "true"u8 : "false"u8);
        return this;
    }

    /// <summary>
    /// Adds a string field: the value in double quotes, with <c>"</c> and <c>\</c> escaped by a backslash
    /// (reference, "Special characters"). An empty string is allowed.
    /// </summary>
    /// <exception cref="ArgumentException">The key is empty or holds a newline or backslash, or the value holds a
    /// newline (the reference: "line protocol does not support the newline character in tag or field values").</exception>
    /// <exception cref="InvalidOperationException">No line is open.</exception>
    public LineProtocolWriter StringField(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        WriteFieldKey(key);
        Append((byte)'"');
        WriteEscaped(value, Element.StringField);
        Append((byte)'"');
        return this;
    }

    /// <summary>Adds a string field whose value is UTF-16 text (encoded as UTF-8); otherwise as the UTF-8 overload.</summary>
    /// <inheritdoc cref="StringField(ReadOnlySpan{byte}, ReadOnlySpan{byte})" path="/exception"/>
    public LineProtocolWriter StringField(ReadOnlySpan<byte> key, ReadOnlySpan<char> value) =>
        StringField(key, Transcode(value));

    // Writes the separator before the field (space after the tag set, comma between fields), the key and '='.
    private void WriteFieldKey(ReadOnlySpan<byte> key)
    {
        if (_state == LineState.Idle)
        {
            FailState("Field called before Measurement");
        }

        if (key.IsEmpty)
        {
            Fail("a field key is empty");
        }

        Append(_state == LineState.TagSet ? (byte)' ' : (byte)',');
        WriteEscaped(key, Element.FieldKey);
        Append((byte)'=');
        _state = LineState.FieldSet;
    }

    private void WriteRaw(ReadOnlySpan<byte> bytes)
    {
        Reserve(bytes.Length);
        bytes.CopyTo(_line.AsSpan(_length));
        _length += bytes.Length;
    }
}
