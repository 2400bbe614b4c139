using System.Buffers;
using System.Security.Cryptography;
using Sensing.Core.Devices;
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

            // A QoS 1/2 PUBLISH needs an in-flight slot; without one, leave it unread and wait (backpressure).
            if (frame.Type == MqttPacketType.Publish && _device is not null && ((frame.Flags >> 1) & 3) != 0 && !_inflight.Wait(0))
            {
                examined = consumed;
                return Step.WaitForInflight;
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
            case MqttPacketType.PubRel:
                if (!MqttPublishAck.TryDecode(frame, _version, out var rel, out var relError))
                {
                    return Refuse(relError.ToReasonCode());
                }

                // 4.3.3: PUBREL releases the packet id; PUBCOMP completes QoS 2. An unknown id still gets PUBCOMP
                // (a resend after our PUBCOMP was lost), with 0x92 in 5.0.
                var known = _qos2Pending.Remove(rel.PacketId);
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
                if (!MqttUnsubscribe.TryDecode(frame, _version, out var unsubscribe, out var unsubError))
                {
                    return Refuse(unsubError.ToReasonCode());
                }

                var codes = new MqttReasonCode[unsubscribe.Count];
                Send(new Outbound(MqttPacketType.UnsubAck, unsubscribe.PacketId, MqttReasonCode.Success, codes));
                return Step.Continue;
            case MqttPacketType.Disconnect:
                return Step.Close;
            default:
                // MQTT-3.1.0-2: a second CONNECT, or a packet only a server sends, is a protocol violation.
                return Refuse(MqttReasonCode.ProtocolError);
        }
    }

    private Step HandleConnect(MqttFrame frame)
    {
        // Protocol level sits after the 6-byte protocol name "MQTT" (3.1.2.2); knowing it lets a refusal
        // use the client's version.
        _version = frame.Body.Length > 6 && frame.Body[6] == 5 ? MqttProtocolVersion.V500 : MqttProtocolVersion.V311;
        if (!MqttConnect.TryDecode(frame, out var connect, out var error))
        {
            _counters.MalformedPacket();
            return RefuseConnect(error.ToReasonCode(), error.ToConnectReturnCode() ?? MqttConnectReturnCode.IdentifierRejected);
        }

        _version = connect.ProtocolVersion;
        var identity = connect.HasUserName ? connect.UserName : connect.ClientId;
        if (!_registry.TryFind(identity, out var number) || !SecretMatches(_registry[number], connect))
        {
            _counters.RefusedConnect();
            return RefuseConnect(MqttReasonCode.BadUserNameOrPassword, MqttConnectReturnCode.BadUserNameOrPassword);
        }

        _device = _registry[number];
        _keepAlive = TimeSpan.FromSeconds(connect.KeepAliveSeconds);
        _counters.Connected();
        Send(_version == MqttProtocolVersion.V500 ? new Outbound(MqttPacketType.ConnAck, 0, MqttReasonCode.Success) : Outbound.ConnAck311(MqttConnectReturnCode.Accepted));
        return Step.Continue;
    }

    private Step HandlePublish(MqttFrame frame)
    {
        var qos = (frame.Flags >> 1) & 3;
        if (!MqttPublish.TryDecode(frame, _version, out var publish, out var error))
        {
            if (qos != 0)
            {
                _inflight.Release();
            }

            return Refuse(error.ToReasonCode());
        }

        var device = _device!;
        if (!DeviceTopics.IsOwn(publish.Topic, device.IdUtf8, DeviceTopics.Up))
        {
            // A device may publish only to its own uplink: 5.0 answers 0x87 (3.3.4), 3.1.1 can only disconnect.
            if (qos == 0 || _version != MqttProtocolVersion.V500)
            {
                return Refuse(MqttReasonCode.NotAuthorized);
            }

            _inflight.Release();
            Send(new Outbound(qos == 1 ? MqttPacketType.PubAck : MqttPacketType.PubRec, publish.PacketId, MqttReasonCode.NotAuthorized));
            return Step.Continue;
        }

        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        switch (publish.QoS)
        {
            case MqttQoS.AtMostOnce:
                _pendingProduce = _ingest.IngestAsync(device, publish.Payload, now, null, _context.ConnectionClosed);
                break;
            case MqttQoS.AtLeastOnce:
                var id = publish.PacketId;
                _pendingProduce = _ingest.IngestAsync(device, publish.Payload, now, durable => Acknowledge(durable, Outbound.PubAck(id)), _context.ConnectionClosed);
                break;
            default:
                var id2 = publish.PacketId;
                if (!_qos2Pending.Add(id2))
                {
                    // 4.3.3: a resent PUBLISH with a packet id we hold is the same message; PUBREC follows the first.
                    _inflight.Release();
                    break;
                }

                _pendingProduce = _ingest.IngestAsync(device, publish.Payload, now, durable => Acknowledge(durable, Outbound.PubRec(id2)), _context.ConnectionClosed);
                break;
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
        foreach (var subscription in subscribe)
        {
            // Only the device's own downlink topic; commands are delivered at most at QoS 1.
            codes[i++] = DeviceTopics.IsOwn(subscription.Filter, _device!.IdUtf8, DeviceTopics.Down)
                ? (subscription.Options.MaximumQoS == MqttQoS.AtMostOnce ? MqttReasonCode.GrantedQoS0 : MqttReasonCode.GrantedQoS1)
                : MqttReasonCode.NotAuthorized;
        }

        Send(new Outbound(MqttPacketType.SubAck, subscribe.PacketId, MqttReasonCode.Success, codes));
        return Step.Continue;
    }

    // Runs on the Kafka client's delivery thread.
    private void Acknowledge(bool durable, Outbound ack)
    {
        if (durable)
        {
            _outbound.Writer.TryWrite(ack);
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
        if (reason is MqttReasonCode.MalformedPacket or MqttReasonCode.ProtocolError or MqttReasonCode.PacketTooLarge)
        {
            _counters.MalformedPacket();
        }

        // 5.0 4.13: tell the client why with DISCONNECT before closing; 3.1.1 just closes the connection.
        Send(new Outbound(MqttPacketType.Disconnect, 0, reason));
        return Step.Close;
    }

    private Step RefuseConnect(MqttReasonCode reason, MqttConnectReturnCode code)
    {
        Send(_version == MqttProtocolVersion.V500
            ? new Outbound(MqttPacketType.ConnAck, 0, reason)
            : Outbound.ConnAck311(code));
        return Step.Close;
    }

    private void Send(Outbound packet) => _outbound.Writer.TryWrite(packet);

    private static bool SecretMatches(DeviceInfo device, MqttConnect connect)
    {
        if (device.SecretSha256.Length == 0)
        {
            return true;
        }

        if (!connect.HasPassword)
        {
            return false;
        }

        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(connect.Password, hash);
        Span<byte> expected = stackalloc byte[32];
        return Convert.FromHexString(device.SecretSha256, expected, out _, out var written) == System.Buffers.OperationStatus.Done
            && written == 32 && CryptographicOperations.FixedTimeEquals(hash, expected);
    }
}
