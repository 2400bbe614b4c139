using NUnit.Framework;
using Sensing.Mqtt;
using static Sensing.Tests.Mqtt.MqttTestSupport;

namespace Sensing.Tests.Mqtt;

public sealed class MqttSubscribeTests
{
    [Test]
    public void WriteSubscribe_SpecExample311_PayloadMatchesByteForByte()
    {
        // 3.1.1 section 3.8.3, figure 3.22 (non-normative): "a/b" QoS 1, "c/d" QoS 2; packet id 10 (figure 3.21).
        var packet = Encode(w => MqttPacketWriter.WriteSubscribe(w, MqttProtocolVersion.V311, 10,
        [
            new MqttSubscriptionRequest("a/b"u8.ToArray(), new MqttSubscriptionOptions(MqttQoS.AtLeastOnce)),
            new MqttSubscriptionRequest("c/d"u8.ToArray(), new MqttSubscriptionOptions(MqttQoS.ExactlyOnce)),
        ]));
        byte[] expected = [0x82, 0x0E, 0x00, 0x0A, 0x00, 0x03, 0x61, 0x2F, 0x62, 0x01, 0x00, 0x03, 0x63, 0x2F, 0x64, 0x02];
        Assert.That(packet, Is.EqualTo(expected));
    }

    [TestCase(MqttProtocolVersion.V311)]
    [TestCase(MqttProtocolVersion.V500)]
    public void RoundTrip_Subscribe_EnumeratesPairs(MqttProtocolVersion version)
    {
        var options = new MqttSubscriptionOptions(MqttQoS.ExactlyOnce, noLocal: true, retainAsPublished: true, MqttRetainHandling.DoNotSend);
        var packet = Encode(w => MqttPacketWriter.WriteSubscribe(w, version, 77,
        [
            new MqttSubscriptionRequest("cmd/meter-1/#"u8.ToArray(), options),
            new MqttSubscriptionRequest("cfg/+/all"u8.ToArray(), new MqttSubscriptionOptions(MqttQoS.AtMostOnce)),
        ], subscriptionIdentifier: 300));

        Assert.That(MqttSubscribe.TryDecode(Frame(packet), version, out var subscribe, out var error), Is.True, error.ToString());
        Assert.That(subscribe.PacketId, Is.EqualTo(77));
        Assert.That(subscribe.Count, Is.EqualTo(2));
        var filters = new List<string>();
        var decoded = new List<MqttSubscriptionOptions>();
        foreach (var s in subscribe)
        {
            filters.Add(System.Text.Encoding.UTF8.GetString(s.Filter));
            decoded.Add(s.Options);
        }

        Assert.That(filters, Is.EqualTo(new[] { "cmd/meter-1/#", "cfg/+/all" }));
        Assert.That(decoded[0].MaximumQoS, Is.EqualTo(MqttQoS.ExactlyOnce));
        if (version == MqttProtocolVersion.V500)
        {
            Assert.That(decoded[0], Is.EqualTo(options));
            Assert.That(decoded[0].NoLocal && decoded[0].RetainAsPublished, Is.True);
            Assert.That(decoded[0].RetainHandling, Is.EqualTo(MqttRetainHandling.DoNotSend));
            Assert.That(subscribe.SubscriptionIdentifier, Is.EqualTo(300));
        }
        else
        {
            Assert.That(decoded[0].Value, Is.EqualTo(2), "3.1.1 carries only the QoS bits");
            Assert.That(subscribe.SubscriptionIdentifier, Is.Zero);
        }
    }

    private static MqttDecodeError SubscribeError(MqttProtocolVersion version, byte header, params byte[] body)
    {
        var ok = MqttSubscribe.TryDecode(Frame(Packet(header, body)), version, out _, out var error);
        Assert.That(ok, Is.EqualTo(error == MqttDecodeError.None));
        return error;
    }

    [Test]
    public void TryDecode_SubscribeFlagsZero_InvalidFixedHeaderFlags()
        => Assert.That(SubscribeError(MqttProtocolVersion.V311, 0x80, 0x00, 0x01, 0x00, 0x01, (byte)'a', 0x00), Is.EqualTo(MqttDecodeError.InvalidFixedHeaderFlags));

    [Test]
    public void TryDecode_NoFilters_NoTopicFiltersProtocolError()
    {
        Assert.That(SubscribeError(MqttProtocolVersion.V311, 0x82, 0x00, 0x01), Is.EqualTo(MqttDecodeError.NoTopicFilters));
        Assert.That(SubscribeError(MqttProtocolVersion.V500, 0x82, 0x00, 0x01, 0x00), Is.EqualTo(MqttDecodeError.NoTopicFilters));
        Assert.That(MqttDecodeError.NoTopicFilters.ToReasonCode(), Is.EqualTo(MqttReasonCode.ProtocolError));
    }

