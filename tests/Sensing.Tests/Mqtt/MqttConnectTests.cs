using NUnit.Framework;
using Sensing.Mqtt;
using static Sensing.Tests.Mqtt.MqttTestSupport;

namespace Sensing.Tests.Mqtt;

public sealed class MqttConnectTests
{
    // 3.1.1 section 3.1.2.10, figure 3.6 (non-normative example): protocol name "MQTT", level 4, connect flags 0xCE
    // (user name, password, will QoS 1, will, clean session), keep alive 10.
    private static readonly byte[] SpecVariableHeader311 = [0x00, 0x04, (byte)'M', (byte)'Q', (byte)'T', (byte)'T', 0x04, 0xCE, 0x00, 0x0A];

    // 5.0 section 3.1.2.12 (Variable Header non-normative example): as above with level 5, then properties of length 5:
    // Session Expiry Interval (0x11) = 10.
    private static readonly byte[] SpecVariableHeader500 =
        [0x00, 0x04, (byte)'M', (byte)'Q', (byte)'T', (byte)'T', 0x05, 0xCE, 0x00, 0x0A, 0x05, 0x11, 0x00, 0x00, 0x00, 0x0A];

    private static byte[] SpecConnect(MqttProtocolVersion version) => Encode(w => MqttPacketWriter.WriteConnect(w, new MqttConnectRequest
    {
        Version = version, ClientId = "meter-17"u8, CleanStart = true, KeepAliveSeconds = 10, UserName = "meter-17"u8,
        Password = [1, 2, 3, 0, 255], WillTopic = "status/meter-17"u8, WillPayload = "offline"u8, WillQoS = MqttQoS.AtLeastOnce,
        SessionExpiryInterval = version == MqttProtocolVersion.V500 ? 10u : 0u,
    }));

    [Test]
    public void WriteConnect_SpecExample311_VariableHeaderMatchesByteForByte()
    {
        var packet = SpecConnect(MqttProtocolVersion.V311);
        Assert.That(packet[0], Is.EqualTo(0x10));
        Assert.That(packet.AsSpan(2, SpecVariableHeader311.Length).ToArray(), Is.EqualTo(SpecVariableHeader311));
    }

    [Test]
    public void WriteConnect_SpecExample500_VariableHeaderMatchesByteForByte()
    {
        var packet = SpecConnect(MqttProtocolVersion.V500);
        Assert.That(packet.AsSpan(2, SpecVariableHeader500.Length).ToArray(), Is.EqualTo(SpecVariableHeader500));
    }

    [Test]
    public void WriteConnect_MinimalClient311_ExactBytes()
    {
        var packet = Encode(w => MqttPacketWriter.WriteConnect(w, new MqttConnectRequest
        {
            Version = MqttProtocolVersion.V311, ClientId = "abc"u8, CleanStart = true, KeepAliveSeconds = 60,
        }));
        byte[] expected = [0x10, 0x0F, 0x00, 0x04, (byte)'M', (byte)'Q', (byte)'T', (byte)'T', 0x04, 0x02, 0x00, 0x3C, 0x00, 0x03, (byte)'a', (byte)'b', (byte)'c'];
        Assert.That(packet, Is.EqualTo(expected));
    }

    [TestCase(MqttProtocolVersion.V311)]
    [TestCase(MqttProtocolVersion.V500)]
    public void TryDecode_FullConnect_RoundTripsEveryField(MqttProtocolVersion version)
    {
        var packet = SpecConnect(version);

        Assert.That(MqttConnect.TryDecode(Frame(packet), out var connect, out var error), Is.True, error.ToString());
        Assert.That(connect.ProtocolVersion, Is.EqualTo(version));
        Assert.That(connect.CleanStart, Is.True);
        Assert.That(connect.KeepAliveSeconds, Is.EqualTo(10));
        Assert.That(connect.ClientId.SequenceEqual("meter-17"u8), Is.True);
        Assert.That(connect.HasWill, Is.True);
        Assert.That(connect.WillQoS, Is.EqualTo(MqttQoS.AtLeastOnce));
        Assert.That(connect.WillRetain, Is.False);
        Assert.That(connect.WillTopic.SequenceEqual("status/meter-17"u8), Is.True);
        Assert.That(connect.WillPayload.SequenceEqual("offline"u8), Is.True);
        Assert.That(connect.HasUserName && connect.HasPassword, Is.True);
        Assert.That(connect.UserName.SequenceEqual("meter-17"u8), Is.True);
        Assert.That(connect.Password.ToArray(), Is.EqualTo(new byte[] { 1, 2, 3, 0, 255 }));
        Assert.That(connect.SessionExpiryInterval, Is.EqualTo(version == MqttProtocolVersion.V500 ? 10 : 0));
    }

