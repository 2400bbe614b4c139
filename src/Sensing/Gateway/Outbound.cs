using Sensing.Mqtt;

namespace Sensing.Gateway;

/// <summary>A packet the gateway sends to a device, queued for the connection's single writer.</summary>
internal readonly record struct Outbound(MqttPacketType Type, ushort PacketId, MqttReasonCode Reason, MqttReasonCode[]? Codes = null)
{
    public static Outbound PubAck(ushort id) => new(MqttPacketType.PubAck, id, MqttReasonCode.Success);

    public static Outbound PubRec(ushort id) => new(MqttPacketType.PubRec, id, MqttReasonCode.Success);

    public static Outbound PubComp(ushort id, MqttReasonCode reason) => new(MqttPacketType.PubComp, id, reason);

    /// <summary>A 3.1.1 CONNACK; its return code travels in the packet-id slot, which CONNACK does not use.</summary>
    public static Outbound ConnAck311(MqttConnectReturnCode code) => new(MqttPacketType.ConnAck, (ushort)code, MqttReasonCode.Success);

    public static Outbound PingResp => new(MqttPacketType.PingResp, 0, MqttReasonCode.Success);
}
