using System.Diagnostics;
using Sensing.Core.Devices;
using Sensing.Mqtt;

namespace Sensing.Gateway;

/// <summary>Inbound PUBLISH: topic aliases, the uplink ACL, and the hand-over to Kafka.</summary>
internal sealed partial class MqttConnection
{
    // What a 5.0 topic alias stands for (3.3.2.3.4). Only the route is kept, not the topic: the gateway accepts one
    // uplink topic per device, so aliases cost one byte each and no allocation per PUBLISH.
    private const byte AliasUnset = 0, AliasOwnUplink = 1, AliasForeign = 2;

    private byte[]? _aliases;

    private Step HandlePublish(MqttFrame frame)
    {
        var qos = (frame.Flags >> 1) & 3;
        if (!MqttPublish.TryDecode(frame, _version, out var publish, out var error))
        {
            ReleaseSlot(qos);
            return Refuse(error.ToReasonCode());
        }

        var device = _device!;
        var own = DeviceTopics.IsOwn(publish.Topic, device.IdUtf8, DeviceTopics.Up);
        if (publish.Properties.Contains(MqttPropertyId.TopicAlias))
        {
            var aliasError = ResolveAlias(publish.TopicAlias, publish.Topic.IsEmpty, ref own);
            if (aliasError != MqttReasonCode.Success)
            {
                ReleaseSlot(qos);
                return Refuse(aliasError);
            }
        }

        if (!own)
        {
            // A device may publish only to its own uplink: 5.0 answers 0x87 (3.3.4), 3.1.1 can only disconnect.
            if (qos == 0 || _version != MqttProtocolVersion.V500)
            {
                ReleaseSlot(qos);
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
                _pendingProduce = IngestUplink(device, publish.Payload, now, null);
                break;
            case MqttQoS.AtLeastOnce:
                _pendingProduce = IngestAcknowledged(device, publish.Payload, now, Outbound.PubAck(publish.PacketId));
                break;
            default:
                if (!(_qos2Pending ??= []).Add(publish.PacketId))
                {
                    // 4.3.3: a resent PUBLISH with a packet id we hold is the same message; PUBREC follows the first.
                    _inflight.Release();
                    break;
                }

                _pendingProduce = IngestAcknowledged(device, publish.Payload, now, Outbound.PubRec(publish.PacketId));
                break;
        }

        return Step.Continue;
    }

    /// <summary>
    /// Hands a QoS 1/2 uplink to Kafka; <paramref name="ack"/> (PUBACK or PUBREC) is queued for the device once Kafka
    /// acknowledged it (every item of a concentrator's batch), and the time since now goes to
    /// <c>sensing.gateway.ack_latency</c>. One closure per uplink, as before the latency was measured: the receive
    /// timestamp rides in it.
    /// </summary>
    private ValueTask IngestAcknowledged(DeviceInfo device, ReadOnlySpan<byte> payload, long nowMs, Outbound ack)
    {
        var received = Stopwatch.GetTimestamp();
        return IngestUplink(device, payload, nowMs, durable => Acknowledge(durable, ack, received));
    }

    /// <summary>
    /// A device's uplink is its reading; a concentrator's is a batch of its devices' readings (docs/gateway.md,
    /// "Concentrators"), acknowledged once every item is in Kafka.
    /// </summary>
    private ValueTask IngestUplink(DeviceInfo device, ReadOnlySpan<byte> payload, long now, Action<bool>? onDurable) =>
        _scope is { } scope
            ? _ingest.IngestBatchAsync(device, scope, _registry, payload, now, onDurable, _context.ConnectionClosed)
            : _ingest.IngestAsync(device, payload, now, onDurable, _context.ConnectionClosed);

    /// <summary>
    /// 5.0 3.3.2.3.4: a PUBLISH with a topic and an alias sets the alias; one with an empty topic uses it. Alias 0 or
    /// one above our Topic Alias Maximum is answered with DISCONNECT 0x94 [MQTT-3.3.2-9]; an empty topic with an alias
    /// never set is a Protocol Error (3.3.4).
    /// </summary>
    private MqttReasonCode ResolveAlias(ushort alias, bool useAlias, ref bool own)
    {
        if (alias == 0 || alias > _options.TopicAliasMaximum)
        {
            return MqttReasonCode.TopicAliasInvalid;
        }

        _aliases ??= new byte[_options.TopicAliasMaximum + 1];
        if (!useAlias)
        {
            _aliases[alias] = own ? AliasOwnUplink : AliasForeign;
            return MqttReasonCode.Success;
        }

        var route = _aliases[alias];
        if (route == AliasUnset)
        {
            return MqttReasonCode.ProtocolError;
        }

        own = route == AliasOwnUplink;
        return MqttReasonCode.Success;
    }

    private void ReleaseSlot(int qos)
    {
        if (qos != 0)
        {
            _inflight.Release();
        }
    }
}
