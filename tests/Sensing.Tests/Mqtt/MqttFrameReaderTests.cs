using System.Buffers;
using NUnit.Framework;
using Sensing.Mqtt;
using static Sensing.Tests.Mqtt.MqttTestSupport;

namespace Sensing.Tests.Mqtt;

public sealed class MqttFrameReaderTests
{
    private static byte[] SamplePublish() => Encode(w => MqttPacketWriter.WritePublish(
        w, MqttProtocolVersion.V311, "meters/gas/42"u8, Enumerable.Range(0, 300).Select(i => (byte)i).ToArray(), MqttQoS.AtLeastOnce, 7));

    [Test]
    public void TryRead_SingleSegment_ReturnsBodyInPlaceAndConsumesPacket()
    {
        var packet = SamplePublish();
        var sequence = new ReadOnlySequence<byte>([.. packet, 0xC0]);
        using var buffer = new MqttFrameBuffer();

        var status = MqttFrameReader.TryRead(sequence, MaxPacketSize, buffer, out var frame, out var consumed, out var examined);

        Assert.That(status, Is.EqualTo(MqttFrameStatus.Complete));
        Assert.That(frame.Type, Is.EqualTo(MqttPacketType.Publish));
        Assert.That(frame.Flags, Is.EqualTo(0b0010));
        Assert.That(frame.PacketSize, Is.EqualTo(packet.Length));
        Assert.That(frame.Body.ToArray(), Is.EqualTo(packet.AsSpan(3).ToArray()));
        Assert.That(sequence.Slice(consumed).ToArray(), Is.EqualTo(new byte[] { 0xC0 }));
        Assert.That(examined, Is.EqualTo(consumed));
        Assert.That(buffer.Capacity, Is.Zero, "a packet inside one segment must not be copied");
    }

    [Test]
    public void TryRead_EveryProperPrefix_ReturnsIncompleteAndExaminesEverything()
    {
        var packet = SamplePublish();
        using var buffer = new MqttFrameBuffer();
        for (var length = 0; length < packet.Length; length++)
        {
            var sequence = new ReadOnlySequence<byte>(packet, 0, length);
            var status = MqttFrameReader.TryRead(sequence, MaxPacketSize, buffer, out _, out var consumed, out var examined);
            Assert.That(status, Is.EqualTo(MqttFrameStatus.Incomplete), $"prefix of {length} bytes");
            Assert.That(consumed, Is.EqualTo(sequence.Start));
            Assert.That(examined, Is.EqualTo(sequence.End));
        }
    }

    [Test]
    public void TryRead_SplitIntoTwoSegmentsAtEveryOffset_ReassemblesSameBody()
    {
        var packet = SamplePublish();
        using var buffer = new MqttFrameBuffer();
        for (var cut = 1; cut < packet.Length; cut++)
        {
            var sequence = Split(packet, cut);
            var status = MqttFrameReader.TryRead(sequence, MaxPacketSize, buffer, out var frame, out var consumed, out _);
            Assert.That(status, Is.EqualTo(MqttFrameStatus.Complete), $"cut at {cut}");
            Assert.That(frame.Header, Is.EqualTo(packet[0]));
            Assert.That(frame.Body.ToArray(), Is.EqualTo(packet.AsSpan(3).ToArray()), $"cut at {cut}");
            Assert.That(sequence.Slice(consumed).IsEmpty, Is.True);
        }
    }

    [Test]
    public void TryRead_EveryByteItsOwnSegment_ReassemblesAndDecodes()
    {
        var packet = SamplePublish();
        using var buffer = new MqttFrameBuffer();

        var status = MqttFrameReader.TryRead(SplitEveryByte(packet), MaxPacketSize, buffer, out var frame, out _, out _);

        Assert.That(status, Is.EqualTo(MqttFrameStatus.Complete));
        Assert.That(MqttPublish.TryDecode(frame, MqttProtocolVersion.V311, out var publish, out _), Is.True);
        Assert.That(publish.Topic.SequenceEqual("meters/gas/42"u8), Is.True);
        Assert.That(publish.PacketId, Is.EqualTo(7));
        Assert.That(publish.Payload.Length, Is.EqualTo(300));
    }

    [Test]
    public void TryRead_SplitSequencePrefixes_IncompleteUntilLastByte()
    {
        var packet = SamplePublish();
        using var buffer = new MqttFrameBuffer();
        for (var length = 0; length < packet.Length; length++)
        {
            var sequence = Split(packet[..length], 1, 2, length / 2);
            Assert.That(MqttFrameReader.TryRead(sequence, MaxPacketSize, buffer, out _, out _, out _), Is.EqualTo(MqttFrameStatus.Incomplete));
        }
    }

    [Test]
    public void TryRead_TwoPacketsBackToBack_ReadsOneAtATime()
    {
        var first = Encode(MqttPacketWriter.WritePingReq);
        var second = Encode(w => MqttPacketWriter.WritePubAck(w, MqttProtocolVersion.V311, 513));
        var sequence = Split([.. first, .. second], 1, 3);
        using var buffer = new MqttFrameBuffer();

        Assert.That(MqttFrameReader.TryRead(sequence, MaxPacketSize, buffer, out var a, out var consumed, out _), Is.EqualTo(MqttFrameStatus.Complete));
        Assert.That(a.Type, Is.EqualTo(MqttPacketType.PingReq));
        sequence = sequence.Slice(consumed);
        Assert.That(MqttFrameReader.TryRead(sequence, MaxPacketSize, buffer, out var b, out consumed, out _), Is.EqualTo(MqttFrameStatus.Complete));
        Assert.That(b.Type, Is.EqualTo(MqttPacketType.PubAck));
        Assert.That(sequence.Slice(consumed).IsEmpty, Is.True);
    }

