using System.Buffers;
using NUnit.Framework;
using Sensing.Mqtt;
using static Sensing.Tests.Mqtt.MqttTestSupport;

namespace Sensing.Tests.Mqtt;

public sealed class MqttPublishTests
{
    [Test]
    public void WritePublish_SpecExample_VariableHeaderMatchesByteForByte()
    {
        // 3.1.1 section 3.3.2.3, figure 3.11 (non-normative): topic "a/b", packet identifier 10.
        var packet = Encode(w => MqttPacketWriter.WritePublish(w, MqttProtocolVersion.V311, "a/b"u8, "hi"u8, MqttQoS.AtLeastOnce, 10));
        byte[] expected = [0x32, 0x09, 0x00, 0x03, 0x61, 0x2F, 0x62, 0x00, 0x0A, (byte)'h', (byte)'i'];
        Assert.That(packet, Is.EqualTo(expected));
    }

    [Test]
    public void WritePublish_V5NoProperties_WritesZeroPropertyLength()
    {
        var packet = Encode(w => MqttPacketWriter.WritePublish(w, MqttProtocolVersion.V500, "a/b"u8, [], MqttQoS.AtMostOnce, retain: true));
        Assert.That(packet, Is.EqualTo(new byte[] { 0x31, 0x06, 0x00, 0x03, 0x61, 0x2F, 0x62, 0x00 }));
    }

    [Test]
    public void RoundTrip_AllQoSBothVersions_FieldsPreserved(
        [Values(MqttProtocolVersion.V311, MqttProtocolVersion.V500)] MqttProtocolVersion version,
        [Values(MqttQoS.AtMostOnce, MqttQoS.AtLeastOnce, MqttQoS.ExactlyOnce)] MqttQoS qos,
        [Values(false, true)] bool retain)
    {
        var payload = Enumerable.Range(0, 1000).Select(i => (byte)(i * 7)).ToArray();
        var packetId = qos == MqttQoS.AtMostOnce ? (ushort)0 : (ushort)65535;
        var dup = qos != MqttQoS.AtMostOnce;
        var packet = Encode(w => MqttPacketWriter.WritePublish(w, version, "city/water/meter-9/flow"u8, payload, qos, packetId, retain, dup));

        Assert.That(MqttPublish.TryDecode(Frame(packet), version, out var publish, out var error), Is.True, error.ToString());
        Assert.That(publish.QoS, Is.EqualTo(qos));
        Assert.That(publish.Retain, Is.EqualTo(retain));
        Assert.That(publish.Dup, Is.EqualTo(dup));
        Assert.That(publish.PacketId, Is.EqualTo(packetId));
        Assert.That(publish.Topic.SequenceEqual("city/water/meter-9/flow"u8), Is.True);
        Assert.That(publish.Payload.ToArray(), Is.EqualTo(payload));
    }

    [Test]
    public void RoundTrip_V5Properties_AllReadBack()
    {
        var packet = Encode(w => MqttPacketWriter.WritePublish(w, MqttProtocolVersion.V500, "t"u8, "{}"u8, MqttQoS.AtLeastOnce, 3, false, false,
            new MqttPublishProperties
            {
                PayloadFormatIndicator = 1, MessageExpiryInterval = 120, TopicAlias = 4, ResponseTopic = "reply/t"u8,
                CorrelationData = [9, 8, 7], ContentType = "application/json"u8, UserPropertyName = "traceparent"u8,
                UserPropertyValue = "00-abc-def-01"u8,
            }));

        Assert.That(MqttPublish.TryDecode(Frame(packet), MqttProtocolVersion.V500, out var publish, out var error), Is.True, error.ToString());
        Assert.That(publish.PayloadFormatIndicator, Is.EqualTo(1));
        Assert.That(publish.MessageExpiryInterval, Is.EqualTo(120));
        Assert.That(publish.TopicAlias, Is.EqualTo(4));
        Assert.That(publish.ResponseTopic.SequenceEqual("reply/t"u8), Is.True);
        Assert.That(publish.CorrelationData.ToArray(), Is.EqualTo(new byte[] { 9, 8, 7 }));
        Assert.That(publish.ContentType.SequenceEqual("application/json"u8), Is.True);
        Assert.That(publish.Properties.TryGet(MqttPropertyId.UserProperty, out var user), Is.True);
        Assert.That(user.Bytes.SequenceEqual("traceparent"u8) && user.PairValue.SequenceEqual("00-abc-def-01"u8), Is.True);
        Assert.That(publish.Payload.SequenceEqual("{}"u8), Is.True);
    }

