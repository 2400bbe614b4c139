using System.Buffers;
using NUnit.Framework;
using Sensing.Mqtt;

namespace Sensing.Tests.Mqtt;

/// <summary>Helpers shared by the MQTT codec tests: encoding into arrays, framing arrays, building segmented sequences.</summary>
internal static class MqttTestSupport
{
    public const int MaxPacketSize = 1 << 20;

    public static readonly MqttProtocolVersion[] Versions = [MqttProtocolVersion.V311, MqttProtocolVersion.V500];

    public delegate int PacketWrite(IBufferWriter<byte> writer);

    /// <summary>Runs <paramref name="write"/> into a fresh buffer and returns the bytes; checks the returned count.</summary>
    public static byte[] Encode(PacketWrite write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var written = write(buffer);
        Assert.That(written, Is.EqualTo(buffer.WrittenCount), "writer returned a different byte count than it wrote");
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Frames a whole packet held in <paramref name="packet"/>; fails the test unless it is exactly one complete packet.</summary>
    public static MqttFrame Frame(byte[] packet)
    {
        var sequence = new ReadOnlySequence<byte>(packet);
        using (var reassembly = new MqttFrameBuffer())
        {
            var status = MqttFrameReader.TryRead(sequence, MaxPacketSize, reassembly, out _, out var consumed, out _);
            Assert.That(status, Is.EqualTo(MqttFrameStatus.Complete));
            Assert.That(sequence.Slice(consumed).Length, Is.Zero, "the packet has trailing bytes after the frame");
        }

        var read = MqttVariableByteInteger.TryRead(packet.AsSpan(1), out var remaining);
        return new MqttFrame(packet[0], packet.AsSpan(1 + read, remaining));
    }

    /// <summary>A packet from its header byte and body, with the remaining length computed.</summary>
    public static byte[] Packet(byte header, params byte[] body)
    {
        Span<byte> length = stackalloc byte[4];
        var n = MqttVariableByteInteger.Write(length, body.Length);
        return [header, .. length[..n], .. body];
    }

    public static byte[] Utf8(string value) => System.Text.Encoding.UTF8.GetBytes(value);

    /// <summary>A sequence over <paramref name="data"/> cut at <paramref name="cuts"/>; every segment is its own array.</summary>
    public static ReadOnlySequence<byte> Split(byte[] data, params int[] cuts)
    {
        var bounds = cuts.Where(c => c > 0 && c < data.Length).Distinct().Order().Append(data.Length).ToArray();
        var start = 0;
        TestSegment? first = null, last = null;
        foreach (var end in bounds)
        {
            var memory = data.AsSpan(start, end - start).ToArray();
            if (first is null)
            {
                first = last = new TestSegment(memory, 0);
            }
            else
            {
                last = last!.Append(memory);
            }

            start = end;
        }

        return first is null ? ReadOnlySequence<byte>.Empty : new ReadOnlySequence<byte>(first, 0, last!, last!.Memory.Length);
    }

    /// <summary>Every byte in its own segment.</summary>
    public static ReadOnlySequence<byte> SplitEveryByte(byte[] data) => Split(data, Enumerable.Range(1, Math.Max(0, data.Length - 1)).ToArray());

    private sealed class TestSegment : ReadOnlySequenceSegment<byte>
    {
        public TestSegment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public TestSegment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new TestSegment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
