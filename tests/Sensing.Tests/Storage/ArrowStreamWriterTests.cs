using System.Buffers.Binary;
using System.Text;
using NUnit.Framework;
using Sensing.Storage.Arrow;

namespace Sensing.Tests.Storage;

[TestFixture]
public sealed class ArrowStreamWriterTests
{
    private static readonly ArrowSchema Schema = new(
        new ArrowField("time", ArrowColumnType.TimestampMsUtc, Nullable: false),
        new ArrowField("device", ArrowColumnType.Utf8),
        new ArrowField("count", ArrowColumnType.Int64),
        new ArrowField("mean", ArrowColumnType.Float64));

    [Test]
    public async Task WriteEndAsync_NoBatch_SchemaThenEndMarker()
    {
        var bytes = await WriteAsync(_ => { });

        var messages = ArrowTestStream.Split(bytes);
        Assert.That(messages, Has.Count.EqualTo(1));
        Assert.That(bytes[^8..], Is.EqualTo(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0 }));
    }

    [Test]
    public async Task WriteSchemaAsync_FourColumns_MessageAndFieldsAsSchemaFbs()
    {
        var message = ArrowTestStream.Split(await WriteAsync(_ => { }))[0];

        Assert.That(message.Message.Scalar(0, 2), Is.EqualTo(4), "MetadataVersion V5");
        Assert.That(message.Message.Scalar(1, 1), Is.EqualTo(1), "header type Schema");
        Assert.That(message.BodyLength, Is.Zero);
        var schema = message.Message.Table(2);
        Assert.That(schema.Scalar(0, 2), Is.Zero, "little endian");
        Assert.That(schema.VectorLength(1), Is.EqualTo(4));
        string[] names = ["time", "device", "count", "mean"];
        long[] types = [10, 5, 2, 3]; // Timestamp, Utf8, Int, FloatingPoint
        for (var i = 0; i < 4; i++)
        {
            var field = schema.TableAt(1, i);
            Assert.That(field.String(0), Is.EqualTo(names[i]));
            Assert.That(field.Scalar(1, 1), Is.EqualTo(i == 0 ? 0 : 1), "nullable");
            Assert.That(field.Scalar(2, 1), Is.EqualTo(types[i]), "type union member");
            Assert.That(field.VectorLength(5), Is.Zero, "empty children");
        }

        var timestamp = schema.TableAt(1, 0).Table(3);
        Assert.That(timestamp.Scalar(0, 2), Is.EqualTo(1), "MILLISECOND");
        Assert.That(timestamp.String(1), Is.EqualTo("UTC"));
        var integer = schema.TableAt(1, 2).Table(3);
        Assert.That(integer.Scalar(0, 4), Is.EqualTo(64));
        Assert.That(integer.Scalar(1, 1), Is.EqualTo(1), "signed");
        Assert.That(schema.TableAt(1, 3).Table(3).Scalar(0, 2), Is.EqualTo(2), "DOUBLE");
    }

    [Test]
    public async Task WriteBatchAsync_RowsWithNulls_NodesBuffersAndValuesAsSpecified()
    {
        var bytes = await WriteAsync(batch =>
        {
            Row(batch, 1000, "gm-1", 3, 0.5);
            Row(batch, 2000, null, null, null);
            Row(batch, 3000, "md-ü", 7, -1.25);
        });

        var messages = ArrowTestStream.Split(bytes);
        Assert.That(messages, Has.Count.EqualTo(2));
        var batchMessage = messages[1];
        Assert.That(batchMessage.Message.Scalar(1, 1), Is.EqualTo(3), "header type RecordBatch");
        var recordBatch = batchMessage.Message.Table(2);
        Assert.That(recordBatch.Scalar(0, 8), Is.EqualTo(3), "length");
        Assert.That(recordBatch.Int64Structs(1), Is.EqualTo(new long[] { 3, 0, 3, 1, 3, 1, 3, 1 }), "FieldNode (length, null_count)");

        // Buffers: time validity+values, device validity+offsets+data, count validity+values, mean validity+values;
        // each starts 8-aligned, lengths unpadded.
        var buffers = recordBatch.Int64Structs(2);
        long[] lengths = [1, 24, 1, 16, 9, 1, 24, 1, 24];
        Assert.That(Enumerable.Range(0, 9).Select(i => buffers[(2 * i) + 1]), Is.EqualTo(lengths));
        Assert.That(Enumerable.Range(0, 9).Select(i => buffers[2 * i]), Is.EqualTo(new long[] { 0, 8, 32, 40, 56, 72, 80, 104, 112 }));
        Assert.That(batchMessage.BodyLength, Is.EqualTo(136));

        var body = bytes.AsSpan(batchMessage.BodyStart, (int)batchMessage.BodyLength);
        Assert.That(body[0], Is.EqualTo(0b111), "time: all valid");
        Assert.That(BinaryPrimitives.ReadInt64LittleEndian(body[(8 + 16)..]), Is.EqualTo(3000));
        Assert.That(body[32], Is.EqualTo(0b101), "device: row 1 null");
        Assert.That(Offsets(body[40..56]), Is.EqualTo(new[] { 0, 4, 4, 9 }));
        Assert.That(Encoding.UTF8.GetString(body.Slice(56, 9)), Is.EqualTo("gm-1md-ü"));
        Assert.That(BinaryPrimitives.ReadInt64LittleEndian(body[(80 + 16)..]), Is.EqualTo(7));
        Assert.That(BinaryPrimitives.ReadDoubleLittleEndian(body[112..]), Is.EqualTo(0.5));
        Assert.That(BinaryPrimitives.ReadDoubleLittleEndian(body[(112 + 16)..]), Is.EqualTo(-1.25));
    }

    [Test]
    public void EndRow_ColumnMissing_Throws()
    {
        using var batch = new ArrowBatchBuilder(Schema);
        batch.AppendTimestampMs(0, 1);

        Assert.Throws<InvalidOperationException>(batch.EndRow);
    }

    [Test]
    public void AppendNull_NotNullableColumn_Throws()
    {
        using var batch = new ArrowBatchBuilder(Schema);

        Assert.Throws<InvalidOperationException>(() => batch.AppendNull(0));
    }

    [Test]
    public void AppendFloat64_WrongColumnType_Throws()
    {
        using var batch = new ArrowBatchBuilder(Schema);

        Assert.Throws<InvalidOperationException>(() => batch.AppendFloat64(2, 1.0));
    }

    [Test]
    public void Append_AfterWarmUpAndClear_AllocatesNothing()
    {
        using var batch = new ArrowBatchBuilder(Schema);
        void Fill()
        {
            batch.Clear();
            for (var i = 0; i < 10_000; i++)
            {
                batch.AppendTimestampMs(0, i);
                batch.AppendUtf8(1, "gm-000123");
                batch.AppendInt64(2, i);
                if (i % 3 == 0)
                {
                    batch.AppendNull(3);
                }
                else
                {
                    batch.AppendFloat64(3, i * 0.5);
                }

                batch.EndRow();
            }
        }

        Fill();
        var before = GC.GetAllocatedBytesForCurrentThread();
        Fill();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.That(batch.Rows, Is.EqualTo(10_000));
        Assert.That(allocated, Is.Zero);
    }

    internal static async Task<byte[]> WriteAsync(Action<ArrowBatchBuilder> fill)
    {
        using var output = new MemoryStream();
        using var batch = new ArrowBatchBuilder(Schema);
        var writer = new ArrowStreamWriter(output, Schema);
        fill(batch);
        await writer.WriteBatchAsync(batch);
        await writer.WriteEndAsync();
        return output.ToArray();
    }

    private static void Row(ArrowBatchBuilder batch, long time, string? device, long? count, double? mean)
    {
        batch.AppendTimestampMs(0, time);
        if (device is null)
        {
            batch.AppendNull(1);
            batch.AppendNull(2);
            batch.AppendNull(3);
        }
        else
        {
            batch.AppendUtf8(1, device);
            batch.AppendInt64(2, count!.Value);
            batch.AppendFloat64(3, mean!.Value);
        }

        batch.EndRow();
    }

    private static int[] Offsets(ReadOnlySpan<byte> bytes)
    {
        var offsets = new int[bytes.Length / 4];
        for (var i = 0; i < offsets.Length; i++)
        {
            offsets[i] = BinaryPrimitives.ReadInt32LittleEndian(bytes[(4 * i)..]);
        }

        return offsets;
    }
}