    [Test]
    public void TryDecode_V5Properties_ReadsLimitsUserPropertyAndWillDelay()
    {
        var packet = Encode(w => MqttPacketWriter.WriteConnect(w, new MqttConnectRequest
        {
            Version = MqttProtocolVersion.V500, ClientId = "c"u8, KeepAliveSeconds = 30, SessionExpiryInterval = 3600,
            ReceiveMaximum = 20, MaximumPacketSize = 4096, TopicAliasMaximum = 8, UserPropertyName = "fw"u8,
            UserPropertyValue = "1.4.2"u8, WillTopic = "w"u8, WillPayload = "x"u8, WillRetain = true, WillDelayInterval = 30,
        }));

        Assert.That(MqttConnect.TryDecode(Frame(packet), out var connect, out _), Is.True);
        Assert.That(connect.SessionExpiryInterval, Is.EqualTo(3600));
        Assert.That(connect.ReceiveMaximum, Is.EqualTo(20));
        Assert.That(connect.MaximumPacketSize, Is.EqualTo(4096));
        Assert.That(connect.TopicAliasMaximum, Is.EqualTo(8));
        Assert.That(connect.WillDelayInterval, Is.EqualTo(30));
        Assert.That(connect.WillRetain, Is.True);
        Assert.That(connect.CleanStart, Is.False);
        var users = 0;
        foreach (var p in connect.Properties)
        {
            if (p.Id == MqttPropertyId.UserProperty)
            {
                users++;
                Assert.That(p.Bytes.SequenceEqual("fw"u8) && p.PairValue.SequenceEqual("1.4.2"u8), Is.True);
            }
        }

        Assert.That(users, Is.EqualTo(1));
    }

    [Test]
    public void TryDecode_V5Defaults_ReceiveMaximum65535AndNoAliases()
    {
        var packet = Encode(w => MqttPacketWriter.WriteConnect(w, new MqttConnectRequest { Version = MqttProtocolVersion.V500, ClientId = "c"u8 }));
        Assert.That(MqttConnect.TryDecode(Frame(packet), out var connect, out _), Is.True);
        Assert.That(connect.ReceiveMaximum, Is.EqualTo(65_535));
        Assert.That(connect.TopicAliasMaximum, Is.Zero);
        Assert.That(connect.HasWill || connect.HasUserName || connect.HasPassword, Is.False);
    }

    [Test]
    public void TryDecode_V5PasswordWithoutUserName_Accepted()
    {
        var packet = Encode(w => MqttPacketWriter.WriteConnect(w, new MqttConnectRequest { Version = MqttProtocolVersion.V500, ClientId = "c"u8, Password = "token"u8 }));
        Assert.That(MqttConnect.TryDecode(Frame(packet), out var connect, out _), Is.True);
        Assert.That(connect.HasUserName, Is.False);
        Assert.That(connect.Password.SequenceEqual("token"u8), Is.True);
    }

    [Test]
    public void WriteConnect_V311PasswordWithoutUserName_Throws()
    {
        Assert.That(() => Encode(w => MqttPacketWriter.WriteConnect(w, new MqttConnectRequest { Version = MqttProtocolVersion.V311, ClientId = "c"u8, Password = "p"u8 })),
            Throws.ArgumentException);
    }

    // Body of a 3.1.1 CONNECT: "MQTT", level, flags, keep alive 60, then the payload.
    private static byte[] Connect311(byte flags, params byte[] payload)
        => Packet(0x10, [0x00, 0x04, (byte)'M', (byte)'Q', (byte)'T', (byte)'T', 0x04, flags, 0x00, 0x3C, .. payload]);

    private static byte[] Connect500(byte flags, byte[] properties, params byte[] payload)
        => Packet(0x10, [0x00, 0x04, (byte)'M', (byte)'Q', (byte)'T', (byte)'T', 0x05, flags, 0x00, 0x3C, (byte)properties.Length, .. properties, .. payload]);

    private static readonly byte[] ClientIdA = [0x00, 0x01, (byte)'a'];

    private static MqttDecodeError DecodeError(byte[] packet, out MqttProtocolVersion version)
    {
        var ok = MqttConnect.TryDecode(Frame(packet), out var connect, out var error);
        version = connect.ProtocolVersion;
        Assert.That(ok, Is.EqualTo(error == MqttDecodeError.None));
        return error;
    }

    [Test]
    public void TryDecode_ReservedFlagSet_MalformedWithVersionKnown()
    {
        var error = DecodeError(Connect311(0x03, ClientIdA), out var version);
        Assert.That(error, Is.EqualTo(MqttDecodeError.ReservedConnectFlag));
        Assert.That(error.ToReasonCode(), Is.EqualTo(MqttReasonCode.MalformedPacket));
        Assert.That(version, Is.EqualTo(MqttProtocolVersion.V311));
    }