    [TestCase(new byte[] { 0x30, 0xFF, 0xFF, 0xFF, 0xFF, 0x01 }, TestName = "TryRead_FiveByteRemainingLength_Malformed")]
    [TestCase(new byte[] { 0x30, 0x80, 0x80, 0x80, 0x80 }, TestName = "TryRead_FourContinuationBytes_Malformed")]
    [TestCase(new byte[] { 0x30, 0x80, 0x00 }, TestName = "TryRead_NonMinimalRemainingLength_Malformed")]
    [TestCase(new byte[] { 0xC0, 0xFF, 0x80, 0x00 }, TestName = "TryRead_NonMinimalThreeByteRemainingLength_Malformed")]
    public void TryRead_BadRemainingLength_Malformed(byte[] data)
    {
        using var buffer = new MqttFrameBuffer();
        var status = MqttFrameReader.TryRead(new ReadOnlySequence<byte>(data), MaxPacketSize, buffer, out _, out _, out _);
        Assert.That(status, Is.EqualTo(MqttFrameStatus.MalformedRemainingLength));
        Assert.That(status.ToReasonCode(), Is.EqualTo(MqttReasonCode.MalformedPacket));
        Assert.That(MqttFrameReader.TryRead(SplitEveryByte(data), MaxPacketSize, buffer, out _, out _, out _), Is.EqualTo(MqttFrameStatus.MalformedRemainingLength));
    }

    [Test]
    public void TryRead_TruncatedRemainingLength_Incomplete()
    {
        using var buffer = new MqttFrameBuffer();
        var status = MqttFrameReader.TryRead(new ReadOnlySequence<byte>([0x30, 0xFF, 0xFF]), MaxPacketSize, buffer, out _, out _, out _);
        Assert.That(status, Is.EqualTo(MqttFrameStatus.Incomplete));
    }

    [Test]
    public void TryRead_PacketTypeZero_ReservedPacketType()
    {
        using var buffer = new MqttFrameBuffer();
        var status = MqttFrameReader.TryRead(new ReadOnlySequence<byte>([0x00, 0x00]), MaxPacketSize, buffer, out _, out _, out _);
        Assert.That(status, Is.EqualTo(MqttFrameStatus.ReservedPacketType));
        Assert.That(status.ToDecodeError(), Is.EqualTo(MqttDecodeError.ReservedPacketType));
    }

    [Test]
    public void TryRead_HugeDeclaredLength_PacketTooLargeBeforeBodyArrives()
    {
        // Remaining length 268,435,455 (FF FF FF 7F) with no body at all.
        using var buffer = new MqttFrameBuffer();
        var status = MqttFrameReader.TryRead(new ReadOnlySequence<byte>([0x30, 0xFF, 0xFF, 0xFF, 0x7F]), 65_536, buffer, out _, out _, out _);
        Assert.That(status, Is.EqualTo(MqttFrameStatus.PacketTooLarge));
        Assert.That(status.ToReasonCode(), Is.EqualTo(MqttReasonCode.PacketTooLarge));
        Assert.That(buffer.Capacity, Is.Zero);
    }

    [Test]
    public void TryRead_MaximumCountsFixedHeader_ExactSizeAcceptedOneLessRejected()
    {
        var packet = SamplePublish();
        using var buffer = new MqttFrameBuffer();
        Assert.That(MqttFrameReader.TryRead(new ReadOnlySequence<byte>(packet), packet.Length, buffer, out _, out _, out _), Is.EqualTo(MqttFrameStatus.Complete));
        Assert.That(MqttFrameReader.TryRead(new ReadOnlySequence<byte>(packet), packet.Length - 1, buffer, out _, out _, out _), Is.EqualTo(MqttFrameStatus.PacketTooLarge));
    }

    [Test]
    public void TryRead_SplitPacketsRepeatedly_ReusesReassemblyBuffer()
    {
        var packet = SamplePublish();
        using var buffer = new MqttFrameBuffer();
        MqttFrameReader.TryRead(Split(packet, 10), MaxPacketSize, buffer, out _, out _, out _);
        var capacity = buffer.Capacity;
        MqttFrameReader.TryRead(Split(packet, 20), MaxPacketSize, buffer, out _, out _, out _);
        Assert.That(capacity, Is.GreaterThanOrEqualTo(packet.Length - 3));
        Assert.That(buffer.Capacity, Is.EqualTo(capacity));
    }

    [TestCase(0, 1)]
    [TestCase(127, 1)]
    [TestCase(128, 2)]
    [TestCase(16_383, 2)]
    [TestCase(16_384, 3)]
    [TestCase(2_097_151, 3)]
    [TestCase(2_097_152, 4)]
    [TestCase(268_435_455, 4)]
    public void VariableByteInteger_RoundTrip_SpecBoundaries(int value, int size)
    {
        // 5.0 section 1.5.5 table 1-1: the size boundaries of the variable byte integer.
        Span<byte> buffer = stackalloc byte[4];
        Assert.That(MqttVariableByteInteger.SizeOf(value), Is.EqualTo(size));
        Assert.That(MqttVariableByteInteger.Write(buffer, value), Is.EqualTo(size));
        Assert.That(MqttVariableByteInteger.TryRead(buffer[..size], out var read), Is.EqualTo(size));
        Assert.That(read, Is.EqualTo(value));
    }
}
