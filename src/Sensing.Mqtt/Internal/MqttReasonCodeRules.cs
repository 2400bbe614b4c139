namespace Sensing.Mqtt.Internal;

/// <summary>Which reason codes each 5.0 packet may carry (5.0 section 2.4 table 2-6 and each packet's table).</summary>
internal static class MqttReasonCodeRules
{
    public static bool IsValid(MqttPacketType type, byte code) => type switch
    {
        // 3.2.2.2 CONNACK Reason Code, table 3-1.
        MqttPacketType.ConnAck => code is 0x00 or (>= 0x80 and <= 0x8A) or 0x8C or 0x90 or 0x95 or 0x97 or 0x99 or 0x9A
            or 0x9B or 0x9C or 0x9D or 0x9F,

        // 3.4.2.1 PUBACK Reason Codes, table 3-4; 3.5.2.1 PUBREC Reason Codes, table 3-5 (the same set).
        MqttPacketType.PubAck or MqttPacketType.PubRec => code is 0x00 or 0x10 or 0x80 or 0x83 or 0x87 or 0x90 or 0x91
            or 0x97 or 0x99,

        // 3.6.2.1 PUBREL and 3.7.2.1 PUBCOMP Reason Codes: Success or Packet Identifier not found.
        MqttPacketType.PubRel or MqttPacketType.PubComp => code is 0x00 or 0x92,

        // 3.9.3 SUBACK Payload, table 3-8.
        MqttPacketType.SubAck => code is 0x00 or 0x01 or 0x02 or 0x80 or 0x83 or 0x87 or 0x8F or 0x91 or 0x97 or 0x9E
            or 0xA1 or 0xA2,

        // 3.11.3 UNSUBACK Payload, table 3-9.
        MqttPacketType.UnsubAck => code is 0x00 or 0x11 or 0x80 or 0x83 or 0x87 or 0x8F or 0x91,

        // 3.14.2.1 Disconnect Reason Code, table 3-10.
        MqttPacketType.Disconnect => code is 0x00 or 0x04 or (>= 0x80 and <= 0x83) or 0x87 or 0x89 or (>= 0x8B and <= 0x90)
            or (>= 0x93 and <= 0xA2),

        // 3.15.2.1 Authenticate Reason Code, table 3-11.
        MqttPacketType.Auth => code is 0x00 or 0x18 or 0x19,
        _ => false,
    };

    // 3.1.1 section 3.9.3: "SUBACK return codes other than 0x00, 0x01, 0x02 and 0x80 are reserved and MUST NOT be used".
    public static bool IsValidSubAck311(byte code) => code is 0x00 or 0x01 or 0x02 or 0x80;
}
