using System.Buffers;
using System.Text;
using NUnit.Framework;
using Sensing.Storage;

namespace Sensing.Tests.Storage;

[TestFixture]
public sealed class LineProtocolWriterTests
{
    private ArrayBufferWriter<byte> _output = null!;
    private LineProtocolWriter _writer = null!;

    [SetUp]
    public void SetUp()
    {
        _output = new ArrayBufferWriter<byte>();
        _writer = new LineProtocolWriter(_output);
    }

    private string Written => Encoding.UTF8.GetString(_output.WrittenSpan);

    [Test]
    public void EndLine_TagsFieldsTimestamp_WritesOneLine()
    {
        var written = _writer.Measurement("gas"u8).Tag("device"u8, "md-00001"u8).Tag("district"u8, "laoshan"u8)
            .Field("lel"u8, 12.5).Field("seq"u8, 42L).Field("valve"u8, true).StringField("state"u8, "open"u8)
            .EndLine(1_700_000_000_123);

        Assert.That(written, Is.True);
        Assert.That(_output.WrittenSpan.ToArray(),
            Is.EqualTo("gas,device=md-00001,district=laoshan lel=12.5,seq=42i,valve=true,state=\"open\" 1700000000123\n"u8.ToArray()));
        Assert.That(_writer.LinesWritten, Is.EqualTo(1));
    }

    [Test]
    public void Measurement_CommaAndSpace_AreEscapedButEqualsSignIsNot()
    {
        _writer.Measurement("gas meter,v2=x"u8).Field("f"u8, 1L).EndLine(5);

        Assert.That(Written, Is.EqualTo("gas\\ meter\\,v2=x f=1i 5\n"));
    }

    [Test]
    public void Tag_CommaEqualsSpaceInKeyAndValue_AreEscaped()
    {
        _writer.Measurement("m"u8).Tag("dev id,x=y"u8, "a,b=c d"u8).Field("f"u8, 1.0).EndLine(1);

        Assert.That(Written, Is.EqualTo("m,dev\\ id\\,x\\=y=a\\,b\\=c\\ d f=1 1\n"));
    }

    [Test]
    public void Tag_EmptyValue_IsOmitted()
    {
        _writer.Measurement("m"u8).Tag("a"u8, ""u8).Tag("b"u8, "").Tag("c"u8, "x"u8).Field("f"u8, 1L).EndLine(1);

        Assert.That(Written, Is.EqualTo("m,c=x f=1i 1\n"));
    }

    [Test]
    public void Tag_Utf16Value_IsWrittenAsUtf8AndEscaped()
    {
        _writer.Measurement("m"u8).Tag("city"u8, "Zürich Straße").Field("f"u8, 1L).EndLine(1);

        Assert.That(_output.WrittenSpan.ToArray(), Is.EqualTo("m,city=Z\u00fcrich\\ Stra\u00dfe f=1i 1\n"u8.ToArray()));
    }

    [Test]
    public void Field_CommaEqualsSpaceInKey_AreEscaped()
    {
        _writer.Measurement("m"u8).Field("a b,c=d"u8, 1.5).EndLine(1);

        Assert.That(Written, Is.EqualTo("m a\\ b\\,c\\=d=1.5 1\n"));
    }

    [Test]
    public void StringField_QuoteAndBackslash_AreEscapedOtherSpecialsAreNot()
    {
        _writer.Measurement("alert"u8).StringField("msg"u8, "say \"hi\", a=b \\o/").StringField("empty"u8, ""u8).EndLine(1);

        Assert.That(Written, Is.EqualTo("alert msg=\"say \\\"hi\\\", a=b \\\\o/\",empty=\"\" 1\n"));
    }

    [TestCase(1.5, "1.5")]
    [TestCase(3.0, "3")]
    [TestCase(-0.25, "-0.25")]
    [TestCase(0.1, "0.1")]
    [TestCase(1e-7, "1E-07")]
    [TestCase(1.5e20, "1.5E+20")]
    [TestCase(double.MaxValue, "1.7976931348623157E+308")]
    [TestCase(double.Epsilon, "5E-324")]
    public void Field_Double_IsShortestRoundTripInvariant(double value, string expected)
    {
        _writer.Measurement("m"u8).Field("f"u8, value).EndLine(1);

        Assert.That(Written, Is.EqualTo($"m f={expected} 1\n"));
    }

    [TestCase(0L, "0i")]
    [TestCase(-42L, "-42i")]
    [TestCase(long.MaxValue, "9223372036854775807i")]
    [TestCase(long.MinValue, "-9223372036854775808i")]
    public void Field_Long_HasIntegerSuffix(long value, string expected)
    {
        _writer.Measurement("m"u8).Field("f"u8, value).EndLine(1);

        Assert.That(Written, Is.EqualTo($"m f={expected} 1\n"));
    }

    [Test]
    public void Field_Bool_IsTrueOrFalse()
    {
        _writer.Measurement("m"u8).Field("a"u8, true).Field("b"u8, false).EndLine(1);

        Assert.That(Written, Is.EqualTo("m a=true,b=false 1\n"));
    }

    [TestCase(0L, " 0\n")]
    [TestCase(-1L, " -1\n")]
    [TestCase(1_700_000_000_123L, " 1700000000123\n")]
    [TestCase(long.MaxValue, " 9223372036854775807\n")]
    public void EndLine_Timestamp_IsDecimalMilliseconds(long timestampMs, string expectedTail)
    {
        _writer.Measurement("m"u8).Field("f"u8, 1L).EndLine(timestampMs);

        Assert.That(Written, Is.EqualTo("m f=1i" + expectedTail));
    }

    [Test]
    public void EndLine_WithoutTimestamp_EndsAfterFields()
    {
        _writer.Measurement("m"u8).Field("f"u8, 1L).EndLine();

        Assert.That(Written, Is.EqualTo("m f=1i\n"));
    }

    [Test]
    public void EndLine_ManyLines_AreAppendedInOrder()
    {
        _writer.Measurement("a"u8).Field("f"u8, 1L).EndLine(1);
        _writer.Measurement("b"u8).Field("f"u8, 2L).EndLine(2);

        Assert.That(Written, Is.EqualTo("a f=1i 1\nb f=2i 2\n"));
        Assert.That(_writer.LinesWritten, Is.EqualTo(2));
    }

    [Test]
    public void Tag_LongerThanInitialBuffer_IsWrittenWhole()
    {
        var value = new string('v', 10_000);

        _writer.Measurement("m"u8).Tag("t"u8, value).Field("f"u8, 1L).EndLine(1);

        Assert.That(Written, Is.EqualTo($"m,t={value} f=1i 1\n"));
    }
}
