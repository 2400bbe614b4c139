using System.Buffers;
using Sensing.Mqtt;

namespace Sensing.Gateway;

/// <summary>Packet handling: everything here runs synchronously on the read loop over spans of the socket's pipe.</summary>
internal sealed partial class MqttConnection
{
    private ValueTask _pendingProduce;

    private Step ProcessPackets(ReadOnlySequence<byte> buffer, out SequencePosition consumed, out SequencePosition examined)
    {
        consumed = buffer.Start;
        examined = buffer.End;
        while (true)
        {
            var rest = buffer.Slice(consumed);
            var status = MqttFrameReader.TryRead(rest, _options.MaxPacketSize, _reassembly, out var frame, out var frameEnd, out _);
            if (status == MqttFrameStatus.Incomplete)
            {
                return Step.Continue;
            }

            if (status != MqttFrameStatus.Complete)
            {
                consumed = buffer.End;
                return Refuse(status.ToReasonCode());
            }

            if (frame.Type == MqttPacketType.Publish && _device is not null)
            {
                // Over the connection's message rate: leave the PUBLISH unread until a token is there.
                if (!_rate.TryTake(out _throttleWait))
                {
                    _limits.CountThrottled(_device.Id, ref _throttleLoggedAt);
                    examined = consumed;
                    return Step.Throttle;
                }

                // A QoS 1/2 PUBLISH needs an in-flight slot; without one, leave it unread and wait (backpressure).
                if (((frame.Flags >> 1) & 3) != 0 && !_inflight.Wait(0))
                {
                    _rate.Refund();
                    examined = consumed;
                    return Step.WaitForInflight;
                }
            }

            var step = Handle(frame);
            consumed = frameEnd;
            if (step != Step.Continue)
            {
                return step;
            }

            if (!_pendingProduce.IsCompletedSuccessfully)
            {
                // The read loop awaits the producer before reading on. Packets after this one are not examined, so
                // the next read returns them at once instead of waiting for more bytes from the device.
                examined = consumed;
                return Step.Continue;
            }
        }
    }

    private Step Handle(MqttFrame frame)
    {
        if (_device is null)
        {
            // MQTT-3.1.0-1: the first packet from the client must be CONNECT.
            return frame.Type == MqttPacketType.Connect ? HandleConnect(frame) : Refuse(MqttReasonCode.ProtocolError);
        }

        switch (frame.Type)
        {
            case MqttPacketType.Publish:
                return HandlePublish(frame);
            case MqttPacketType.PubAck:
                return HandleDownlinkAck(frame);
            case MqttPacketType.PubRel:
                if (!MqttPublishAck.TryDecode(frame, _version, out var rel, out var relError))
                {
                    return Refuse(relError.ToReasonCode());
                }

                // 4.3.3: PUBREL releases the packet id; PUBCOMP completes QoS 2. An unknown id still gets PUBCOMP
                // (a resend after our PUBCOMP was lost), with 0x92 in 5.0.
                var known = _qos2Pending?.Remove(rel.PacketId) == true;
                Send(Outbound.PubComp(rel.PacketId, known ? MqttReasonCode.Success : MqttReasonCode.PacketIdentifierNotFound));
                return Step.Continue;
            case MqttPacketType.PingReq:
                if (!MqttPing.TryDecodeRequest(frame, out var pingError))
                {
                    return Refuse(pingError.ToReasonCode());
                }

                Send(Outbound.PingResp);
                return Step.Continue;
            case MqttPacketType.Subscribe:
                return HandleSubscribe(frame);
            case MqttPacketType.Unsubscribe:
                return HandleUnsubscribe(frame);
            case MqttPacketType.Disconnect:
                return HandleDisconnect(frame);
            default:
                // MQTT-3.1.0-2: a second CONNECT, or a packet only a server sends, is a protocol violation.
                return Refuse(MqttReasonCode.ProtocolError);
        }
    }

    private Step HandleDisconnect(MqttFrame frame)
    {
        if (!MqttDisconnect.TryDecode(frame, _version, out var disconnect, out var error))
        {
            return Refuse(error.ToReasonCode());
        }

        if (disconnect.SessionExpiryInterval is { } expiry)
        {
            // 5.0 3.14.2.2.2 [MQTT-3.14.2-2]: a session that had expiry 0 in CONNECT may not be given one now.
            if (_session!.ExpirySeconds == 0 && expiry != 0)
            {
                return Refuse(MqttReasonCode.ProtocolError);
            }

            _session.ExpirySeconds = Math.Min(expiry, (uint)_options.MaxSessionExpiry.TotalSeconds);
        }

        // 3.1.2.5 [MQTT-3.1.2-10] / 5.0 3.14.4: a normal DISCONNECT discards the will; 5.0 reason 0x04 asks for it.
        _disconnectedCleanly = disconnect.ReasonCode != MqttReasonCode.DisconnectWithWillMessage;
        return Step.Close;
    }

