namespace Sensing.Mqtt.Internal;

/// <summary>Fixed-header checks shared by the decoders (3.1.1 and 5.0 section 2.1.3, table 2.2 / 2-2).</summary>
internal static class MqttFixedHeader
{
    // PUBREL, SUBSCRIBE and UNSUBSCRIBE carry flags 0b0010 ([MQTT-3.6.1-1], [MQTT-3.8.1-1], [MQTT-3.10.1-1]).
    private const int Flags0010 = 0b0010;

    /// <summary>
    /// Checks the type and the reserved flag bits of every packet except PUBLISH (whose flags carry DUP/QoS/RETAIN).
    /// 2.1.3: "Where a flag bit is marked as Reserved ... If invalid flags are received it is a Malformed Packet".
    /// </summary>
    public static MqttDecodeError Check(MqttFrame frame, MqttPacketType expected)
    {
        if (frame.Type != expected)
        {
            return MqttDecodeError.UnexpectedPacketType;
        }

        var required = expected is MqttPacketType.PubRel or MqttPacketType.Subscribe or MqttPacketType.Unsubscribe ? Flags0010 : 0;
        return frame.Flags == required ? MqttDecodeError.None : MqttDecodeError.InvalidFixedHeaderFlags;
    }

    /// <summary>Fixed-header first byte for a packet type other than PUBLISH.</summary>
    public static byte HeaderByte(MqttPacketType type)
        => (byte)(((int)type << 4) | (type is MqttPacketType.PubRel or MqttPacketType.Subscribe or MqttPacketType.Unsubscribe ? Flags0010 : 0));
}
