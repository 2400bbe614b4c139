namespace Sensing.Mqtt;

/// <summary>
/// MQTT 5.0 reason codes (5.0 section 2.4, table 2-6). One byte; values below 0x80 are success, 0x80 and above
/// are failure. Several names share a value because the meaning depends on the packet (0x00 is Success,
/// Normal disconnection and Granted QoS 0). SUBACK in 3.1.1 uses the same values 0x00-0x02 and 0x80.
/// </summary>
#pragma warning disable CA1069 // the spec itself gives one value several names, depending on the packet
public enum MqttReasonCode : byte
{
    /// <summary>0x00 Success (CONNACK, PUBACK, PUBREC, PUBREL, PUBCOMP, UNSUBACK, AUTH).</summary>
    Success = 0x00,

    /// <summary>0x00 Normal disconnection (DISCONNECT).</summary>
    NormalDisconnection = 0x00,

    /// <summary>0x00 Granted QoS 0 (SUBACK).</summary>
    GrantedQoS0 = 0x00,

    /// <summary>0x01 Granted QoS 1 (SUBACK).</summary>
    GrantedQoS1 = 0x01,

    /// <summary>0x02 Granted QoS 2 (SUBACK).</summary>
    GrantedQoS2 = 0x02,

    /// <summary>0x04 Disconnect with Will Message (DISCONNECT from a client).</summary>
    DisconnectWithWillMessage = 0x04,

    /// <summary>0x10 No matching subscribers (PUBACK, PUBREC).</summary>
    NoMatchingSubscribers = 0x10,

    /// <summary>0x11 No subscription existed (UNSUBACK).</summary>
    NoSubscriptionExisted = 0x11,

    /// <summary>0x18 Continue authentication (AUTH).</summary>
    ContinueAuthentication = 0x18,

    /// <summary>0x19 Re-authenticate (AUTH).</summary>
    ReAuthenticate = 0x19,

    /// <summary>0x80 Unspecified error; also the 3.1.1 SUBACK "Failure" return code.</summary>
    UnspecifiedError = 0x80,

    /// <summary>0x81 Malformed Packet: the packet could not be parsed according to the specification.</summary>
    MalformedPacket = 0x81,

    /// <summary>0x82 Protocol Error: the packet parsed but breaks a protocol rule.</summary>
    ProtocolError = 0x82,

    /// <summary>0x83 Implementation specific error.</summary>
    ImplementationSpecificError = 0x83,

    /// <summary>0x84 Unsupported Protocol Version (CONNACK).</summary>
    UnsupportedProtocolVersion = 0x84,

    /// <summary>0x85 Client Identifier not valid (CONNACK).</summary>
    ClientIdentifierNotValid = 0x85,

    /// <summary>0x86 Bad User Name or Password (CONNACK).</summary>
    BadUserNameOrPassword = 0x86,

    /// <summary>0x87 Not authorized.</summary>
    NotAuthorized = 0x87,

    /// <summary>0x88 Server unavailable (CONNACK).</summary>
    ServerUnavailable = 0x88,

    /// <summary>0x89 Server busy.</summary>
    ServerBusy = 0x89,

    /// <summary>0x8A Banned (CONNACK).</summary>
    Banned = 0x8A,

    /// <summary>0x8B Server shutting down (DISCONNECT).</summary>
    ServerShuttingDown = 0x8B,

    /// <summary>0x8C Bad authentication method.</summary>
    BadAuthenticationMethod = 0x8C,

    /// <summary>0x8D Keep Alive timeout (DISCONNECT).</summary>
    KeepAliveTimeout = 0x8D,

    /// <summary>0x8E Session taken over (DISCONNECT).</summary>
    SessionTakenOver = 0x8E,

    /// <summary>0x8F Topic Filter invalid.</summary>
    TopicFilterInvalid = 0x8F,

    /// <summary>0x90 Topic Name invalid.</summary>
    TopicNameInvalid = 0x90,

    /// <summary>0x91 Packet Identifier in use.</summary>
    PacketIdentifierInUse = 0x91,

    /// <summary>0x92 Packet Identifier not found (PUBREL, PUBCOMP).</summary>
    PacketIdentifierNotFound = 0x92,

    /// <summary>0x93 Receive Maximum exceeded (DISCONNECT).</summary>
    ReceiveMaximumExceeded = 0x93,

    /// <summary>0x94 Topic Alias invalid (DISCONNECT).</summary>
    TopicAliasInvalid = 0x94,

    /// <summary>0x95 Packet too large.</summary>
    PacketTooLarge = 0x95,

    /// <summary>0x96 Message rate too high (DISCONNECT).</summary>
    MessageRateTooHigh = 0x96,

