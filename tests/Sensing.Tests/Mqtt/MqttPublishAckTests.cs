using System.Buffers;
using NUnit.Framework;
using Sensing.Mqtt;
using static Sensing.Tests.Mqtt.MqttTestSupport;

namespace Sensing.Tests.Mqtt;

public sealed class MqttPublishAckTests
{
    private delegate int AckWriter(IBufferWriter<byte> writer, MqttProtocolVersion version, ushort packetId, MqttReasonCode reason, ReadOnlySpan<byte> reasonString);

    private static AckWriter WriterFor(MqttPacketType type) => type switch
    {
        MqttPacketType.PubAck => MqttPacketWriter.WritePubAck,
        MqttPacketType.PubRec => MqttPacketWriter.WritePubRec,
        MqttPacketType.PubRel => MqttPacketWriter.WritePubRel,
        _ => MqttPacketWriter.WritePubComp,
    };

    [TestCase(MqttPacketType.PubAck, new byte[] { 0x40, 0x02, 0x01, 0x02 })]
    [TestCase(MqttPacketType.PubRec, new byte[] { 0x50, 0x02, 0x01, 0x02 })]
    [TestCase(MqttPacketType.PubRel, new byte[] { 0x62, 0x02, 0x01, 0x02 })]
    [TestCase(MqttPacketType.PubComp, new byte[] { 0x70, 0x02, 0x01, 0x02 })]
    public void Write_Success_FourBytesInBothVersions(MqttPacketType type, byte[] expected)
    {
        foreach (var version in Versions)
        {
            // 5.0 section 3.4.2.1: reason code and property length omitted for Success without properties.
            var packet = Encode(w => WriterFor(type)(w, version, 0x0102, MqttReasonCode.Success, default));
            Assert.That(packet, Is.EqualTo(expected), version.ToString());
        }
    }

    [Test]
    public void WritePubAck_V5ReasonWithoutProperties_RemainingLength3()
    {
        var packet = Encode(w => MqttPacketWriter.WritePubAck(w, MqttProtocolVersion.V500, 10, MqttReasonCode.NoMatchingSubscribers));
        Assert.That(packet, Is.EqualTo(new byte[] { 0x40, 0x03, 0x00, 0x0A, 0x10 }));
    }

    [Test]
    public void RoundTrip_AllFourTypesBothVersions_ReasonAndReasonString(
        [Values(MqttPacketType.PubAck, MqttPacketType.PubRec, MqttPacketType.PubRel, MqttPacketType.PubComp)] MqttPacketType type,
        [Values(MqttProtocolVersion.V311, MqttProtocolVersion.V500)] MqttProtocolVersion version)
    {
        var reason = type is MqttPacketType.PubRel or MqttPacketType.PubComp ? MqttReasonCode.PacketIdentifierNotFound : MqttReasonCode.QuotaExceeded;
        var packet = Encode(w => WriterFor(type)(w, version, 4242, reason, "over quota"u8));

        Assert.That(MqttPublishAck.TryDecode(Frame(packet), version, out var ack, out var error), Is.True, error.ToString());
        Assert.That(ack.Type, Is.EqualTo(type));
        Assert.That(ack.PacketId, Is.EqualTo(4242));
        if (version == MqttProtocolVersion.V500)
        {
            Assert.That(ack.ReasonCode, Is.EqualTo(reason));
            Assert.That(ack.ReasonString.SequenceEqual("over quota"u8), Is.True);
        }
        else
        {
            Assert.That(packet.Length, Is.EqualTo(4), "3.1.1 acknowledgments carry no reason");
            Assert.That(ack.ReasonCode, Is.EqualTo(MqttReasonCode.Success));
        }
    }

    [Test]
    public void TryDecode_PubRelWithFlagsZero_InvalidFixedHeaderFlags()
    {
        Assert.That(MqttPublishAck.TryDecode(Frame([0x60, 0x02, 0x00, 0x01]), MqttProtocolVersion.V311, out _, out var error), Is.False);
        Assert.That(error, Is.EqualTo(MqttDecodeError.InvalidFixedHeaderFlags));
        Assert.That(error.ToReasonCode(), Is.EqualTo(MqttReasonCode.MalformedPacket));
    }

