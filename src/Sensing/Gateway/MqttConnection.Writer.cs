using System.IO.Pipelines;
using System.Runtime.ExceptionServices;
using Microsoft.AspNetCore.Connections;
using Sensing.Mqtt;

namespace Sensing.Gateway;

/// <summary>
/// The packets queued for the device and their single writer. The queue is a plain one under a lock, made on the first
/// packet; the writer is queued to the thread pool when a packet arrives and none runs, writes and flushes until the
/// queue is empty, and ends. So an idle connection holds neither a channel nor a waiting writer task (together about
/// 950 bytes a connection, bench/README.md, "A lighter connection").
/// </summary>
internal sealed partial class MqttConnection : IThreadPoolWorkItem
{
    private readonly Lock _sendGate = new();
    private readonly int _queueCapacity;
    private Queue<Outbound>? _queued;
    private bool _writing;
    private bool _sendClosed;
    private TaskCompletionSource? _drained;
    private ExceptionDispatchInfo? _writerFault;
    private uint _grantedExpiry;
    private bool _expiryChanged;

    /// <summary>
    /// Queues a packet for the writer; false when the connection sends nothing more (closed, or a DISCONNECT was
    /// written) or its queue is full. Never waits, so Kafka's delivery thread can call it.
    /// </summary>
    private bool TryQueue(Outbound packet)
    {
        lock (_sendGate)
        {
            if (_sendClosed || (_queued?.Count ?? 0) >= _queueCapacity)
            {
                return false;
            }

            (_queued ??= new Queue<Outbound>(2)).Enqueue(packet);
            if (_writing)
            {
                return true;
            }

            _writing = true;
        }

        // Not written on the caller's thread: callers hold the session's lock or run on Kafka's delivery thread.
        ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        return true;
    }

    void IThreadPoolWorkItem.Execute() => _ = WriteQueuedAsync();

    /// <summary>Writes and flushes until the queue is empty; a written DISCONNECT or CONNACK refusal closes the output.</summary>
    private async Task WriteQueuedAsync()
    {
        var output = _context.Transport.Output;
        try
        {
            while (true)
            {
                var close = false;
                var pump = false;
                lock (_sendGate)
                {
                    if (_queued!.Count == 0)
                    {
                        if (!_downlinkDeferred || _session is null || !_connAckSent)
                        {
                            // Before the CONNACK, Resume sends what the session holds.
                            break;
                        }

                        // Commands waited for room in the queue; there is room now.
                        _downlinkDeferred = false;
                        pump = true;
                    }

                    while (_queued.TryDequeue(out var packet))
                    {
                        close |= Write(output, packet);
                    }

                    _sendClosed |= close;
                }

                if (pump)
                {
                    _sessions.CountSent(_session!.Pump());
                    continue;
                }

                var flush = await output.FlushAsync();
                if (close || flush.IsCompleted)
                {
                    // A graceful close: what was written (a CONNACK refusal, a DISCONNECT) reaches the client before
                    // the FIN, which an abort would not guarantee.
                    CloseQueue();
                    await output.CompleteAsync();
                    _context.Transport.Input.CancelPendingRead();
                    break;
                }
            }
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or ConnectionResetException)
        {
            CloseQueue();
            _context.Abort();
        }
        catch (Exception e)
        {
            // Rethrown by RunAsync when the connection ends, so the host logs it.
            _writerFault = ExceptionDispatchInfo.Capture(e);
            CloseQueue();
            _context.Abort();
        }

        TaskCompletionSource? drained;
        lock (_sendGate)
        {
            _writing = false;
            drained = _drained;
        }

        drained?.TrySetResult();
    }

    private void CloseQueue()
    {
        lock (_sendGate)
        {
            _sendClosed = true;
            _queued?.Clear();
        }
    }

    /// <summary>
    /// Accepts no more packets and waits until the writer has written what was queued; returns the writer's unexpected
    /// failure, if any.
    /// </summary>
    private async Task<ExceptionDispatchInfo?> CloseQueueAsync()
    {
        Task? drained = null;
        lock (_sendGate)
        {
            _sendClosed = true;
            if (_writing)
            {
                _drained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                drained = _drained.Task;
            }
        }

        if (drained is not null)
        {
            await drained;
        }

        return _writerFault;
    }

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
        lock (_sendGate)
        {
            if (!_connAckSent || (_queued?.Count ?? 0) >= DownlinkQueueBudget)
            {
                // Sent by the writer once it has emptied the queue, or by Resume after the CONNACK.
                _downlinkDeferred = true;
                return DownlinkSend.Full;
            }
        }

        if (_clientMaxPacketSize != 0 && DownlinkSize(publish) > _clientMaxPacketSize)
        {
            // 5.0 3.1.2.11.4 [MQTT-3.1.2-25]: a packet above the client's Maximum Packet Size is discarded
            // without sending, as if delivered.
            _sessions.CountDropped();
            return DownlinkSend.TooLarge;
        }

        return TryQueue(publish) ? DownlinkSend.Sent : DownlinkSend.Full;
    }

    private long DownlinkSize(Outbound publish)
    {
        // 3.3.2: topic (2-byte length prefix), packet id for QoS > 0, 5.0 property length (one byte: no properties).
        var remaining = 2L + _session!.DownTopic.Length + (publish.QoS != MqttQoS.AtMostOnce ? 2 : 0)
            + (_version == MqttProtocolVersion.V500 ? 1 : 0) + publish.Payload!.Length;
        return 1 + MqttVariableByteInteger.SizeOf((int)Math.Min(remaining, MqttVariableByteInteger.MaxValue)) + remaining;
    }
}