    /// <summary>0x97 Quota exceeded.</summary>
    QuotaExceeded = 0x97,

    /// <summary>0x98 Administrative action (DISCONNECT).</summary>
    AdministrativeAction = 0x98,

    /// <summary>0x99 Payload format invalid.</summary>
    PayloadFormatInvalid = 0x99,

    /// <summary>0x9A Retain not supported.</summary>
    RetainNotSupported = 0x9A,

    /// <summary>0x9B QoS not supported.</summary>
    QoSNotSupported = 0x9B,

    /// <summary>0x9C Use another server.</summary>
    UseAnotherServer = 0x9C,

    /// <summary>0x9D Server moved.</summary>
    ServerMoved = 0x9D,

    /// <summary>0x9E Shared Subscriptions not supported.</summary>
    SharedSubscriptionsNotSupported = 0x9E,

    /// <summary>0x9F Connection rate exceeded.</summary>
    ConnectionRateExceeded = 0x9F,

    /// <summary>0xA0 Maximum connect time (DISCONNECT).</summary>
    MaximumConnectTime = 0xA0,

    /// <summary>0xA1 Subscription Identifiers not supported.</summary>
    SubscriptionIdentifiersNotSupported = 0xA1,

    /// <summary>0xA2 Wildcard Subscriptions not supported.</summary>
    WildcardSubscriptionsNotSupported = 0xA2,
}
#pragma warning restore CA1069

/// <summary>CONNACK return codes of MQTT 3.1.1 (section 3.2.2.3, table 3.1).</summary>
public enum MqttConnectReturnCode : byte
{
    /// <summary>0x00 Connection accepted.</summary>
    Accepted = 0x00,

    /// <summary>0x01 The server does not support the requested protocol level.</summary>
    UnacceptableProtocolVersion = 0x01,

    /// <summary>0x02 The client identifier is correct UTF-8 but not allowed by the server.</summary>
    IdentifierRejected = 0x02,

    /// <summary>0x03 The network connection is up but the MQTT service is unavailable.</summary>
    ServerUnavailable = 0x03,

    /// <summary>0x04 The data in the user name or password is malformed.</summary>
    BadUserNameOrPassword = 0x04,

    /// <summary>0x05 The client is not authorized to connect.</summary>
    NotAuthorized = 0x05,
}

/// <summary>Conversions between 3.1.1 return codes and 5.0 reason codes.</summary>
public static class MqttReasonCodeExtensions
{
    /// <summary>True for reason codes 0x80 and above (5.0 section 2.4: "0x80 or greater indicates failure").</summary>
    public static bool IsFailure(this MqttReasonCode code) => (byte)code >= 0x80;

    /// <summary>The 5.0 reason code that means the same as a 3.1.1 CONNACK return code.</summary>
    public static MqttReasonCode ToReasonCode(this MqttConnectReturnCode code) => code switch
    {
        MqttConnectReturnCode.Accepted => MqttReasonCode.Success,
        MqttConnectReturnCode.UnacceptableProtocolVersion => MqttReasonCode.UnsupportedProtocolVersion,
        MqttConnectReturnCode.IdentifierRejected => MqttReasonCode.ClientIdentifierNotValid,
        MqttConnectReturnCode.ServerUnavailable => MqttReasonCode.ServerUnavailable,
        MqttConnectReturnCode.BadUserNameOrPassword => MqttReasonCode.BadUserNameOrPassword,
        MqttConnectReturnCode.NotAuthorized => MqttReasonCode.NotAuthorized,
        _ => MqttReasonCode.UnspecifiedError,
    };

    /// <summary>
    /// The closest 3.1.1 CONNACK return code for a 5.0 CONNACK reason code, for a server that decides in 5.0 terms
    /// and answers a 3.1.1 client.
    /// </summary>
    public static MqttConnectReturnCode ToConnectReturnCode(this MqttReasonCode code) => code switch
    {
        MqttReasonCode.Success => MqttConnectReturnCode.Accepted,
        MqttReasonCode.UnsupportedProtocolVersion => MqttConnectReturnCode.UnacceptableProtocolVersion,
        MqttReasonCode.ClientIdentifierNotValid => MqttConnectReturnCode.IdentifierRejected,
        MqttReasonCode.BadUserNameOrPassword or MqttReasonCode.BadAuthenticationMethod => MqttConnectReturnCode.BadUserNameOrPassword,
        MqttReasonCode.NotAuthorized or MqttReasonCode.Banned => MqttConnectReturnCode.NotAuthorized,
        _ => MqttConnectReturnCode.ServerUnavailable,
    };
}
