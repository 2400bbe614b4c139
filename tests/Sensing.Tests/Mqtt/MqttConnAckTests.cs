using NUnit.Framework;
using Sensing.Mqtt;
using static Sensing.Tests.Mqtt.MqttTestSupport;

namespace Sensing.Tests.Mqtt;

public sealed class MqttConnAckTests
{
    [Test]
    public void WriteConnAck_V311Accepted_ExactBytes()
    {
        var packet = Encode(w => MqttPacketWriter.WriteConnAck(w, true, MqttConnectReturnCode.Accepted));
        Assert.That(packet, Is.EqualTo(new byte[] { 0x20, 0x02, 0x01, 0x00 }));
    }

    [Test]
    public void WriteConnAck_V311RefusedWithSessionPresent_SessionPresentCleared()
    {
        // 3.1.1 [MQTT-3.2.2-4]: a non-zero return code goes with Session Present 0.
        var packet = Encode(w => MqttPacketWriter.WriteConnAck(w, true, MqttConnectReturnCode.NotAuthorized));
        Assert.That(packet, Is.EqualTo(new byte[] { 0x20, 0x02, 0x00, 0x05 }));
    }

    [Test]
    public void WriteConnAck_V5NoProperties_ExactBytes()
    {
        var packet = Encode(w => MqttPacketWriter.WriteConnAck(w, false, MqttReasonCode.Success));
        Assert.That(packet, Is.EqualTo(new byte[] { 0x20, 0x03, 0x00, 0x00, 0x00 }));
    }

    [TestCase(MqttConnectReturnCode.Accepted, MqttReasonCode.Success)]
    [TestCase(MqttConnectReturnCode.UnacceptableProtocolVersion, MqttReasonCode.UnsupportedProtocolVersion)]
    [TestCase(MqttConnectReturnCode.IdentifierRejected, MqttReasonCode.ClientIdentifierNotValid)]
    [TestCase(MqttConnectReturnCode.ServerUnavailable, MqttReasonCode.ServerUnavailable)]
    [TestCase(MqttConnectReturnCode.BadUserNameOrPassword, MqttReasonCode.BadUserNameOrPassword)]
    [TestCase(MqttConnectReturnCode.NotAuthorized, MqttReasonCode.NotAuthorized)]
    public void RoundTrip_V311ReturnCodes_MappedToReasonCodes(MqttConnectReturnCode code, MqttReasonCode expected)
    {
        var packet = Encode(w => MqttPacketWriter.WriteConnAck(w, false, code));
        Assert.That(MqttConnAck.TryDecode(Frame(packet), MqttProtocolVersion.V311, out var connAck, out _), Is.True);
        Assert.That(connAck.ReasonCode, Is.EqualTo(expected));
        Assert.That(connAck.IsV311Layout, Is.True);
        Assert.That(expected.ToConnectReturnCode(), Is.EqualTo(code));
    }

    [Test]
    public void RoundTrip_V5Properties_AllReadBack()
    {
        var packet = Encode(w => MqttPacketWriter.WriteConnAck(w, true, MqttReasonCode.Success, new MqttConnAckProperties
        {
            SessionExpiryInterval = 600, ReceiveMaximum = 32, MaximumQoS = MqttQoS.AtLeastOnce, RetainAvailable = false,
            MaximumPacketSize = 65_536, AssignedClientIdentifier = "auto-1"u8, TopicAliasMaximum = 10, ReasonString = "welcome"u8,
            WildcardSubscriptionAvailable = false, SubscriptionIdentifiersAvailable = true, SharedSubscriptionAvailable = false,
            ServerKeepAlive = 45,
        }));

        Assert.That(MqttConnAck.TryDecode(Frame(packet), MqttProtocolVersion.V500, out var connAck, out var error), Is.True, error.ToString());
        Assert.That(connAck.IsAccepted && connAck.SessionPresent, Is.True);
        Assert.That(connAck.SessionExpiryInterval, Is.EqualTo(600));
        Assert.That(connAck.ReceiveMaximum, Is.EqualTo(32));
        Assert.That(connAck.MaximumQoS, Is.EqualTo(MqttQoS.AtLeastOnce));
        Assert.That(connAck.RetainAvailable, Is.False);
        Assert.That(connAck.MaximumPacketSize, Is.EqualTo(65_536));
        Assert.That(connAck.AssignedClientIdentifier.SequenceEqual("auto-1"u8), Is.True);
        Assert.That(connAck.TopicAliasMaximum, Is.EqualTo(10));
        Assert.That(connAck.ReasonString.SequenceEqual("welcome"u8), Is.True);
        Assert.That(connAck.ServerKeepAlive, Is.EqualTo(45));
        Assert.That(connAck.Properties.GetInteger(MqttPropertyId.WildcardSubscriptionAvailable, 1), Is.Zero);
        Assert.That(connAck.Properties.GetInteger(MqttPropertyId.SharedSubscriptionAvailable, 1), Is.Zero);
    }

