using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using Sensing.Mqtt;

namespace Sensing.Simulators.Mqtt;

/// <summary>
/// The receive loop: frames packets out of the socket's pipe and handles each synchronously over spans (no
/// allocation per packet): CONNACK, acknowledgments, downlink PUBLISH with its QoS 1/2 answer, PINGRESP, DISCONNECT.
/// </summary>
public sealed partial class DeviceMqttClient
{
    private readonly MqttFrameBuffer _reassembly = new();

    // QoS 2 downlink identifiers received (PUBREC sent) whose PUBREL has not arrived; created on first use. Only the
    // receive loop touches it.
    private HashSet<ushort>? _awaitingRelease;

    private async Task ReceiveLoopAsync(PipeReader input)
    {
        try
        {
            while (true)
            {
                var result = await input.ReadAsync().ConfigureAwait(false);
                var buffer = result.Buffer;
                var open = ProcessPackets(ref buffer);
                input.AdvanceTo(buffer.Start, buffer.End);
                if (!open)
                {
                    return;
                }

                if (result.IsCompleted)
                {
                    Close(DeviceMqttCloseReason.ConnectionLost, MqttReasonCode.Success, null, notifyServer: false);
                    return;
                }
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            Close(DeviceMqttCloseReason.ConnectionLost, MqttReasonCode.Success, e, notifyServer: false);
        }
        catch (Exception e)
        {
            // A MessageReceived handler threw: the client cannot tell what the application still expects.
            Close(DeviceMqttCloseReason.HandlerFailed, MqttReasonCode.ImplementationSpecificError, e, notifyServer: true);
        }
        finally
        {
            await input.CompleteAsync().ConfigureAwait(false);
            _reassembly.Dispose();
        }
    }

    /// <summary>Handles every complete packet in <paramref name="buffer"/> and slices them off; false once closed.</summary>
    private bool ProcessPackets(ref ReadOnlySequence<byte> buffer)
    {
        while (_closing == 0)
        {
            var status = MqttFrameReader.TryRead(buffer, _options.MaxIncomingPacketSize, _reassembly, out var frame, out var consumed, out _);
            if (status == MqttFrameStatus.Incomplete)
            {
                return true;
            }

            if (status != MqttFrameStatus.Complete)
            {
                return ProtocolError(status.ToReasonCode());
            }

            if (!Handle(frame))
            {
                return false;
            }

            buffer = buffer.Slice(consumed);
        }

        return false;
    }

    private bool Handle(MqttFrame frame)
    {
        // 3.2 [MQTT-3.2.0-1]: "The first packet sent from the Server to the Client MUST be a CONNACK packet".
        if (!_connected && frame.Type != MqttPacketType.ConnAck)
        {
            return ProtocolError(MqttReasonCode.ProtocolError);
        }

        MqttDecodeError error;
        switch (frame.Type)
        {
            case MqttPacketType.ConnAck:
                if (_connected)
                {
                    return ProtocolError(MqttReasonCode.ProtocolError);
                }

                if (!MqttConnAck.TryDecode(frame, _version, out var connAck, out error))
                {
                    return ProtocolError(error.ToReasonCode());
                }

                return OnConnAck(connAck);
            case MqttPacketType.Publish:
                if (!MqttPublish.TryDecodeFromServer(frame, _version, out var publish, out error))
                {
                    return ProtocolError(error.ToReasonCode());
                }

                return OnPublish(publish);
            case MqttPacketType.PubAck or MqttPacketType.PubRec or MqttPacketType.PubRel or MqttPacketType.PubComp:
                if (!MqttPublishAck.TryDecode(frame, _version, out var ack, out error))
                {
                    return ProtocolError(error.ToReasonCode());
                }

                if (ack.Type == MqttPacketType.PubRel)
                {
                    // 4.3.3: answer PUBREL with PUBCOMP and forget the identifier.
                    _awaitingRelease?.Remove(ack.PacketId);
                    WriteAck(MqttPacketType.PubComp, ack.PacketId);
                }
                else
                {
                    Acknowledge(ack.Type, ack.PacketId, ack.ReasonCode);
                }

                return true;
            case MqttPacketType.SubAck:
                if (!MqttSubAck.TryDecode(frame, _version, out var subAck, out error))
                {
                    return ProtocolError(error.ToReasonCode());
                }

                Acknowledge(MqttPacketType.SubAck, subAck.PacketId, subAck.ReasonCodes[0]);
                return true;
            case MqttPacketType.UnsubAck:
                if (!MqttUnsubAck.TryDecode(frame, _version, out var unsubAck, out error))
                {
                    return ProtocolError(error.ToReasonCode());
                }

                Acknowledge(MqttPacketType.UnsubAck, unsubAck.PacketId, unsubAck.ReasonCodes.IsEmpty ? MqttReasonCode.Success : unsubAck.ReasonCodes[0]);
                return true;
            case MqttPacketType.PingResp:
                if (!MqttPing.TryDecodeResponse(frame, out error))
                {
                    return ProtocolError(error.ToReasonCode());
                }

                Volatile.Write(ref _pingSentTicks, 0);
                return true;
            case MqttPacketType.Disconnect:
                var code = MqttDisconnect.TryDecode(frame, _version, out var disconnect, out _) ? disconnect.ReasonCode : MqttReasonCode.MalformedPacket;
                Close(DeviceMqttCloseReason.ServerDisconnected, code, null, notifyServer: false);
                return false;
            default:
                // CONNECT, SUBSCRIBE, UNSUBSCRIBE, PINGREQ and AUTH (not supported here) never come from a server.
                return ProtocolError(MqttReasonCode.ProtocolError);
        }
    }

    private bool OnConnAck(MqttConnAck connAck)
    {
        if (!connAck.IsAccepted)
        {
            Close(DeviceMqttCloseReason.ConnectRefused, connAck.ReasonCode, null, notifyServer: false);
            return false;
        }

        SessionPresent = connAck.SessionPresent;

        // 5.0 section 3.3.4 [MQTT-3.3.4-7]: no more unacknowledged QoS 1/2 PUBLISHes than the server's Receive Maximum.
        var limit = Math.Clamp(_options.MaxInFlight, 1, ushort.MaxValue);
        if (_version == MqttProtocolVersion.V500)
        {
            limit = Math.Min(limit, connAck.ReceiveMaximum);
        }

        StartInFlight(limit);

        // 5.0 section 3.2.2.3.14 [MQTT-3.2.2-21]: the client uses the Server Keep Alive instead of its own.
        StartKeepAlive(connAck.ServerKeepAlive ?? _options.KeepAliveSeconds);
        _connected = true;
        if (Volatile.Read(ref _closing) != 0)
        {
            // The connect timed out or was cancelled while the CONNACK was being handled.
            _connected = false;
            StopKeepAlive();
            return false;
        }

        _connAck!.TrySetResult();
        return true;
    }

    private bool OnPublish(in MqttPublish publish)
    {
        // 5.0 section 3.3.2.3.4: this client announces no Topic Alias Maximum, so the server must not use aliases.
        if (publish.Topic.IsEmpty || publish.TopicAlias != 0)
        {
            return ProtocolError(MqttReasonCode.TopicAliasInvalid);
        }

        switch (publish.QoS)
        {
            case MqttQoS.AtMostOnce:
                MessageReceived?.Invoke(this, publish);
                return true;
            case MqttQoS.AtLeastOnce:
                // 4.3.2: deliver, then PUBACK.
                MessageReceived?.Invoke(this, publish);
                WriteAck(MqttPacketType.PubAck, publish.PacketId);
                return true;
            default:
                // 4.3.3 (method B of figure 4.3 in 3.1.1): deliver once per identifier until its PUBREL, answer PUBREC.
                if ((_awaitingRelease ??= []).Add(publish.PacketId))
                {
                    MessageReceived?.Invoke(this, publish);
                }

                WriteAck(MqttPacketType.PubRec, publish.PacketId);
                return true;
        }
    }

    /// <summary>Closes because the server broke the protocol; a 5.0 server is told why (5.0 section 4.13).</summary>
    private bool ProtocolError(MqttReasonCode code)
    {
        Close(DeviceMqttCloseReason.ProtocolError, code, null, notifyServer: true);
        return false;
    }
}