    [TestCase(MqttProtocolVersion.V311, (byte)0x04, MqttDecodeError.InvalidSubscriptionOptions, TestName = "TryDecode_V311ReservedOptionBits_Malformed")]
    [TestCase(MqttProtocolVersion.V311, (byte)0x03, MqttDecodeError.InvalidQoS, TestName = "TryDecode_V311QoS3_Malformed")]
    [TestCase(MqttProtocolVersion.V500, (byte)0x40, MqttDecodeError.InvalidSubscriptionOptions, TestName = "TryDecode_V5ReservedOptionBits_Malformed")]
    [TestCase(MqttProtocolVersion.V500, (byte)0x03, MqttDecodeError.InvalidSubscriptionQoS, TestName = "TryDecode_V5QoS3_ProtocolError")]
    [TestCase(MqttProtocolVersion.V500, (byte)0x30, MqttDecodeError.InvalidRetainHandling, TestName = "TryDecode_V5RetainHandling3_ProtocolError")]
    public void TryDecode_BadOptions_SpecificError(MqttProtocolVersion version, byte options, MqttDecodeError expected)
    {
        byte[] properties = version == MqttProtocolVersion.V500 ? [0x00] : [];
        Assert.That(SubscribeError(version, 0x82, [0x00, 0x01, .. properties, 0x00, 0x01, (byte)'a', options]), Is.EqualTo(expected));
    }

    [Test]
    public void TryDecode_V5NoLocalOnSharedSubscription_ProtocolError()
    {
        var packet = Encode(w => MqttPacketWriter.WriteSubscribe(w, MqttProtocolVersion.V500, 1, "$share/g/a/b"u8, new MqttSubscriptionOptions(MqttQoS.AtMostOnce, noLocal: true)));
        Assert.That(MqttSubscribe.TryDecode(Frame(packet), MqttProtocolVersion.V500, out _, out var error), Is.False);
        Assert.That(error, Is.EqualTo(MqttDecodeError.NoLocalOnSharedSubscription));
    }

    [Test]
    public void TryDecode_V5TwoSubscriptionIdentifiers_DuplicateProperty()
        => Assert.That(SubscribeError(MqttProtocolVersion.V500, 0x82, 0x00, 0x01, 0x04, 0x0B, 0x01, 0x0B, 0x02, 0x00, 0x01, (byte)'a', 0x00), Is.EqualTo(MqttDecodeError.DuplicateProperty));

    [Test]
    public void TryDecode_V5SubscriptionIdentifierZero_ProtocolError()
        => Assert.That(SubscribeError(MqttProtocolVersion.V500, 0x82, 0x00, 0x01, 0x02, 0x0B, 0x00, 0x00, 0x01, (byte)'a', 0x00), Is.EqualTo(MqttDecodeError.InvalidPropertyValue));

    [Test]
    public void TryDecode_MissingOptionsByte_Truncated()
        => Assert.That(SubscribeError(MqttProtocolVersion.V311, 0x82, 0x00, 0x01, 0x00, 0x01, (byte)'a'), Is.EqualTo(MqttDecodeError.Truncated));

    [Test]
    public void TryDecode_NullCharacterInFilter_NullCharacter()
        => Assert.That(SubscribeError(MqttProtocolVersion.V311, 0x82, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00), Is.EqualTo(MqttDecodeError.NullCharacter));

    [Test]
    public void TryDecode_InvalidWildcardFilter_DecodesForPerFilterSubAck()
    {
        // 5.0 section 3.9.3: an invalid filter gets its own 0x8F in SUBACK, so the packet still decodes.
        var packet = Encode(w => MqttPacketWriter.WriteSubscribe(w, MqttProtocolVersion.V500, 1, "a/b#"u8, new MqttSubscriptionOptions(MqttQoS.AtMostOnce)));
        Assert.That(MqttSubscribe.TryDecode(Frame(packet), MqttProtocolVersion.V500, out var subscribe, out _), Is.True);
        foreach (var s in subscribe)
        {
            Assert.That(MqttTopic.IsValidFilter(s.Filter), Is.False);
        }
    }

    [TestCase(MqttProtocolVersion.V311)]
    [TestCase(MqttProtocolVersion.V500)]
    public void RoundTrip_SubAck_CodesPreserved(MqttProtocolVersion version)
    {
        MqttReasonCode[] codes = [MqttReasonCode.GrantedQoS1, MqttReasonCode.GrantedQoS0, MqttReasonCode.UnspecifiedError, MqttReasonCode.GrantedQoS2];
        var packet = Encode(w => MqttPacketWriter.WriteSubAck(w, version, 9, codes, "ok"u8));

        Assert.That(MqttSubAck.TryDecode(Frame(packet), version, out var subAck, out var error), Is.True, error.ToString());
        Assert.That(subAck.PacketId, Is.EqualTo(9));
        Assert.That(subAck.ReasonCodes.ToArray(), Is.EqualTo(codes));
    }

    [Test]
    public void WriteSubAck_V311FailureCode_MappedTo0x80()
    {
        var packet = Encode(w => MqttPacketWriter.WriteSubAck(w, MqttProtocolVersion.V311, 1, [MqttReasonCode.TopicFilterInvalid, MqttReasonCode.GrantedQoS1]));
        Assert.That(packet, Is.EqualTo(new byte[] { 0x90, 0x04, 0x00, 0x01, 0x80, 0x01 }));
    }

