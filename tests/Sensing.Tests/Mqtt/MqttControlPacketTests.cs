using NUnit.Framework;
using Sensing.Mqtt;
using static Sensing.Tests.Mqtt.MqttTestSupport;

namespace Sensing.Tests.Mqtt;

public sealed class MqttControlPacketTests
{
    [Test]
    public void WritePingReqAndPingResp_ExactBytesAndDecode()
    {
        var request = Encode(MqttPacketWriter.WritePingReq);
        var response = Encode(MqttPacketWriter.WritePingResp);
        Assert.That(request, Is.EqualTo(new byte[] { 0xC0, 0x00 }));
        Assert.That(response, Is.EqualTo(new byte[] { 0xD0, 0x00 }));
        Assert.That(MqttPing.TryDecodeRequest(Frame(request), out _), Is.True);
        Assert.That(MqttPing.TryDecodeResponse(Frame(response), out _), Is.True);
        Assert.That(MqttPing.TryDecodeRequest(Frame(response), out var error), Is.False);
        Assert.That(error, Is.EqualTo(MqttDecodeError.UnexpectedPacketType));
    }

    [TestCase(new byte[] { 0xC1, 0x00 }, MqttDecodeError.InvalidFixedHeaderFlags, TestName = "TryDecodeRequest_FlagsSet_Malformed")]
    [TestCase(new byte[] { 0xC0, 0x01, 0x00 }, MqttDecodeError.TrailingBytes, TestName = "TryDecodeRequest_WithBody_Malformed")]
    public void TryDecodeRequest_Bad_SpecificError(byte[] packet, MqttDecodeError expected)
    {
        Assert.That(MqttPing.TryDecodeRequest(Frame(packet), out var error), Is.False);
        Assert.That(error, Is.EqualTo(expected));
    }

    [Test]
    public void WriteDisconnect_NormalBothVersions_TwoBytes()
    {
        foreach (var version in Versions)
        {
            var packet = Encode(w => MqttPacketWriter.WriteDisconnect(w, version));
            Assert.That(packet, Is.EqualTo(new byte[] { 0xE0, 0x00 }));
            Assert.That(MqttDisconnect.TryDecode(Frame(packet), version, out var disconnect, out _), Is.True);
            Assert.That(disconnect.ReasonCode, Is.EqualTo(MqttReasonCode.NormalDisconnection));
        }
    }

    [Test]
    public void WriteDisconnect_V5ReasonOnly_RemainingLength1()
    {
        var packet = Encode(w => MqttPacketWriter.WriteDisconnect(w, MqttProtocolVersion.V500, MqttReasonCode.PacketTooLarge));
        Assert.That(packet, Is.EqualTo(new byte[] { 0xE0, 0x01, 0x95 }));
    }

    [Test]
    public void RoundTrip_V5DisconnectWithReasonStringAndSessionExpiry_Preserved()
    {
        var packet = Encode(w => MqttPacketWriter.WriteDisconnect(w, MqttProtocolVersion.V500, MqttReasonCode.DisconnectWithWillMessage, "bye"u8, 30));
        Assert.That(MqttDisconnect.TryDecode(Frame(packet), MqttProtocolVersion.V500, out var disconnect, out var error), Is.True, error.ToString());
        Assert.That(disconnect.ReasonCode, Is.EqualTo(MqttReasonCode.DisconnectWithWillMessage));
        Assert.That(disconnect.ReasonString.SequenceEqual("bye"u8), Is.True);
        Assert.That(disconnect.SessionExpiryInterval, Is.EqualTo(30));
        Assert.That(disconnect.ServerReference.IsEmpty, Is.True);
    }

