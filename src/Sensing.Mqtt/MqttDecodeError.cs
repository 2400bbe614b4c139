namespace Sensing.Mqtt;

/// <summary>
/// Why a packet did not decode. Each value maps to the 5.0 reason code a server sends in CONNACK or DISCONNECT
/// before it closes the connection (<see cref="MqttDecodeErrorExtensions.ToReasonCode"/>); a 3.1.1 server simply
/// closes, except for the two CONNECT errors that have a 3.1.1 return code
/// (<see cref="MqttDecodeErrorExtensions.ToConnectReturnCode"/>).
/// </summary>
public enum MqttDecodeError : byte
{
    /// <summary>The packet is well formed.</summary>
    None = 0,

    // Framing and primitive data (1.5 data representation, 2.1 fixed header): 0x81 Malformed Packet.

    /// <summary>The remaining length is longer than 4 bytes or not minimally encoded.</summary>
    MalformedRemainingLength,

    /// <summary>Packet type 0, or 15 (AUTH) in 3.1.1, is forbidden.</summary>
    ReservedPacketType,

    /// <summary>The fixed-header flag bits are not the values the packet type requires.</summary>
    InvalidFixedHeaderFlags,

    /// <summary>The decoder was given a frame of another packet type.</summary>
    UnexpectedPacketType,

    /// <summary>A field runs past the end of the packet.</summary>
    Truncated,

    /// <summary>Bytes are left over after the last field.</summary>
    TrailingBytes,

    /// <summary>A variable byte integer inside the packet is longer than 4 bytes or not minimal.</summary>
    MalformedVariableByteInteger,

    /// <summary>A UTF-8 string is not well-formed UTF-8 (or encodes a surrogate).</summary>
    InvalidUtf8,

    /// <summary>A UTF-8 string contains U+0000.</summary>
    NullCharacter,

    /// <summary>A property identifier is unknown or not allowed in this packet.</summary>
    InvalidPropertyIdentifier,

    /// <summary>The CONNECT reserved flag (bit 0) is set.</summary>
    ReservedConnectFlag,

    /// <summary>Will QoS or Will Retain set without the Will Flag, or Will QoS 3.</summary>
    InvalidWillFlags,

    /// <summary>PUBLISH QoS bits are 3, or a SUBSCRIBE option asks for QoS 3.</summary>
    InvalidQoS,

    /// <summary>PUBLISH with QoS 0 has DUP set.</summary>
    DupWithQoS0,

    /// <summary>SUBSCRIBE options have reserved bits set.</summary>
    InvalidSubscriptionOptions,

    /// <summary>CONNACK acknowledge flags have reserved bits set.</summary>
    InvalidConnAckFlags,

    /// <summary>3.1.1: the password flag is set without the user name flag.</summary>
    PasswordWithoutUserName,

    // Protocol errors (5.0 section 4.13): 0x82 Protocol Error.

    /// <summary>A property that may appear once appears twice.</summary>
    DuplicateProperty,

    /// <summary>A property has a value the specification forbids (0 where non-zero is required, a flag other than 0/1).</summary>
    InvalidPropertyValue,

    /// <summary>Authentication Data is present without Authentication Method.</summary>
    AuthenticationDataWithoutMethod,

    /// <summary>A packet identifier is 0.</summary>
    ZeroPacketIdentifier,

    /// <summary>A PUBLISH from a client carries a Subscription Identifier.</summary>
    SubscriptionIdentifierFromClient,

    /// <summary>An empty topic name without a topic alias.</summary>
    EmptyTopicName,

    /// <summary>SUBSCRIBE or UNSUBSCRIBE without a topic filter, or SUBACK/UNSUBACK without reason codes.</summary>
    NoTopicFilters,

    /// <summary>A subscription asks for Retain Handling 3.</summary>
    InvalidRetainHandling,

    /// <summary>A reason code not defined for this packet type.</summary>
    InvalidReasonCode,

    /// <summary>CONNACK says "session present" together with a failure code.</summary>
    SessionPresentOnFailure,

    /// <summary>5.0: a subscription asks for Maximum QoS 3.</summary>
    InvalidSubscriptionQoS,

    /// <summary>5.0: No Local set on a shared subscription.</summary>
    NoLocalOnSharedSubscription,

    // Errors with their own reason codes.

    /// <summary>The packet is larger than the maximum packet size: 0x95 Packet too large.</summary>
    PacketTooLarge,

    /// <summary>The CONNECT protocol name is not "MQTT": 0x84 Unsupported Protocol Version.</summary>
    UnsupportedProtocolName,

    /// <summary>The CONNECT protocol level is not 4 or 5: 0x84 Unsupported Protocol Version.</summary>
    UnsupportedProtocolVersion,

    /// <summary>3.1.1: empty client identifier with Clean Session 0: return code 0x02 Identifier rejected.</summary>
    ClientIdentifierRejected,

    /// <summary>A topic name contains a wildcard ('+' or '#'): 0x90 Topic Name invalid.</summary>
    WildcardInTopicName,
}

/// <summary>Maps decode errors to what goes on the wire.</summary>
public static class MqttDecodeErrorExtensions
{
    /// <summary>The 5.0 reason code for CONNACK or DISCONNECT that reports <paramref name="error"/> (5.0 section 4.13).</summary>
    public static MqttReasonCode ToReasonCode(this MqttDecodeError error) => error switch
    {
        MqttDecodeError.None => MqttReasonCode.Success,
        MqttDecodeError.PacketTooLarge => MqttReasonCode.PacketTooLarge,
        MqttDecodeError.UnsupportedProtocolName or MqttDecodeError.UnsupportedProtocolVersion => MqttReasonCode.UnsupportedProtocolVersion,
        MqttDecodeError.ClientIdentifierRejected => MqttReasonCode.ClientIdentifierNotValid,
        MqttDecodeError.WildcardInTopicName => MqttReasonCode.TopicNameInvalid,
        >= MqttDecodeError.DuplicateProperty and <= MqttDecodeError.NoLocalOnSharedSubscription => MqttReasonCode.ProtocolError,
        _ => MqttReasonCode.MalformedPacket,
    };

    /// <summary>
    /// The 3.1.1 CONNACK return code to send for a CONNECT that failed with <paramref name="error"/>, or null when
    /// 3.1.1 says to close the connection without a CONNACK (3.1.1 section 3.1.4: "If validation fails, the Server
    /// MUST close the Network Connection without sending a CONNACK").
    /// </summary>
    public static MqttConnectReturnCode? ToConnectReturnCode(this MqttDecodeError error) => error switch
    {
        // 3.1.1 section 3.1.2.2 [MQTT-3.1.2-2]: unsupported level -> 0x01, then disconnect.
        MqttDecodeError.UnsupportedProtocolVersion => MqttConnectReturnCode.UnacceptableProtocolVersion,

        // 3.1.1 section 3.1.3.1 [MQTT-3.1.3-8]: empty client id with CleanSession 0 -> 0x02, then close.
        MqttDecodeError.ClientIdentifierRejected => MqttConnectReturnCode.IdentifierRejected,
        _ => null,
    };
}