    [Test]
    public void TryDecode_V5AbsentProperties_Defaults()
    {
        var packet = Encode(w => MqttPacketWriter.WritePublish(w, MqttProtocolVersion.V500, "t"u8, "x"u8));
        Assert.That(MqttPublish.TryDecode(Frame(packet), MqttProtocolVersion.V500, out var publish, out _), Is.True);
        Assert.That(publish.MessageExpiryInterval, Is.Null);
        Assert.That(publish.TopicAlias, Is.Zero);
        Assert.That(publish.Properties.IsEmpty, Is.True);
    }

    [Test]
    public void TryDecode_V5EmptyTopicWithAlias_Accepted()
    {
        var packet = Encode(w => MqttPacketWriter.WritePublish(w, MqttProtocolVersion.V500, [], "x"u8, MqttQoS.AtMostOnce, 0, false, false, new MqttPublishProperties { TopicAlias = 2 }));
        Assert.That(MqttPublish.TryDecode(Frame(packet), MqttProtocolVersion.V500, out var publish, out _), Is.True);
        Assert.That(publish.Topic.IsEmpty, Is.True);
        Assert.That(publish.TopicAlias, Is.EqualTo(2));
    }

    [TestCase(MqttProtocolVersion.V311)]
    [TestCase(MqttProtocolVersion.V500)]
    public void TryDecode_EmptyTopicWithoutAlias_EmptyTopicName(MqttProtocolVersion version)
    {
        var packet = Encode(w => MqttPacketWriter.WritePublish(w, version, [], "x"u8));
        Assert.That(MqttPublish.TryDecode(Frame(packet), version, out _, out var error), Is.False);
        Assert.That(error, Is.EqualTo(MqttDecodeError.EmptyTopicName));
    }

    [Test]
    public void TryDecode_QoS3_InvalidQoSMalformed()
    {
        var packet = Packet(0x36, 0x00, 0x01, (byte)'t', 0x00, 0x01);
        Assert.That(MqttPublish.TryDecode(Frame(packet), MqttProtocolVersion.V500, out _, out var error), Is.False);
        Assert.That(error, Is.EqualTo(MqttDecodeError.InvalidQoS));
        Assert.That(error.ToReasonCode(), Is.EqualTo(MqttReasonCode.MalformedPacket));
    }

    [Test]
    public void TryDecode_DupWithQoS0_DupWithQoS0()
    {
        var packet = Packet(0x38, 0x00, 0x01, (byte)'t');
        Assert.That(MqttPublish.TryDecode(Frame(packet), MqttProtocolVersion.V311, out _, out var error), Is.False);
        Assert.That(error, Is.EqualTo(MqttDecodeError.DupWithQoS0));
    }

    [TestCase("a/+/b")]
    [TestCase("a/#")]
    public void TryDecode_WildcardInTopic_TopicNameInvalid(string topic)
    {
        var packet = Encode(w => MqttPacketWriter.WritePublish(w, MqttProtocolVersion.V500, Utf8(topic), "x"u8));
        Assert.That(MqttPublish.TryDecode(Frame(packet), MqttProtocolVersion.V500, out _, out var error), Is.False);
        Assert.That(error.ToReasonCode(), Is.EqualTo(MqttReasonCode.TopicNameInvalid));
    }

    [Test]
    public void TryDecode_NullCharacterInTopic_NullCharacter()
    {
        var packet = Packet(0x30, 0x00, 0x03, (byte)'a', 0x00, (byte)'b', (byte)'p');
        Assert.That(MqttPublish.TryDecode(Frame(packet), MqttProtocolVersion.V311, out _, out var error), Is.False);
        Assert.That(error, Is.EqualTo(MqttDecodeError.NullCharacter));
        Assert.That(error.ToReasonCode(), Is.EqualTo(MqttReasonCode.MalformedPacket));
    }

