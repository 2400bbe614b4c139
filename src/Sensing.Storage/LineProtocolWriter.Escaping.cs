using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Unicode;
using Sensing.Storage.Internal;

namespace Sensing.Storage;

/// <content>
/// Escaping, per the reference's "Special characters" section
/// (https://docs.influxdata.com/influxdb/v1/write_protocols/line_protocol_reference/#special-characters):
/// measurements escape commas and spaces; tag keys, tag values and field keys escape commas, equals signs and
/// spaces; string field values escape double quotes and backslashes. Newlines are not supported in any element.
/// </content>
public sealed partial class LineProtocolWriter
{
    // The bytes that stop the vectorised copy in each element; the newline and backslash are in every set so
    // they can be rejected (names) or escaped (string values).
    private static readonly SearchValues<byte> MeasurementSpecials = SearchValues.Create(", \n\\"u8);
    private static readonly SearchValues<byte> KeySpecials = SearchValues.Create(",= \n\\"u8);
    private static readonly SearchValues<byte> StringSpecials = SearchValues.Create("\"\\\n"u8);

    private enum Element : byte
    {
        Measurement,
        TagKey,
        TagValue,
        FieldKey,
        StringField,
    }

    private void WriteEscaped(ReadOnlySpan<byte> value, Element element)
    {
        // Worst case every byte is escaped into two.
        Reserve(value.Length * 2);
        var specials = element switch
        {
            Element.Measurement => MeasurementSpecials,
            Element.StringField => StringSpecials,
            _ => KeySpecials,
        };

        var rest = value;
        while (true)
        {
            var next = rest.IndexOfAny(specials);
            if (next < 0)
            {
                rest.CopyTo(_line.AsSpan(_length));
                _length += rest.Length;
                return;
            }

            rest[..next].CopyTo(_line.AsSpan(_length));
            _length += next;
            var special = rest[next];
            if (special == (byte)'\n')
            {
                Fail($"the {Describe(element)} '{Encoding.UTF8.GetString(value)}' contains a newline, which line protocol cannot carry");
            }

            // In names and tag values a backslash is read differently by InfluxDB 1.x (kept literally) and 2.x
            // (two backslashes read as one), and a trailing one would escape the separator written after it; so
            // it is refused rather than stored differently by different stores.
            if (special == (byte)'\\' && element != Element.StringField)
            {
                Fail($"the {Describe(element)} '{Encoding.UTF8.GetString(value)}' contains a backslash, which stores read inconsistently");
            }

            _line[_length++] = (byte)'\\';
            _line[_length++] = special;
            rest = rest[(next + 1)..];
        }
    }

    private ReadOnlySpan<byte> Transcode(ReadOnlySpan<char> value)
    {
        var max = Encoding.UTF8.GetMaxByteCount(value.Length);
        if (_transcoded.Length < max)
        {
            _transcoded = new byte[Math.Max(max, _transcoded.Length * 2)];
        }

        // Unpaired surrogates become U+FFFD rather than failing the point.
        _ = Utf8.FromUtf16(value, _transcoded, out _, out var written, replaceInvalidSequences: true);
        return _transcoded.AsSpan(0, written);
    }

    private static string Describe(Element element) => element switch
    {
        Element.Measurement => "measurement",
        Element.TagKey => "tag key",
        Element.TagValue => "tag value",
        Element.FieldKey => "field key",
        _ => "string field value",
    };

    // Both failure paths discard the partial line first, so the writer is ready for the next point.
    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private void Fail(string reason)
    {
        Abandon();
        ThrowHelper.ThrowArgument("Line protocol: " + reason + ".");
    }

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private void FailState(string reason)
    {
        Abandon();
        ThrowHelper.ThrowInvalidOperation("Line protocol: " + reason + ".");
    }
}
