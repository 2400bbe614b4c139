namespace Sensing.Mqtt;

/// <summary>
/// The protocol level byte of CONNECT (3.1.1 section 3.1.2.2, 5.0 section 3.1.2.2). Every decoder and writer
/// takes the version negotiated by CONNECT, because 5.0 adds reason codes and properties to most packets.
/// </summary>
public enum MqttProtocolVersion : byte
{
    /// <summary>Not known yet (no CONNECT decoded).</summary>
    Unknown = 0,

    /// <summary>MQTT 3.1.1: protocol level 4.</summary>
    V311 = 4,

    /// <summary>MQTT 5.0: protocol level 5.</summary>
    V500 = 5,
}

/// <summary>Quality of service of an application message (3.1.1 section 4.3, 5.0 section 4.3).</summary>
public enum MqttQoS : byte
{
    /// <summary>At most once: no acknowledgment.</summary>
    AtMostOnce = 0,

    /// <summary>At least once: PUBLISH, PUBACK.</summary>
    AtLeastOnce = 1,

    /// <summary>Exactly once: PUBLISH, PUBREC, PUBREL, PUBCOMP.</summary>
    ExactlyOnce = 2,
}
