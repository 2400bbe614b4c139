using System.IO.Pipelines;
using Sensing.Mqtt;

namespace Sensing.Gateway;

/// <summary>Encoding of the queued packets, on the connection's single writer.</summary>
internal sealed partial class MqttConnection
{
    private uint _grantedExpiry;
    private bool _expiryChanged;

    /// <summary>Writes one packet; true when the connection closes after it.</summary>
    private bool Write(PipeWriter output, Outbound packet)
    {
        var v5 = _version == MqttProtocolVersion.V500;
        switch (packet.Type)
        {
            case MqttPacketType.ConnAck when v5:
                var accepted = packet.Reason == MqttReasonCode.Success;
                MqttPacketWriter.WriteConnAck(output, packet.SessionPresent, packet.Reason, new MqttConnAckProperties
                {
                    // 3.2.2.3.2: sent only when the server uses an expiry other than the client's.
                    SessionExpiryInterval = accepted && _expiryChanged ? _grantedExpiry : null,
                    ReceiveMaximum = (ushort)_options.MaxInflightPerConnection,
                    MaximumPacketSize = (uint)_options.MaxPacketSize,
                    // Maximum QoS is left out: absent means QoS 2 is supported, and 2 is not a valid value (5.0 3.2.2.3.4).
                    RetainAvailable = false,
                    TopicAliasMaximum = (ushort)_options.TopicAliasMaximum,
                    WildcardSubscriptionAvailable = false,
                    ReasonString = accepted ? default : ReasonStrings.For(packet.Reason),
                });
                return !accepted;
            case MqttPacketType.ConnAck:
                // 3.1.1 CONNACK carries a return code, not a reason code (see Outbound.ConnAck311).
                MqttPacketWriter.WriteConnAck(output, packet.SessionPresent, (MqttConnectReturnCode)packet.PacketId);
                return packet.PacketId != 0;
            case MqttPacketType.Publish:
                MqttPacketWriter.WritePublish(output, _version, _session!.DownTopic, packet.Payload, packet.QoS, packet.PacketId, retain: false, packet.Dup);
                return false;
            case MqttPacketType.PubAck:
                MqttPacketWriter.WritePubAck(output, _version, packet.PacketId, packet.Reason, ReasonFor(packet.Reason));
                return false;
            case MqttPacketType.PubRec:
                MqttPacketWriter.WritePubRec(output, _version, packet.PacketId, packet.Reason, ReasonFor(packet.Reason));
                return false;
            case MqttPacketType.PubComp:
                MqttPacketWriter.WritePubComp(output, _version, packet.PacketId, packet.Reason);
                return false;
            case MqttPacketType.SubAck:
                MqttPacketWriter.WriteSubAck(output, _version, packet.PacketId, packet.Codes);
                return false;
            case MqttPacketType.UnsubAck:
                MqttPacketWriter.WriteUnsubAck(output, _version, packet.PacketId, packet.Codes);
                return false;
            case MqttPacketType.PingResp:
                MqttPacketWriter.WritePingResp(output);
                return false;
            case MqttPacketType.Disconnect:
                if (v5)
                {
                    MqttPacketWriter.WriteDisconnect(output, _version, packet.Reason, ReasonStrings.For(packet.Reason));
                }

                return true;
            default:
                return false;
        }
    }

    private ReadOnlySpan<byte> ReasonFor(MqttReasonCode reason) =>
        _version == MqttProtocolVersion.V500 && reason != MqttReasonCode.Success ? ReasonStrings.For(reason) : default;

    /// <summary>
    /// Called by the device's session, under its lock, to send a downlink PUBLISH. Nothing goes out before the
    /// CONNACK (3.2: CONNACK is the server's first packet), nor past the client's Maximum Packet Size.
    /// </summary>
    internal DownlinkSend TrySendDownlink(Outbound publish)
    {
        if (!_connAckSent || _outbound.Reader.Count >= DownlinkQueueBudget)
        {
            _downlinkDeferred = true;
            return DownlinkSend.Full;
        }

        if (_clientMaxPacketSize != 0 && DownlinkSize(publish) > _clientMaxPacketSize)
        {
            // 5.0 3.1.2.11.4 [MQTT-3.1.2-25]: a packet above the client's Maximum Packet Size is discarded
            // without sending, as if delivered.
            _sessions.CountDropped();
            return DownlinkSend.TooLarge;
        }

        return _outbound.Writer.TryWrite(publish) ? DownlinkSend.Sent : DownlinkSend.Full;
    }

    private long DownlinkSize(Outbound publish)
    {
        // 3.3.2: topic (2-byte length prefix), packet id for QoS > 0, 5.0 property length (one byte: no properties).
        var remaining = 2L + _session!.DownTopic.Length + (publish.QoS != MqttQoS.AtMostOnce ? 2 : 0)
            + (_version == MqttProtocolVersion.V500 ? 1 : 0) + publish.Payload!.Length;
        return 1 + MqttVariableByteInteger.SizeOf((int)Math.Min(remaining, MqttVariableByteInteger.MaxValue)) + remaining;
    }
}