    [Test]
    public void TryDecode_V5Defaults_SpecDefaults()
    {
        Assert.That(MqttConnAck.TryDecode(Frame([0x20, 0x03, 0x00, 0x00, 0x00]), MqttProtocolVersion.V500, out var connAck, out _), Is.True);
        Assert.That(connAck.ReceiveMaximum, Is.EqualTo(65_535));
        Assert.That(connAck.MaximumQoS, Is.EqualTo(MqttQoS.ExactlyOnce));
        Assert.That(connAck.RetainAvailable, Is.True);
        Assert.That(connAck.ServerKeepAlive, Is.Null);
        Assert.That(connAck.SessionExpiryInterval, Is.Null);
    }

    [Test]
    public void TryDecode_V5RefusedWithReasonString_Decoded()
    {
        var packet = Encode(w => MqttPacketWriter.WriteConnAck(w, true, MqttReasonCode.BadUserNameOrPassword, new MqttConnAckProperties { ReasonString = "bad secret"u8 }));
        Assert.That(packet[2], Is.Zero, "session present cleared on failure ([MQTT-3.2.2-6])");
        Assert.That(MqttConnAck.TryDecode(Frame(packet), MqttProtocolVersion.V500, out var connAck, out _), Is.True);
        Assert.That(connAck.IsAccepted, Is.False);
        Assert.That(connAck.ReasonCode, Is.EqualTo(MqttReasonCode.BadUserNameOrPassword));
        Assert.That(connAck.ReasonString.SequenceEqual("bad secret"u8), Is.True);
    }

    [Test]
    public void TryDecode_V5ConnectAnsweredByV311Server_UnsupportedProtocolVersion()
    {
        Assert.That(MqttConnAck.TryDecode(Frame([0x20, 0x02, 0x00, 0x01]), MqttProtocolVersion.V500, out var connAck, out _), Is.True);
        Assert.That(connAck.IsV311Layout, Is.True);
        Assert.That(connAck.ReasonCode, Is.EqualTo(MqttReasonCode.UnsupportedProtocolVersion));
    }

    [TestCase(new byte[] { 0x20, 0x02, 0x02, 0x00 }, MqttProtocolVersion.V311, MqttDecodeError.InvalidConnAckFlags, TestName = "TryDecode_ReservedAckFlag_Malformed")]
    [TestCase(new byte[] { 0x20, 0x02, 0x01, 0x05 }, MqttProtocolVersion.V311, MqttDecodeError.SessionPresentOnFailure, TestName = "TryDecode_SessionPresentWithRefusal_ProtocolError")]
    [TestCase(new byte[] { 0x20, 0x02, 0x00, 0x06 }, MqttProtocolVersion.V311, MqttDecodeError.InvalidReasonCode, TestName = "TryDecode_V311ReturnCode6_InvalidReasonCode")]
    [TestCase(new byte[] { 0x20, 0x03, 0x00, 0x00, 0x00 }, MqttProtocolVersion.V311, MqttDecodeError.TrailingBytes, TestName = "TryDecode_V311ThreeBytes_TrailingBytes")]
    [TestCase(new byte[] { 0x20, 0x03, 0x00, 0x10, 0x00 }, MqttProtocolVersion.V500, MqttDecodeError.InvalidReasonCode, TestName = "TryDecode_V5ReasonNotForConnAck_InvalidReasonCode")]
    [TestCase(new byte[] { 0x20, 0x05, 0x00, 0x00, 0x02, 0x24, 0x02 }, MqttProtocolVersion.V500, MqttDecodeError.InvalidPropertyValue, TestName = "TryDecode_V5MaximumQoS2_ProtocolError")]
    [TestCase(new byte[] { 0x20, 0x06, 0x00, 0x00, 0x03, 0x23, 0x00, 0x01 }, MqttProtocolVersion.V500, MqttDecodeError.InvalidPropertyIdentifier, TestName = "TryDecode_V5TopicAliasInConnAck_Malformed")]
    [TestCase(new byte[] { 0x21, 0x02, 0x00, 0x00 }, MqttProtocolVersion.V311, MqttDecodeError.InvalidFixedHeaderFlags, TestName = "TryDecode_ConnAckFlagBit_Malformed")]
    [TestCase(new byte[] { 0x20, 0x01, 0x00 }, MqttProtocolVersion.V311, MqttDecodeError.Truncated, TestName = "TryDecode_OneByteConnAck_Truncated")]
    public void TryDecode_BadConnAck_SpecificError(byte[] packet, MqttProtocolVersion version, MqttDecodeError expected)
    {
        Assert.That(MqttConnAck.TryDecode(Frame(packet), version, out _, out var error), Is.False);
        Assert.That(error, Is.EqualTo(expected));
    }

    [Test]
    public void WriteConnAck_MaximumQoS2_Throws()
        => Assert.That(() => Encode(w => MqttPacketWriter.WriteConnAck(w, false, MqttReasonCode.Success, new MqttConnAckProperties { MaximumQoS = MqttQoS.ExactlyOnce })),
            Throws.InstanceOf<ArgumentOutOfRangeException>());
}
