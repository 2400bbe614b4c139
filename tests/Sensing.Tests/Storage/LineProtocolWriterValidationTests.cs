using System.Buffers;
using System.Text;
using NUnit.Framework;
using Sensing.Storage;

namespace Sensing.Tests.Storage;

[TestFixture]
public sealed class LineProtocolWriterValidationTests
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

    [TestCase(double.NaN)]
    [TestCase(double.PositiveInfinity)]
    [TestCase(double.NegativeInfinity)]
    public void Field_NonFinite_IsSkippedAndCounted(double value)
    {
        _writer.Measurement("m"u8).Field("bad"u8, value).Field("good"u8, 2.5).Field("bad2"u8, value).EndLine(1);

        Assert.That(Written, Is.EqualTo("m good=2.5 1\n"));
        Assert.That(_writer.SkippedNonFiniteFields, Is.EqualTo(2));
    }

    [Test]
    public void EndLine_AllFieldsNonFinite_DropsLineAndCountsIt()
    {
        var written = _writer.Measurement("m"u8).Tag("t"u8, "v"u8).Field("f"u8, double.NaN).EndLine(1);
        _writer.Measurement("n"u8).Field("f"u8, 1L).EndLine(2);

        Assert.That(written, Is.False);
        Assert.That(Written, Is.EqualTo("n f=1i 2\n"));
        Assert.That(_writer.DroppedLines, Is.EqualTo(1));
        Assert.That(_writer.LinesWritten, Is.EqualTo(1));
    }

    [Test]
    public void Tag_NewlineInValue_ThrowsAndDiscardsPartialLine()
    {
        _writer.Measurement("m"u8);

        var error = Assert.Throws<ArgumentException>(() => _writer.Tag("t"u8, "a\nb"u8));
        _writer.Measurement("n"u8).Field("f"u8, 1L).EndLine(2);

        Assert.That(error!.Message, Does.Contain("tag value").And.Contain("newline"));
        Assert.That(Written, Is.EqualTo("n f=1i 2\n"));
    }

    [Test]
    public void StringField_Newline_Throws()
    {
        _writer.Measurement("m"u8);

        Assert.Throws<ArgumentException>(() => _writer.StringField("s"u8, "line1\nline2"));
        Assert.That(_writer.IsLineOpen, Is.False);
        Assert.That(_output.WrittenCount, Is.Zero);
    }

    [Test]
    public void Tag_Backslash_IsRefused()
    {
        _writer.Measurement("m"u8);

        var error = Assert.Throws<ArgumentException>(() => _writer.Tag("t"u8, "C:\\dev"u8));

        Assert.That(error!.Message, Does.Contain("backslash"));
    }

    [Test]
    public void Measurement_StartingWithHash_IsRefused()
    {
        var error = Assert.Throws<ArgumentException>(() => _writer.Measurement("#gas"u8));

        Assert.That(error!.Message, Does.Contain("comment"));
    }

    [Test]
    public void Measurement_Empty_IsRefused() =>
        Assert.Throws<ArgumentException>(() => _writer.Measurement(""u8));

    [Test]
    public void Field_EmptyKey_IsRefused() =>
        Assert.Throws<ArgumentException>(() => _writer.Measurement("m"u8).Field(""u8, 1L));

    [Test]
    public void Tag_AfterField_ThrowsInvalidOperation() =>
        Assert.Throws<InvalidOperationException>(() => _writer.Measurement("m"u8).Field("f"u8, 1L).Tag("t"u8, "v"u8));

    [Test]
    public void Field_BeforeMeasurement_ThrowsInvalidOperation() =>
        Assert.Throws<InvalidOperationException>(() => _writer.Field("f"u8, 1L));

    [Test]
    public void EndLine_NoField_ThrowsInvalidOperation()
    {
        _writer.Measurement("m"u8).Tag("t"u8, "v"u8);

        Assert.Throws<InvalidOperationException>(() => _writer.EndLine(1));
        Assert.That(_output.WrittenCount, Is.Zero);
    }

    [Test]
    public void Measurement_WhileLineOpen_ThrowsInvalidOperation()
    {
        _writer.Measurement("m"u8).Field("f"u8, 1L);

        Assert.Throws<InvalidOperationException>(() => _writer.Measurement("n"u8));
        Assert.That(_writer.IsLineOpen, Is.False);
    }

    [Test]
    public void Abandon_OpenLine_WritesNothing()
    {
        _writer.Measurement("m"u8).Field("f"u8, 1L);

        _writer.Abandon();

        Assert.That(_output.WrittenCount, Is.Zero);
        Assert.That(_writer.IsLineOpen, Is.False);
    }
}