    [TestCase(new byte[] { 0xC0, 0xAF }, TestName = "TryDecode_OverlongUtf8Topic_InvalidUtf8")]
    [TestCase(new byte[] { 0xED, 0xB0, 0x80 }, TestName = "TryDecode_SurrogateInTopic_InvalidUtf8")]
    [TestCase(new byte[] { 0xE2, 0x82 }, TestName = "TryDecode_TruncatedSequenceInTopic_InvalidUtf8")]
    [TestCase(new byte[] { 0xF4, 0x90, 0x80, 0x80 }, TestName = "TryDecode_AboveU10FFFFInTopic_InvalidUtf8")]
    [TestCase(new byte[] { 0xFF }, TestName = "TryDecode_ByteFFInTopic_InvalidUtf8")]
    public void TryDecode_BadUtf8Topic_InvalidUtf8(byte[] topic)
    {
        var packet = Packet(0x30, [0x00, (byte)topic.Length, .. topic]);
        Assert.That(MqttPublish.TryDecode(Frame(packet), MqttProtocolVersion.V311, out _, out var error), Is.False);
        Assert.That(error, Is.EqualTo(MqttDecodeError.InvalidUtf8));
    }

    [Test]
    public void TryDecode_NonAsciiTopic_Accepted()
    {
        var packet = Encode(w => MqttPacketWriter.WritePublish(w, MqttProtocolVersion.V311, Utf8("stadt/zähler/\U0001F4A7"), "x"u8));
        Assert.That(MqttPublish.TryDecode(Frame(packet), MqttProtocolVersion.V311, out _, out _), Is.True);
    }

    [Test]
    public void TryDecode_ZeroPacketId_ZeroPacketIdentifier()
    {
        var packet = Packet(0x32, 0x00, 0x01, (byte)'t', 0x00, 0x00);
        Assert.That(MqttPublish.TryDecode(Frame(packet), MqttProtocolVersion.V311, out _, out var error), Is.False);
        Assert.That(error, Is.EqualTo(MqttDecodeError.ZeroPacketIdentifier));
    }

    [Test]
    public void TryDecode_MissingPacketId_Truncated()
    {
        var packet = Packet(0x32, 0x00, 0x01, (byte)'t', 0x00);
        Assert.That(MqttPublish.TryDecode(Frame(packet), MqttProtocolVersion.V311, out _, out var error), Is.False);
        Assert.That(error, Is.EqualTo(MqttDecodeError.Truncated));
    }

    [Test]
    public void TryDecode_TopicLengthPastEnd_Truncated()
    {
        var packet = Packet(0x30, 0xFF, 0xFF, (byte)'t');
        Assert.That(MqttPublish.TryDecode(Frame(packet), MqttProtocolVersion.V311, out _, out var error), Is.False);
        Assert.That(error, Is.EqualTo(MqttDecodeError.Truncated));
    }

    [Test]
    public void TryDecode_SubscriptionIdentifierFromClient_ProtocolError()
    {
        var packet = Encode(w => MqttPacketWriter.WritePublish(w, MqttProtocolVersion.V500, "t"u8, "x"u8, MqttQoS.AtMostOnce, 0, false, false, new MqttPublishProperties { SubscriptionIdentifier = 5 }));
        Assert.That(MqttPublish.TryDecode(Frame(packet), MqttProtocolVersion.V500, out _, out var error), Is.False);
        Assert.That(error, Is.EqualTo(MqttDecodeError.SubscriptionIdentifierFromClient));
        Assert.That(error.ToReasonCode(), Is.EqualTo(MqttReasonCode.ProtocolError));
    }

    [Test]
    public void TryDecodeFromServer_RepeatedSubscriptionIdentifiers_Accepted()
    {
        // 5.0 section 3.3.2.3.8: a server's PUBLISH carries one Subscription Identifier per matching subscription.
        var packet = Packet(0x30, 0x00, 0x01, (byte)'t', 0x04, 0x0B, 0x01, 0x0B, 0x02, (byte)'x');
        Assert.That(MqttPublish.TryDecodeFromServer(Frame(packet), MqttProtocolVersion.V500, out var publish, out var error), Is.True, error.ToString());
        var ids = new List<uint>();
        foreach (var p in publish.Properties)
        {
            ids.Add(p.Integer);
        }

        Assert.That(ids, Is.EqualTo(new uint[] { 1, 2 }));
    }