    [TestCase((byte)0x1E, TestName = "TryDecode_WillQoS3_InvalidWillFlags")]
    [TestCase((byte)0x0A, TestName = "TryDecode_WillQoSWithoutWill_InvalidWillFlags")]
    [TestCase((byte)0x22, TestName = "TryDecode_WillRetainWithoutWill_InvalidWillFlags")]
    public void TryDecode_BadWillFlags_InvalidWillFlags(byte flags)
        => Assert.That(DecodeError(Connect311(flags, ClientIdA), out _), Is.EqualTo(MqttDecodeError.InvalidWillFlags));

    [Test]
    public void TryDecode_V311PasswordWithoutUserName_Rejected()
        => Assert.That(DecodeError(Connect311(0x42, [.. ClientIdA, 0x00, 0x01, 0x70]), out _), Is.EqualTo(MqttDecodeError.PasswordWithoutUserName));

    [Test]
    public void TryDecode_V311EmptyClientIdWithoutCleanSession_IdentifierRejected()
    {
        var error = DecodeError(Connect311(0x00, 0x00, 0x00), out _);
        Assert.That(error, Is.EqualTo(MqttDecodeError.ClientIdentifierRejected));
        Assert.That(error.ToConnectReturnCode(), Is.EqualTo(MqttConnectReturnCode.IdentifierRejected));
    }

    [Test]
    public void TryDecode_V311EmptyClientIdWithCleanSession_Accepted()
        => Assert.That(DecodeError(Connect311(0x02, 0x00, 0x00), out _), Is.EqualTo(MqttDecodeError.None));

    [Test]
    public void TryDecode_ProtocolLevel3_UnsupportedProtocolVersionWithReturnCode1()
    {
        var packet = Packet(0x10, [0x00, 0x04, (byte)'M', (byte)'Q', (byte)'T', (byte)'T', 0x03, 0x02, 0x00, 0x3C, .. ClientIdA]);
        var error = DecodeError(packet, out _);
        Assert.That(error, Is.EqualTo(MqttDecodeError.UnsupportedProtocolVersion));
        Assert.That(error.ToConnectReturnCode(), Is.EqualTo(MqttConnectReturnCode.UnacceptableProtocolVersion));
        Assert.That(error.ToReasonCode(), Is.EqualTo(MqttReasonCode.UnsupportedProtocolVersion));
    }

    [Test]
    public void TryDecode_Mqtt31Name_UnsupportedProtocolVersion()
    {
        var packet = Packet(0x10, [0x00, 0x06, .. "MQIsdp"u8, 0x03, 0x02, 0x00, 0x3C, .. ClientIdA]);
        Assert.That(DecodeError(packet, out _), Is.EqualTo(MqttDecodeError.UnsupportedProtocolVersion));
    }

    [Test]
    public void TryDecode_WrongProtocolName_UnsupportedProtocolName()
    {
        var packet = Packet(0x10, [0x00, 0x04, (byte)'M', (byte)'Q', (byte)'T', (byte)'X', 0x04, 0x02, 0x00, 0x3C, .. ClientIdA]);
        var error = DecodeError(packet, out _);
        Assert.That(error, Is.EqualTo(MqttDecodeError.UnsupportedProtocolName));
        Assert.That(error.ToConnectReturnCode(), Is.Null, "3.1.1 closes without CONNACK");
    }

    [Test]
    public void TryDecode_FixedHeaderFlagsSet_InvalidFixedHeaderFlags()
    {
        var packet = Connect311(0x02, ClientIdA);
        packet[0] = 0x11;
        Assert.That(DecodeError(packet, out _), Is.EqualTo(MqttDecodeError.InvalidFixedHeaderFlags));
    }

    [Test]
    public void TryDecode_TrailingByte_TrailingBytes()
        => Assert.That(DecodeError(Connect311(0x02, [.. ClientIdA, 0x00]), out _), Is.EqualTo(MqttDecodeError.TrailingBytes));

    [Test]
    public void TryDecode_InvalidUtf8ClientId_InvalidUtf8()
        => Assert.That(DecodeError(Connect311(0x02, 0x00, 0x02, 0xC0, 0x80), out _), Is.EqualTo(MqttDecodeError.InvalidUtf8));

    [Test]
    public void TryDecode_SurrogateInUserName_InvalidUtf8()
        => Assert.That(DecodeError(Connect311(0x82, [.. ClientIdA, 0x00, 0x03, 0xED, 0xA0, 0x80]), out _), Is.EqualTo(MqttDecodeError.InvalidUtf8));

