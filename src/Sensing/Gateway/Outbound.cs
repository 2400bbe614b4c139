using Sensing.Mqtt;

namespace Sensing.Gateway;

/// <summary>
/// A packet the gateway sends to a device, queued for the connection's single writer. <see cref="Flags"/> carries
/// the PUBLISH fixed-header flags (DUP, QoS) for a downlink, or the Session Present bit for a CONNACK.
/// </summary>
internal readonly record struct Outbound(
    MqttPacketType Type, ushort PacketId, MqttReasonCode Reason, MqttReasonCode[]? Codes = null, byte[]? Payload = null, byte Flags = 0)
{
    // 3.3.1.1 and 3.3.1.2: DUP is bit 3 and QoS bits 2-1 of a PUBLISH's fixed header.
    private const byte DupBit = 0x08;

    public static Outbound PubAck(ushort id) => new(MqttPacketType.PubAck, id, MqttReasonCode.Success);

    public static Outbound PubRec(ushort id) => new(MqttPacketType.PubRec, id, MqttReasonCode.Success);

    public static Outbound PubComp(ushort id, MqttReasonCode reason) => new(MqttPacketType.PubComp, id, reason);

    /// <summary>A 5.0 CONNACK; a refusal carries Session Present 0 [MQTT-3.2.2-6].</summary>
    public static Outbound ConnAck5(MqttReasonCode reason, bool sessionPresent = false) =>
        new(MqttPacketType.ConnAck, 0, reason, Flags: sessionPresent ? (byte)1 : (byte)0);

    /// <summary>A 3.1.1 CONNACK; its return code travels in the packet-id slot, which CONNACK does not use.</summary>
    public static Outbound ConnAck311(MqttConnectReturnCode code, bool sessionPresent = false) =>
        new(MqttPacketType.ConnAck, (ushort)code, MqttReasonCode.Success, Flags: sessionPresent ? (byte)1 : (byte)0);

    /// <summary>A downlink PUBLISH on the device's own downlink topic.</summary>
    public static Outbound Publish(byte[] payload, MqttQoS qos, ushort packetId, bool dup) =>
        new(MqttPacketType.Publish, packetId, MqttReasonCode.Success, Payload: payload, Flags: (byte)(((int)qos << 1) | (dup ? DupBit : 0)));

    public static Outbound PingResp => new(MqttPacketType.PingResp, 0, MqttReasonCode.Success);

    public static Outbound Disconnect(MqttReasonCode reason) => new(MqttPacketType.Disconnect, 0, reason);

    public bool SessionPresent => (Flags & 1) != 0;

    public MqttQoS QoS => (MqttQoS)((Flags >> 1) & 3);

    public bool Dup => (Flags & DupBit) != 0;
}
