namespace Sensing.Mqtt;

/// <summary>MQTT 5.0 property identifiers (5.0 section 2.2.2.2, table 2-4).</summary>
public enum MqttPropertyId : byte
{
    /// <summary>0x01 Byte: 0 unspecified bytes, 1 UTF-8 (PUBLISH, Will).</summary>
    PayloadFormatIndicator = 0x01,

    /// <summary>0x02 Four Byte Integer: lifetime of the message in seconds (PUBLISH, Will).</summary>
    MessageExpiryInterval = 0x02,

    /// <summary>0x03 UTF-8 string: content type of the payload (PUBLISH, Will).</summary>
    ContentType = 0x03,

    /// <summary>0x08 UTF-8 string: topic for a response (PUBLISH, Will).</summary>
    ResponseTopic = 0x08,

    /// <summary>0x09 Binary Data: correlation data for a response (PUBLISH, Will).</summary>
    CorrelationData = 0x09,

    /// <summary>0x0B Variable Byte Integer: identifier of a subscription (PUBLISH, SUBSCRIBE).</summary>
    SubscriptionIdentifier = 0x0B,

    /// <summary>0x11 Four Byte Integer: session expiry in seconds (CONNECT, CONNACK, DISCONNECT).</summary>
    SessionExpiryInterval = 0x11,

    /// <summary>0x12 UTF-8 string: client id chosen by the server (CONNACK).</summary>
    AssignedClientIdentifier = 0x12,

    /// <summary>0x13 Two Byte Integer: keep alive the server requires (CONNACK).</summary>
    ServerKeepAlive = 0x13,

    /// <summary>0x15 UTF-8 string: extended authentication method (CONNECT, CONNACK, AUTH).</summary>
    AuthenticationMethod = 0x15,

    /// <summary>0x16 Binary Data: extended authentication data (CONNECT, CONNACK, AUTH).</summary>
    AuthenticationData = 0x16,

    /// <summary>0x17 Byte: whether reason strings and user properties may be sent on failures (CONNECT).</summary>
    RequestProblemInformation = 0x17,

    /// <summary>0x18 Four Byte Integer: will delay in seconds (Will).</summary>
    WillDelayInterval = 0x18,

    /// <summary>0x19 Byte: whether the client wants response information (CONNECT).</summary>
    RequestResponseInformation = 0x19,

    /// <summary>0x1A UTF-8 string: basis for response topics (CONNACK).</summary>
    ResponseInformation = 0x1A,

    /// <summary>0x1C UTF-8 string: another server to use (CONNACK, DISCONNECT).</summary>
    ServerReference = 0x1C,

    /// <summary>0x1F UTF-8 string: human-readable diagnostic (acks, DISCONNECT, AUTH).</summary>
    ReasonString = 0x1F,

    /// <summary>0x21 Two Byte Integer: QoS 1/2 publications the sender accepts concurrently (CONNECT, CONNACK).</summary>
    ReceiveMaximum = 0x21,

    /// <summary>0x22 Two Byte Integer: highest topic alias accepted (CONNECT, CONNACK).</summary>
    TopicAliasMaximum = 0x22,

    /// <summary>0x23 Two Byte Integer: topic alias (PUBLISH).</summary>
    TopicAlias = 0x23,

    /// <summary>0x24 Byte: highest QoS the server supports, 0 or 1; absent means 2 (CONNACK).</summary>
    MaximumQoS = 0x24,

    /// <summary>0x25 Byte: whether retained messages are supported (CONNACK).</summary>
    RetainAvailable = 0x25,

    /// <summary>0x26 UTF-8 string pair: user property; may repeat (every packet with properties).</summary>
    UserProperty = 0x26,

    /// <summary>0x27 Four Byte Integer: largest packet the sender accepts (CONNECT, CONNACK).</summary>
    MaximumPacketSize = 0x27,

    /// <summary>0x28 Byte: whether wildcard subscriptions are supported (CONNACK).</summary>
    WildcardSubscriptionAvailable = 0x28,

    /// <summary>0x29 Byte: whether subscription identifiers are supported (CONNACK).</summary>
    SubscriptionIdentifierAvailable = 0x29,

    /// <summary>0x2A Byte: whether shared subscriptions are supported (CONNACK).</summary>
    SharedSubscriptionAvailable = 0x2A,
}