    [TestCase((byte)0x42)]
    [TestCase((byte)0x51)]
    [TestCase((byte)0x78)]
    public void TryDecode_AckWithReservedFlags_InvalidFixedHeaderFlags(byte header)
    {
        Assert.That(MqttPublishAck.TryDecode(Frame([header, 0x02, 0x00, 0x01]), MqttProtocolVersion.V500, out _, out var error), Is.False);
        Assert.That(error, Is.EqualTo(MqttDecodeError.InvalidFixedHeaderFlags));
    }

    [Test]
    public void TryDecode_V311ExtraByte_TrailingBytes()
    {
        Assert.That(MqttPublishAck.TryDecode(Frame([0x40, 0x03, 0x00, 0x01, 0x00]), MqttProtocolVersion.V311, out _, out var error), Is.False);
        Assert.That(error, Is.EqualTo(MqttDecodeError.TrailingBytes));
    }

    [Test]
    public void TryDecode_ZeroPacketId_ZeroPacketIdentifier()
    {
        Assert.That(MqttPublishAck.TryDecode(Frame([0x40, 0x02, 0x00, 0x00]), MqttProtocolVersion.V311, out _, out var error), Is.False);
        Assert.That(error, Is.EqualTo(MqttDecodeError.ZeroPacketIdentifier));
    }

    [Test]
    public void TryDecode_OneByteBody_Truncated()
    {
        Assert.That(MqttPublishAck.TryDecode(Frame([0x40, 0x01, 0x00]), MqttProtocolVersion.V500, out _, out var error), Is.False);
        Assert.That(error, Is.EqualTo(MqttDecodeError.Truncated));
    }

    [TestCase((byte)0x40, (byte)0x92, TestName = "TryDecode_PubAckWithPacketIdNotFound_InvalidReasonCode")]
    [TestCase((byte)0x62, (byte)0x10, TestName = "TryDecode_PubRelWithNoMatchingSubscribers_InvalidReasonCode")]
    [TestCase((byte)0x70, (byte)0x80, TestName = "TryDecode_PubCompWithUnspecifiedError_InvalidReasonCode")]
    public void TryDecode_ReasonNotAllowedForType_InvalidReasonCode(byte header, byte reason)
    {
        Assert.That(MqttPublishAck.TryDecode(Frame([header, 0x03, 0x00, 0x01, reason]), MqttProtocolVersion.V500, out _, out var error), Is.False);
        Assert.That(error, Is.EqualTo(MqttDecodeError.InvalidReasonCode));
    }

    [Test]
    public void TryDecode_V5UserPropertyInPubAck_Enumerated()
    {
        byte[] packet = [0x40, 0x0C, 0x00, 0x01, 0x00, 0x08, 0x26, 0x00, 0x01, (byte)'k', 0x00, 0x02, (byte)'v', (byte)'1'];
        Assert.That(MqttPublishAck.TryDecode(Frame(packet), MqttProtocolVersion.V500, out var ack, out var error), Is.True, error.ToString());
        Assert.That(ack.Properties.TryGet(MqttPropertyId.UserProperty, out var p), Is.True);
        Assert.That(p.Bytes.SequenceEqual("k"u8) && p.PairValue.SequenceEqual("v1"u8), Is.True);
    }

    [Test]
    public void TryDecode_V5TopicAliasInPubAck_InvalidPropertyIdentifier()
    {
        Assert.That(MqttPublishAck.TryDecode(Frame([0x40, 0x07, 0x00, 0x01, 0x00, 0x03, 0x23, 0x00, 0x01]), MqttProtocolVersion.V500, out _, out var error), Is.False);
        Assert.That(error, Is.EqualTo(MqttDecodeError.InvalidPropertyIdentifier));
    }

    [Test]
    public void TryDecode_NotAnAck_UnexpectedPacketType()
    {
        Assert.That(MqttPublishAck.TryDecode(Frame([0xC0, 0x00]), MqttProtocolVersion.V500, out _, out var error), Is.False);
        Assert.That(error, Is.EqualTo(MqttDecodeError.UnexpectedPacketType));
    }
}
