using System.Buffers.Binary;
using System.Text;
using NUnit.Framework;

namespace Sensing.Tests.Storage;

/// <summary>
/// Just enough of a FlatBuffers and Arrow IPC reader to check the writer's bytes field by field in unit tests; the
/// real check is apache-arrow (npm) in the integration tests.
/// </summary>
internal readonly struct FlatTable(byte[] buffer, int position)
{
    public int Position => position;

    public static FlatTable Root(byte[] buffer, int start) =>
        new(buffer, start + (int)BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(start)));

    public bool Has(int id) => FieldOffset(id) != 0;

    public long Scalar(int id, int size)
    {
        var offset = FieldOffset(id);
        if (offset == 0)
        {
            return 0;
        }

        var at = buffer.AsSpan(position + offset);
        Assert.That((position + offset) % size, Is.Zero, $"field {id} is aligned to its size");
        return size switch
        {
            1 => at[0],
            2 => BinaryPrimitives.ReadInt16LittleEndian(at),
            4 => BinaryPrimitives.ReadInt32LittleEndian(at),
            _ => BinaryPrimitives.ReadInt64LittleEndian(at),
        };
    }

    public FlatTable Table(int id) => new(buffer, Target(id));

    public string String(int id)
    {
        var at = Target(id);
        var length = BinaryPrimitives.ReadInt32LittleEndian(buffer.AsSpan(at));
        Assert.That(buffer[at + 4 + length], Is.Zero, "strings end with a 0 byte");
        return Encoding.UTF8.GetString(buffer, at + 4, length);
    }

    public int VectorLength(int id) => BinaryPrimitives.ReadInt32LittleEndian(buffer.AsSpan(Target(id)));

    public FlatTable TableAt(int id, int index)
    {
        var slot = Target(id) + 4 + (4 * index);
        return new(buffer, slot + (int)BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(slot)));
    }

    public long[] Int64Structs(int id)
    {
        var at = Target(id);
        var count = BinaryPrimitives.ReadInt32LittleEndian(buffer.AsSpan(at));
        Assert.That((at + 4) % 8, Is.Zero, "struct vector data is 8-byte aligned");
        var values = new long[count * 2];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = BinaryPrimitives.ReadInt64LittleEndian(buffer.AsSpan(at + 4 + (8 * i)));
        }

        return values;
    }

    private int FieldOffset(int id)
    {
        var vtable = position - BinaryPrimitives.ReadInt32LittleEndian(buffer.AsSpan(position));
        var vtableSize = BinaryPrimitives.ReadUInt16LittleEndian(buffer.AsSpan(vtable));
        var slot = 4 + (2 * id);
        return slot < vtableSize ? BinaryPrimitives.ReadUInt16LittleEndian(buffer.AsSpan(vtable + slot)) : 0;
    }

    private int Target(int id)
    {
        var at = position + FieldOffset(id);
        Assert.That(FieldOffset(id), Is.Not.Zero, $"field {id} is present");
        return at + (int)BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(at));
    }
}

/// <summary>One encapsulated message of an Arrow stream: where its flatbuffer starts, and its body.</summary>
internal sealed record ArrowTestMessage(FlatTable Message, int BodyStart, long BodyLength);

internal static class ArrowTestStream
{
    /// <summary>Splits a stream into messages, checking continuation markers, 8-byte alignment and the end marker.</summary>
    public static List<ArrowTestMessage> Split(byte[] stream)
    {
        var messages = new List<ArrowTestMessage>();
        var at = 0;
        while (true)
        {
            Assert.That(BinaryPrimitives.ReadUInt32LittleEndian(stream.AsSpan(at)), Is.EqualTo(0xFFFFFFFF), $"continuation at {at}");
            var metadataLength = BinaryPrimitives.ReadInt32LittleEndian(stream.AsSpan(at + 4));
            if (metadataLength == 0)
            {
                Assert.That(at + 8, Is.EqualTo(stream.Length), "nothing after the end-of-stream marker");
                return messages;
            }

            Assert.That((at + 8 + metadataLength) % 8, Is.Zero, "the body starts 8-byte aligned");
            var message = FlatTable.Root(stream, at + 8);
            var bodyLength = message.Scalar(3, 8);
            Assert.That(bodyLength % 8, Is.Zero, "the body is padded to 8 bytes");
            messages.Add(new ArrowTestMessage(message, at + 8 + metadataLength, bodyLength));
            at += 8 + metadataLength + (int)bodyLength;
        }
    }
}