    [Test]
    public void TryDecode_NullCharacterInUserName_NullCharacter()
        => Assert.That(DecodeError(Connect311(0x82, [.. ClientIdA, 0x00, 0x03, (byte)'a', 0x00, (byte)'b']), out _), Is.EqualTo(MqttDecodeError.NullCharacter));

    [Test]
    public void TryDecode_WillTopicWithWildcard_TopicNameInvalid()
    {
        var error = DecodeError(Connect311(0x06, [.. ClientIdA, 0x00, 0x01, (byte)'#', 0x00, 0x00]), out _);
        Assert.That(error, Is.EqualTo(MqttDecodeError.WildcardInTopicName));
        Assert.That(error.ToReasonCode(), Is.EqualTo(MqttReasonCode.TopicNameInvalid));
    }

    [Test]
    public void TryDecode_V5DuplicateSessionExpiry_ProtocolError()
    {
        var error = DecodeError(Connect500(0x02, [0x11, 0, 0, 0, 1, 0x11, 0, 0, 0, 2], ClientIdA), out var version);
        Assert.That(error, Is.EqualTo(MqttDecodeError.DuplicateProperty));
        Assert.That(error.ToReasonCode(), Is.EqualTo(MqttReasonCode.ProtocolError));
        Assert.That(version, Is.EqualTo(MqttProtocolVersion.V500));
    }

    [Test]
    public void TryDecode_V5TopicAliasInConnect_MalformedPropertyIdentifier()
    {
        var error = DecodeError(Connect500(0x02, [0x23, 0x00, 0x01], ClientIdA), out _);
        Assert.That(error, Is.EqualTo(MqttDecodeError.InvalidPropertyIdentifier));
        Assert.That(error.ToReasonCode(), Is.EqualTo(MqttReasonCode.MalformedPacket));
    }

    [TestCase(new byte[] { 0x21, 0x00, 0x00 }, TestName = "TryDecode_V5ReceiveMaximumZero_ProtocolError")]
    [TestCase(new byte[] { 0x27, 0x00, 0x00, 0x00, 0x00 }, TestName = "TryDecode_V5MaximumPacketSizeZero_ProtocolError")]
    [TestCase(new byte[] { 0x17, 0x02 }, TestName = "TryDecode_V5RequestProblemInformation2_ProtocolError")]
    public void TryDecode_V5BadPropertyValue_ProtocolError(byte[] properties)
    {
        var error = DecodeError(Connect500(0x02, properties, ClientIdA), out _);
        Assert.That(error, Is.EqualTo(MqttDecodeError.InvalidPropertyValue));
        Assert.That(error.ToReasonCode(), Is.EqualTo(MqttReasonCode.ProtocolError));
    }

    [Test]
    public void TryDecode_V5AuthenticationDataWithoutMethod_ProtocolError()
        => Assert.That(DecodeError(Connect500(0x02, [0x16, 0x00, 0x01, 0x07], ClientIdA), out _), Is.EqualTo(MqttDecodeError.AuthenticationDataWithoutMethod));

    [Test]
    public void TryDecode_V5WillDelayInConnectProperties_Malformed()
        => Assert.That(DecodeError(Connect500(0x02, [0x18, 0, 0, 0, 5], ClientIdA), out _), Is.EqualTo(MqttDecodeError.InvalidPropertyIdentifier));

    [Test]
    public void TryDecode_V5PropertyLengthPastEnd_Truncated()
    {
        var packet = Packet(0x10, [0x00, 0x04, (byte)'M', (byte)'Q', (byte)'T', (byte)'T', 0x05, 0x02, 0x00, 0x3C, 0x40, 0x11]);
        Assert.That(DecodeError(packet, out _), Is.EqualTo(MqttDecodeError.Truncated));
    }

    [TestCase(MqttProtocolVersion.V311)]
    [TestCase(MqttProtocolVersion.V500)]
    public void TryDecode_EveryTruncatedBody_FailsWithoutThrowing(MqttProtocolVersion version)
    {
        var packet = SpecConnect(version);
        var body = packet.AsSpan(2).ToArray();
        for (var length = 0; length < body.Length; length++)
        {
            var ok = MqttConnect.TryDecode(new MqttFrame(0x10, body.AsSpan(0, length)), out _, out var error);
            Assert.That(ok, Is.False, $"body cut to {length} bytes");
            Assert.That(error, Is.Not.EqualTo(MqttDecodeError.None));
        }
    }

    [Test]
    public void TryDecode_NotAConnect_UnexpectedPacketType()
        => Assert.That(MqttConnect.TryDecode(Frame(Encode(MqttPacketWriter.WritePingReq)), out _, out var error) || error != MqttDecodeError.UnexpectedPacketType, Is.False);
}