    [TestCase(new byte[] { 0x03, 0x23, 0x00, 0x00 }, MqttDecodeError.InvalidPropertyValue, TestName = "TryDecode_TopicAliasZero_ProtocolError")]
    [TestCase(new byte[] { 0x06, 0x23, 0x00, 0x01, 0x23, 0x00, 0x02 }, MqttDecodeError.DuplicateProperty, TestName = "TryDecode_DuplicateTopicAlias_ProtocolError")]
    [TestCase(new byte[] { 0x02, 0x01, 0x02 }, MqttDecodeError.InvalidPropertyValue, TestName = "TryDecode_PayloadFormatIndicator2_ProtocolError")]
    [TestCase(new byte[] { 0x05, 0x11, 0x00, 0x00, 0x00, 0x01 }, MqttDecodeError.InvalidPropertyIdentifier, TestName = "TryDecode_SessionExpiryInPublish_Malformed")]
    [TestCase(new byte[] { 0x02, 0x7F, 0x00 }, MqttDecodeError.InvalidPropertyIdentifier, TestName = "TryDecode_UnknownPropertyIdentifier_Malformed")]
    [TestCase(new byte[] { 0x02, 0x02, 0x00 }, MqttDecodeError.Truncated, TestName = "TryDecode_TruncatedPropertyValue_Malformed")]
    [TestCase(new byte[] { 0x05, 0x08, 0x00, 0x02, (byte)'a', (byte)'#' }, MqttDecodeError.WildcardInTopicName, TestName = "TryDecode_WildcardInResponseTopic_TopicNameInvalid")]
    [TestCase(new byte[] { 0x05, 0x0B, 0x80, 0x80, 0x80, 0x80 }, MqttDecodeError.MalformedVariableByteInteger, TestName = "TryDecode_FiveByteSubscriptionIdentifier_Malformed")]
    public void TryDecode_BadV5Properties_SpecificError(byte[] properties, MqttDecodeError expected)
    {
        var packet = Packet(0x30, [0x00, 0x01, (byte)'t', .. properties]);
        Assert.That(MqttPublish.TryDecodeFromServer(Frame(packet), MqttProtocolVersion.V500, out _, out var error), Is.False);
        Assert.That(error, Is.EqualTo(expected));
    }

    [Test]
    public void TryDecode_V311BytesLookLikeProperties_TreatedAsPayload()
    {
        var packet = Packet(0x30, 0x00, 0x01, (byte)'t', 0x02, 0x01, 0x02);
        Assert.That(MqttPublish.TryDecode(Frame(packet), MqttProtocolVersion.V311, out var publish, out _), Is.True);
        Assert.That(publish.Payload.ToArray(), Is.EqualTo(new byte[] { 0x02, 0x01, 0x02 }));
    }

    [Test]
    public void WritePublish_QoS1WithoutPacketId_Throws()
        => Assert.That(() => Encode(w => MqttPacketWriter.WritePublish(w, MqttProtocolVersion.V311, "t"u8, "x"u8, MqttQoS.AtLeastOnce)), Throws.InstanceOf<ArgumentOutOfRangeException>());

    [Test]
    public void WritePublish_TopicLongerThan65535_Throws()
    {
        var topic = new byte[70_000];
        Array.Fill(topic, (byte)'a');
        Assert.That(() => Encode(w => MqttPacketWriter.WritePublish(w, MqttProtocolVersion.V311, topic, "x"u8)), Throws.InstanceOf<ArgumentOutOfRangeException>());
    }

    [Test]
    public void WritePublish_LargePayloadIntoSmallSegments_SameBytesAsContiguous()
    {
        var payload = Enumerable.Range(0, 100_000).Select(i => (byte)i).ToArray();
        var pipe = new System.IO.Pipelines.Pipe(new System.IO.Pipelines.PipeOptions(pauseWriterThreshold: 0, minimumSegmentSize: 512));
        var written = MqttPacketWriter.WritePublish(pipe.Writer, MqttProtocolVersion.V500, "big"u8, payload, MqttQoS.AtLeastOnce, 1);
        pipe.Writer.FlushAsync().AsTask().GetAwaiter().GetResult();
        Assert.That(pipe.Reader.TryRead(out var result), Is.True);
        var expected = Encode(w => MqttPacketWriter.WritePublish(w, MqttProtocolVersion.V500, "big"u8, payload, MqttQoS.AtLeastOnce, 1));
        Assert.That(written, Is.EqualTo(expected.Length));
        Assert.That(result.Buffer.ToArray(), Is.EqualTo(expected));
    }
}