    [TestCase(new byte[] { 0xE0, 0x01, 0x00 }, MqttProtocolVersion.V311, MqttDecodeError.TrailingBytes, TestName = "TryDecodeDisconnect_V311WithBody_Malformed")]
    [TestCase(new byte[] { 0xE2, 0x00 }, MqttProtocolVersion.V500, MqttDecodeError.InvalidFixedHeaderFlags, TestName = "TryDecodeDisconnect_FlagsSet_Malformed")]
    [TestCase(new byte[] { 0xE0, 0x01, 0x92 }, MqttProtocolVersion.V500, MqttDecodeError.InvalidReasonCode, TestName = "TryDecodeDisconnect_PacketIdNotFoundReason_InvalidReasonCode")]
    [TestCase(new byte[] { 0xE0, 0x04, 0x00, 0x02, 0x21, 0x00 }, MqttProtocolVersion.V500, MqttDecodeError.InvalidPropertyIdentifier, TestName = "TryDecodeDisconnect_ReceiveMaximumProperty_Malformed")]
    [TestCase(new byte[] { 0xE0, 0x03, 0x00, 0x05, 0x11 }, MqttProtocolVersion.V500, MqttDecodeError.Truncated, TestName = "TryDecodeDisconnect_PropertyLengthPastEnd_Truncated")]
    public void TryDecodeDisconnect_Bad_SpecificError(byte[] packet, MqttProtocolVersion version, MqttDecodeError expected)
    {
        Assert.That(MqttDisconnect.TryDecode(Frame(packet), version, out _, out var error), Is.False);
        Assert.That(error, Is.EqualTo(expected));
    }

    [Test]
    public void RoundTrip_Auth_MethodDataAndReason()
    {
        var packet = Encode(w => MqttPacketWriter.WriteAuth(w, MqttReasonCode.ContinueAuthentication, "SCRAM-SHA-256"u8, [1, 2, 3], "step 2"u8));
        Assert.That(packet[0], Is.EqualTo(0xF0));
        Assert.That(MqttAuth.TryDecode(Frame(packet), MqttProtocolVersion.V500, out var auth, out var error), Is.True, error.ToString());
        Assert.That(auth.ReasonCode, Is.EqualTo(MqttReasonCode.ContinueAuthentication));
        Assert.That(auth.AuthenticationMethod.SequenceEqual("SCRAM-SHA-256"u8), Is.True);
        Assert.That(auth.AuthenticationData.ToArray(), Is.EqualTo(new byte[] { 1, 2, 3 }));
        Assert.That(auth.Properties.GetBytes(MqttPropertyId.ReasonString).SequenceEqual("step 2"u8), Is.True);
    }

    [Test]
    public void TryDecodeAuth_EmptyBody_Success()
    {
        Assert.That(MqttAuth.TryDecode(Frame([0xF0, 0x00]), MqttProtocolVersion.V500, out var auth, out _), Is.True);
        Assert.That(auth.ReasonCode, Is.EqualTo(MqttReasonCode.Success));
    }

    [TestCase(new byte[] { 0xF0, 0x00 }, MqttProtocolVersion.V311, MqttDecodeError.ReservedPacketType, TestName = "TryDecodeAuth_InV311_ReservedPacketType")]
    [TestCase(new byte[] { 0xF1, 0x00 }, MqttProtocolVersion.V500, MqttDecodeError.InvalidFixedHeaderFlags, TestName = "TryDecodeAuth_FlagsSet_Malformed")]
    [TestCase(new byte[] { 0xF0, 0x01, 0x87 }, MqttProtocolVersion.V500, MqttDecodeError.InvalidReasonCode, TestName = "TryDecodeAuth_NotAuthorizedReason_InvalidReasonCode")]
    [TestCase(new byte[] { 0xF0, 0x06, 0x18, 0x04, 0x16, 0x00, 0x01, 0x07 }, MqttProtocolVersion.V500, MqttDecodeError.AuthenticationDataWithoutMethod, TestName = "TryDecodeAuth_DataWithoutMethod_ProtocolError")]
    public void TryDecodeAuth_Bad_SpecificError(byte[] packet, MqttProtocolVersion version, MqttDecodeError expected)
    {
        Assert.That(MqttAuth.TryDecode(Frame(packet), version, out _, out var error), Is.False);
        Assert.That(error, Is.EqualTo(expected));
    }

    [Test]
    public void ToReasonCode_EveryDecodeError_IsAFailureCode()
    {
        foreach (var error in Enum.GetValues<MqttDecodeError>())
        {
            var code = error.ToReasonCode();
            Assert.That(error == MqttDecodeError.None ? !code.IsFailure() : code.IsFailure(), Is.True, error.ToString());
        }
    }
}