    [Test]
    public void TryDecode_SubAckV311ReservedCode_InvalidReasonCode()
    {
        Assert.That(MqttSubAck.TryDecode(Frame([0x90, 0x03, 0x00, 0x01, 0x8F]), MqttProtocolVersion.V311, out _, out var error), Is.False);
        Assert.That(error, Is.EqualTo(MqttDecodeError.InvalidReasonCode));
    }

    [Test]
    public void TryDecode_SubAckWithoutCodes_NoTopicFilters()
    {
        Assert.That(MqttSubAck.TryDecode(Frame([0x90, 0x02, 0x00, 0x01]), MqttProtocolVersion.V311, out _, out var error), Is.False);
        Assert.That(error, Is.EqualTo(MqttDecodeError.NoTopicFilters));
    }

    [TestCase(MqttProtocolVersion.V311)]
    [TestCase(MqttProtocolVersion.V500)]
    public void RoundTrip_Unsubscribe_EnumeratesFilters(MqttProtocolVersion version)
    {
        var packet = Encode(w => MqttPacketWriter.WriteUnsubscribe(w, version, 5, [new ReadOnlyMemory<byte>("a/b"u8.ToArray()), new ReadOnlyMemory<byte>("c/#"u8.ToArray())]));
        Assert.That(packet[0], Is.EqualTo(0xA2));
        Assert.That(MqttUnsubscribe.TryDecode(Frame(packet), version, out var unsubscribe, out var error), Is.True, error.ToString());
        Assert.That(unsubscribe.PacketId, Is.EqualTo(5));
        Assert.That(unsubscribe.Count, Is.EqualTo(2));
        var filters = new List<string>();
        foreach (var f in unsubscribe)
        {
            filters.Add(System.Text.Encoding.UTF8.GetString(f));
        }

        Assert.That(filters, Is.EqualTo(new[] { "a/b", "c/#" }));
    }

    [Test]
    public void TryDecode_UnsubscribeFlagsZero_InvalidFixedHeaderFlags()
    {
        Assert.That(MqttUnsubscribe.TryDecode(Frame([0xA0, 0x05, 0x00, 0x01, 0x00, 0x01, (byte)'a']), MqttProtocolVersion.V311, out _, out var error), Is.False);
        Assert.That(error, Is.EqualTo(MqttDecodeError.InvalidFixedHeaderFlags));
    }

    [Test]
    public void TryDecode_UnsubscribeWithoutFilters_NoTopicFilters()
    {
        Assert.That(MqttUnsubscribe.TryDecode(Frame([0xA2, 0x02, 0x00, 0x01]), MqttProtocolVersion.V311, out _, out var error), Is.False);
        Assert.That(error, Is.EqualTo(MqttDecodeError.NoTopicFilters));
    }

    [Test]
    public void TryDecode_UnsubscribeSubscriptionIdentifier_InvalidPropertyIdentifier()
    {
        Assert.That(MqttUnsubscribe.TryDecode(Frame([0xA2, 0x08, 0x00, 0x01, 0x02, 0x0B, 0x01, 0x00, 0x01, (byte)'a']), MqttProtocolVersion.V500, out _, out var error), Is.False);
        Assert.That(error, Is.EqualTo(MqttDecodeError.InvalidPropertyIdentifier));
    }

    [TestCase(MqttProtocolVersion.V311)]
    [TestCase(MqttProtocolVersion.V500)]
    public void RoundTrip_UnsubAck_CodesOnlyInV5(MqttProtocolVersion version)
    {
        var packet = Encode(w => MqttPacketWriter.WriteUnsubAck(w, version, 5, [MqttReasonCode.Success, MqttReasonCode.NoSubscriptionExisted]));
        Assert.That(MqttUnsubAck.TryDecode(Frame(packet), version, out var unsubAck, out var error), Is.True, error.ToString());
        Assert.That(unsubAck.PacketId, Is.EqualTo(5));
        if (version == MqttProtocolVersion.V311)
        {
            Assert.That(packet, Is.EqualTo(new byte[] { 0xB0, 0x02, 0x00, 0x05 }));
            Assert.That(unsubAck.ReasonCodes.IsEmpty, Is.True);
        }
        else
        {
            Assert.That(unsubAck.ReasonCodes.ToArray(), Is.EqualTo(new[] { MqttReasonCode.Success, MqttReasonCode.NoSubscriptionExisted }));
        }
    }

    [Test]
    public void TryDecode_UnsubAckV5GrantedQoS1_InvalidReasonCode()
    {
        Assert.That(MqttUnsubAck.TryDecode(Frame([0xB0, 0x04, 0x00, 0x01, 0x00, 0x01]), MqttProtocolVersion.V500, out _, out var error), Is.False);
        Assert.That(error, Is.EqualTo(MqttDecodeError.InvalidReasonCode));
    }
}
