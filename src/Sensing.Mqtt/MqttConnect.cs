using Sensing.Mqtt.Internal;

namespace Sensing.Mqtt;

/// <summary>
/// A decoded CONNECT (3.1.1 section 3.1, 5.0 section 3.1): a view over the packet, no strings. The server's first
/// packet on every connection; it fixes the protocol version for the rest of the connection.
/// </summary>
public readonly ref struct MqttConnect
{
    // 3.1.2.1: the protocol name is the UTF-8 string "MQTT" in 3.1.1 and 5.0; "MQIsdp" was MQTT 3.1 (level 3).
    private static ReadOnlySpan<byte> ProtocolName => "MQTT"u8;

    private static ReadOnlySpan<byte> ProtocolName31 => "MQIsdp"u8;

    /// <summary>The protocol level: 3.1.1 or 5.0. Set even when decoding failed after the level was read.</summary>
    public MqttProtocolVersion ProtocolVersion { get; private init; }

    /// <summary>Clean Session (3.1.1) / Clean Start (5.0): connect flags bit 1 (section 3.1.2.4).</summary>
    public bool CleanStart { get; private init; }

    /// <summary>Keep alive in seconds; 0 turns the mechanism off (section 3.1.2.10).</summary>
    public ushort KeepAliveSeconds { get; private init; }

    /// <summary>The client identifier (section 3.1.3.1); may be empty.</summary>
    public ReadOnlySpan<byte> ClientId { get; private init; }

    /// <summary>5.0 CONNECT properties (section 3.1.2.11); empty for 3.1.1.</summary>
    public MqttProperties Properties { get; private init; }

    /// <summary>True when the connect flags carry a will message (section 3.1.2.5).</summary>
    public bool HasWill { get; private init; }

    /// <summary>QoS of the will message (section 3.1.2.6).</summary>
    public MqttQoS WillQoS { get; private init; }

    /// <summary>Retain flag of the will message (section 3.1.2.7).</summary>
    public bool WillRetain { get; private init; }

    /// <summary>5.0 will properties (section 3.1.3.2); empty for 3.1.1 or without a will.</summary>
    public MqttProperties WillProperties { get; private init; }

    /// <summary>Will topic (section 3.1.3.3).</summary>
    public ReadOnlySpan<byte> WillTopic { get; private init; }

    /// <summary>Will payload (section 3.1.3.4).</summary>
    public ReadOnlySpan<byte> WillPayload { get; private init; }

    /// <summary>True when a user name is present (section 3.1.2.8).</summary>
    public bool HasUserName { get; private init; }

    /// <summary>The user name (section 3.1.3.5).</summary>
    public ReadOnlySpan<byte> UserName { get; private init; }

    /// <summary>True when a password is present (section 3.1.2.9).</summary>
    public bool HasPassword { get; private init; }

    /// <summary>The password, binary data (section 3.1.3.6).</summary>
    public ReadOnlySpan<byte> Password { get; private init; }

    /// <summary>5.0 Session Expiry Interval in seconds; absent means 0, end with the connection (3.1.2.11.2).</summary>
    public uint SessionExpiryInterval => Properties.GetInteger(MqttPropertyId.SessionExpiryInterval, 0);

    /// <summary>5.0 Receive Maximum; absent means 65,535 (3.1.2.11.3).</summary>
    public ushort ReceiveMaximum => (ushort)Properties.GetInteger(MqttPropertyId.ReceiveMaximum, ushort.MaxValue);

    /// <summary>5.0 Maximum Packet Size the client accepts; 0 when absent, meaning only the protocol limit (3.1.2.11.4).</summary>
    public uint MaximumPacketSize => Properties.GetInteger(MqttPropertyId.MaximumPacketSize, 0);

    /// <summary>5.0 Topic Alias Maximum the client accepts; absent means 0, no aliases (3.1.2.11.5).</summary>
    public ushort TopicAliasMaximum => (ushort)Properties.GetInteger(MqttPropertyId.TopicAliasMaximum, 0);

    /// <summary>5.0 Will Delay Interval in seconds; absent means 0 (3.1.3.2.2).</summary>
    public uint WillDelayInterval => WillProperties.GetInteger(MqttPropertyId.WillDelayInterval, 0);

    /// <summary>
    /// Decodes and validates a CONNECT. Never throws. On failure <paramref name="connect"/> is empty except for
    /// <see cref="ProtocolVersion"/> when the level was read, so a 5.0 server can answer CONNACK with
    /// <c>error.ToReasonCode()</c> and a 3.1.1 server with <c>error.ToConnectReturnCode()</c> or by closing.
    /// </summary>
    public static bool TryDecode(MqttFrame frame, out MqttConnect connect, out MqttDecodeError error)
    {
        connect = default;
        error = MqttFixedHeader.Check(frame, MqttPacketType.Connect);
        if (error != MqttDecodeError.None)
        {
            return false;
        }

        var reader = new MqttSpanReader(frame.Body);
        error = reader.ReadString(out var name);
        if (error != MqttDecodeError.None)
        {
            return false;
        }

        // 3.1.2.1 [MQTT-3.1.2-1]: a wrong protocol name may be rejected. 3.1.2.2: a level other than 4 (3.1.1) or
        // 5 (5.0) gets 3.1.1 return code 0x01 [MQTT-3.1.2-2] / 5.0 reason code 0x84, then the server disconnects.
        var is31 = name.SequenceEqual(ProtocolName31);
        if (!name.SequenceEqual(ProtocolName) && !is31)
        {
            error = MqttDecodeError.UnsupportedProtocolName;
            return false;
        }

        if (!reader.TryReadByte(out var level))
        {
            error = MqttDecodeError.Truncated;
            return false;
        }

        if (is31 || level is not ((byte)MqttProtocolVersion.V311 or (byte)MqttProtocolVersion.V500))
        {
            error = MqttDecodeError.UnsupportedProtocolVersion;
            return false;
        }

        var version = (MqttProtocolVersion)level;
        error = DecodeAfterLevel(ref reader, version, out connect);
        if (error != MqttDecodeError.None)
        {
            connect = new MqttConnect { ProtocolVersion = version };
            return false;
        }

        return true;
    }

    private static MqttDecodeError DecodeAfterLevel(scoped ref MqttSpanReader reader, MqttProtocolVersion version, out MqttConnect connect)
    {
        const int UserNameFlag = 0x80, PasswordFlag = 0x40, WillRetainFlag = 0x20, WillQoSMask = 0x18, WillFlag = 0x04,
            CleanStartFlag = 0x02, ReservedFlag = 0x01;
        connect = default;
        if (!reader.TryReadByte(out var flags) || !reader.TryReadUInt16(out var keepAlive))
        {
            return MqttDecodeError.Truncated;
        }

        // 3.1.2.3 [MQTT-3.1.2-3]: "The Server MUST validate that the reserved flag in the CONNECT packet is set to 0".
        if ((flags & ReservedFlag) != 0)
        {
            return MqttDecodeError.ReservedConnectFlag;
        }

        var hasWill = (flags & WillFlag) != 0;
        var willQoS = (flags & WillQoSMask) >> 3;

        // 3.1.2.6: Will QoS MUST be 0 without a will and MUST NOT be 3 with one; 3.1.2.7: Will Retain MUST be 0
        // without a will (3.1.1 [MQTT-3.1.2-13], [MQTT-3.1.2-14], [MQTT-3.1.2-15]; 5.0 [MQTT-3.1.2-11..13]).
        if ((!hasWill && (willQoS != 0 || (flags & WillRetainFlag) != 0)) || willQoS == 3)
        {
            return MqttDecodeError.InvalidWillFlags;
        }

        // 3.1.1 section 3.1.2.9 [MQTT-3.1.2-22]: "If the User Name Flag is set to 0, the Password Flag MUST be set
        // to 0". 5.0 (3.1.2.9) allows a password without a user name.
        var hasUserName = (flags & UserNameFlag) != 0;
        var hasPassword = (flags & PasswordFlag) != 0;
        if (version == MqttProtocolVersion.V311 && hasPassword && !hasUserName)
        {
            return MqttDecodeError.PasswordWithoutUserName;
        }

        MqttProperties properties = default;
        MqttDecodeError error;
        if (version == MqttProtocolVersion.V500 && (error = MqttProperties.Read(ref reader, MqttPropertyContext.Connect, out properties)) != MqttDecodeError.None)
        {
            return error;
        }

        // 3.1.3: payload fields in order: Client Identifier, [Will Properties], Will Topic, Will Payload, User Name, Password.
        if ((error = reader.ReadString(out var clientId)) != MqttDecodeError.None)
        {
            return error;
        }

        // 3.1.1 section 3.1.3.1 [MQTT-3.1.3-8]: a zero-byte ClientId with CleanSession 0 gets return code 0x02.
        // (5.0 section 3.1.3.1 lets the server assign an identifier in either case.)
        var cleanStart = (flags & CleanStartFlag) != 0;
        if (version == MqttProtocolVersion.V311 && clientId.IsEmpty && !cleanStart)
        {
            return MqttDecodeError.ClientIdentifierRejected;
        }

        MqttProperties willProperties = default;
        ReadOnlySpan<byte> willTopic = default, willPayload = default, userName = default, password = default;
        if (hasWill)
        {
            if (version == MqttProtocolVersion.V500 && (error = MqttProperties.Read(ref reader, MqttPropertyContext.Will, out willProperties)) != MqttDecodeError.None)
            {
                return error;
            }

            if ((error = reader.ReadString(out willTopic)) != MqttDecodeError.None)
            {
                return error;
            }

            // The will topic is a Topic Name: at least one character (4.7.3) and no wildcards (4.7.1).
            if ((error = MqttTopic.CheckName(willTopic)) != MqttDecodeError.None)
            {
                return error;
            }

            if (!reader.TryReadBinary(out willPayload))
            {
                return MqttDecodeError.Truncated;
            }
        }

        if (hasUserName && (error = reader.ReadString(out userName)) != MqttDecodeError.None)
        {
            return error;
        }

        if (hasPassword && !reader.TryReadBinary(out password))
        {
            return MqttDecodeError.Truncated;
        }

        if (!reader.IsAtEnd)
        {
            return MqttDecodeError.TrailingBytes;
        }

        connect = new MqttConnect
        {
            ProtocolVersion = version, CleanStart = cleanStart, KeepAliveSeconds = keepAlive, ClientId = clientId,
            Properties = properties, HasWill = hasWill, WillQoS = (MqttQoS)willQoS, WillRetain = (flags & WillRetainFlag) != 0,
            WillProperties = willProperties, WillTopic = willTopic, WillPayload = willPayload, HasUserName = hasUserName,
            UserName = userName, HasPassword = hasPassword, Password = password,
        };
        return MqttDecodeError.None;
    }
}