    private Step HandleDownlinkAck(MqttFrame frame)
    {
        if (!MqttPublishAck.TryDecode(frame, _version, out var ack, out var error))
        {
            return Refuse(error.ToReasonCode());
        }

        // 4.3.2: the PUBACK ends the QoS 1 delivery of a downlink command and frees its packet id. An unknown id
        // (a duplicate PUBACK) is ignored.
        if (_session!.Acknowledge(ack.PacketId, out var sent))
        {
            _sessions.CountAcknowledged(sent);
        }
        else
        {
            _sessions.CountSent(sent);
        }

        return Step.Continue;
    }

    private Step HandleSubscribe(MqttFrame frame)
    {
        if (!MqttSubscribe.TryDecode(frame, _version, out var subscribe, out var error))
        {
            return Refuse(error.ToReasonCode());
        }

        var codes = new MqttReasonCode[subscribe.Count];
        var i = 0;
        MqttQoS? granted = null;
        foreach (var subscription in subscribe)
        {
            // Only the device's own downlink topic; commands are delivered at most at QoS 1. A refused filter gets
            // 0x87 in 5.0, and 0x80 Failure in 3.1.1 (3.9.3: the writer maps every failure to 0x80).
            if (DeviceTopics.IsOwn(subscription.Filter, _device!.IdUtf8, DeviceTopics.Down))
            {
                granted = subscription.Options.MaximumQoS == MqttQoS.AtMostOnce ? MqttQoS.AtMostOnce : MqttQoS.AtLeastOnce;
                codes[i++] = granted == MqttQoS.AtMostOnce ? MqttReasonCode.GrantedQoS0 : MqttReasonCode.GrantedQoS1;
            }
            else
            {
                codes[i++] = MqttReasonCode.NotAuthorized;
            }
        }

        // 3.8.4 [MQTT-3.8.4-1]: SUBACK first, then the commands the subscription releases.
        Send(new Outbound(MqttPacketType.SubAck, subscribe.PacketId, MqttReasonCode.Success, codes));
        if (granted is { } qos)
        {
            _session!.Subscribe(qos);
        }

        return Step.Continue;
    }

    private Step HandleUnsubscribe(MqttFrame frame)
    {
        if (!MqttUnsubscribe.TryDecode(frame, _version, out var unsubscribe, out var error))
        {
            return Refuse(error.ToReasonCode());
        }

        var codes = new MqttReasonCode[unsubscribe.Count];
        var i = 0;
        foreach (var filter in unsubscribe)
        {
            var own = DeviceTopics.IsOwn(filter, _device!.IdUtf8, DeviceTopics.Down) && _session!.Subscription is not null;
            if (own)
            {
                _session!.Unsubscribe();
            }

            // 5.0 3.11.3: 0x11 when no such subscription existed.
            codes[i++] = own ? MqttReasonCode.Success : MqttReasonCode.NoSubscriptionExisted;
        }

        Send(new Outbound(MqttPacketType.UnsubAck, unsubscribe.PacketId, MqttReasonCode.Success, codes));
        return Step.Continue;
    }

    // Runs on the Kafka client's delivery thread.
    private void Acknowledge(bool durable, Outbound ack, long receivedTimestamp)
    {
        if (durable)
        {
            TryQueue(ack);
            _instruments.Acknowledged(receivedTimestamp);
        }
        else
        {
            // Not in Kafka: never acknowledge. Closing makes the device resend it on its next connection.
            _kafkaFailed = true;
            _context.Abort();
        }

        _inflight.Release();
    }

    private Step Refuse(MqttReasonCode reason)
    {
        if (reason is MqttReasonCode.MalformedPacket or MqttReasonCode.ProtocolError or MqttReasonCode.PacketTooLarge or MqttReasonCode.TopicAliasInvalid)
        {
            _counters.MalformedPacket();
        }

        // 5.0 4.13: tell the client why with DISCONNECT before closing; 3.1.1 just closes the connection.
        Send(Outbound.Disconnect(reason));
        return Step.Close;
    }

    private void Send(Outbound packet) => TryQueue(packet);
}
