using System.Buffers;
using System.Text;
using Sensing.Mqtt;

namespace Sensing.Simulators.Mqtt;

/// <summary>Publish, subscribe and unsubscribe; each QoS 1/2 operation holds an in-flight slot until acknowledged.</summary>
public sealed partial class DeviceMqttClient
{
    // A topic of up to this many UTF-8 bytes is encoded on the stack.
    private const int StackTopicBytes = 256;

    /// <summary>
    /// Publishes <paramref name="payload"/> to <paramref name="topic"/>. QoS 0 completes once queued (waiting only
    /// when the send backlog is full); QoS 1 when PUBACK arrives, QoS 2 when PUBCOMP arrives. A failure reason code
    /// (5.0, 0x80 and above) faults it with <see cref="MqttClientException"/>, as does the end of the connection.
    /// Cancellation applies while waiting for an in-flight slot or backlog space, not for the acknowledgment.
    /// </summary>
    public ValueTask PublishAsync(string topic, ReadOnlyMemory<byte> payload, MqttQoS qos, CancellationToken cancellationToken = default)
        => Publish(topic, default, payload, qos, retain: false, cancellationToken);

    /// <summary>Publishes with the RETAIN flag set as given; otherwise as <see cref="PublishAsync(string, ReadOnlyMemory{byte}, MqttQoS, CancellationToken)"/>.</summary>
    public ValueTask PublishAsync(string topic, ReadOnlyMemory<byte> payload, MqttQoS qos, bool retain, CancellationToken cancellationToken = default)
        => Publish(topic, default, payload, qos, retain, cancellationToken);

    /// <summary>Publishes to a topic already encoded as UTF-8 (a device keeps its topic bytes; nothing is encoded per message).</summary>
    public ValueTask PublishAsync(ReadOnlyMemory<byte> topic, ReadOnlyMemory<byte> payload, MqttQoS qos, bool retain = false, CancellationToken cancellationToken = default)
        => Publish(null, topic, payload, qos, retain, cancellationToken);

    /// <summary>
    /// Subscribes to one topic filter; completes with the granted QoS code from SUBACK, faults on a failure code, and
    /// closes the connection when no SUBACK comes within <see cref="DeviceMqttConnectOptions.RequestTimeout"/>.
    /// </summary>
    public async ValueTask<MqttReasonCode> SubscribeAsync(string filter, MqttQoS qos, CancellationToken cancellationToken = default)
        => await RequestAsync(MqttPacketType.Subscribe, Encoding.UTF8.GetBytes(filter), qos, cancellationToken).ConfigureAwait(false);

    /// <summary>Unsubscribes from one topic filter; completes on UNSUBACK (5.0: with its reason code).</summary>
    public async ValueTask<MqttReasonCode> UnsubscribeAsync(string filter, CancellationToken cancellationToken = default)
        => await RequestAsync(MqttPacketType.Unsubscribe, Encoding.UTF8.GetBytes(filter), MqttQoS.AtMostOnce, cancellationToken).ConfigureAwait(false);

    private ValueTask Publish(string? topicText, ReadOnlyMemory<byte> topicBytes, ReadOnlyMemory<byte> payload, MqttQoS qos, bool retain, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)qos, (uint)MqttQoS.ExactlyOnce, nameof(qos));
        if (!_connected)
        {
            return ValueTask.FromException(NotConnected());
        }

        if (qos == MqttQoS.AtMostOnce)
        {
            return TryWritePublish(topicText, topicBytes.Span, payload.Span, qos, 0, retain)
                ? WaitForBacklogAsync(cancellationToken)
                : ValueTask.FromException(NotConnected());
        }

        return _inFlightSlots!.Wait(0)
            ? StartPublish(topicText, topicBytes, payload, qos, retain)
            : PublishWhenSlotFreeAsync(topicText, topicBytes, payload, qos, retain, cancellationToken);
    }

    private async ValueTask PublishWhenSlotFreeAsync(
        string? topicText, ReadOnlyMemory<byte> topicBytes, ReadOnlyMemory<byte> payload, MqttQoS qos, bool retain, CancellationToken cancellationToken)
    {
        await AcquireSlotAsync(cancellationToken).ConfigureAwait(false);
        await StartPublish(topicText, topicBytes, payload, qos, retain).ConfigureAwait(false);
    }

    private ValueTask StartPublish(string? topicText, ReadOnlyMemory<byte> topicBytes, ReadOnlyMemory<byte> payload, MqttQoS qos, bool retain)
    {
        // QoS 1 ends with PUBACK (4.3.2); QoS 2 with PUBREC, then PUBCOMP after our PUBREL (4.3.3).
        var operation = Register(qos == MqttQoS.AtLeastOnce ? MqttPacketType.PubAck : MqttPacketType.PubRec);
        if (operation is null)
        {
            return ValueTask.FromException(NotConnected());
        }

        // If the connection is closing the write is skipped and FailPending faults the registered operation.
        TryWritePublish(topicText, topicBytes.Span, payload.Span, qos, operation.PacketId, retain);
        return new ValueTask(operation, operation.Token);
    }

    private bool TryWritePublish(string? topicText, ReadOnlySpan<byte> topicBytes, ReadOnlySpan<byte> payload, MqttQoS qos, ushort packetId, bool retain)
    {
        byte[]? rented = null;
        scoped ReadOnlySpan<byte> topic = topicBytes;
        if (topicText is not null)
        {
            var max = Encoding.UTF8.GetMaxByteCount(topicText.Length);
            Span<byte> buffer = max <= StackTopicBytes ? stackalloc byte[StackTopicBytes] : (rented = ArrayPool<byte>.Shared.Rent(max));
            topic = buffer[..Encoding.UTF8.GetBytes(topicText, buffer)];
        }

        try
        {
            lock (_writeLock)
            {
                if (_sendClosed)
                {
                    return false;
                }

                CommitLocked(MqttPacketWriter.WritePublish(_output!.Writer, _version, topic, payload, qos, packetId, retain));
                return true;
            }
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private async ValueTask<MqttReasonCode> RequestAsync(MqttPacketType type, byte[] filter, MqttQoS qos, CancellationToken cancellationToken)
    {
        if (!_connected)
        {
            throw NotConnected();
        }

        await AcquireSlotAsync(cancellationToken).ConfigureAwait(false);
        var operation = Register(type == MqttPacketType.Subscribe ? MqttPacketType.SubAck : MqttPacketType.UnsubAck) ?? throw NotConnected();
        lock (_writeLock)
        {
            if (!_sendClosed)
            {
                CommitLocked(type == MqttPacketType.Subscribe
                    ? MqttPacketWriter.WriteSubscribe(_output!.Writer, _version, operation.PacketId, filter, new MqttSubscriptionOptions(qos))
                    : MqttPacketWriter.WriteUnsubscribe(_output!.Writer, _version, operation.PacketId, filter));
            }
        }

        var acknowledged = new ValueTask<MqttReasonCode>(operation, operation.Token).AsTask();
        try
        {
            return await acknowledged.WaitAsync(_options.RequestTimeout, CancellationToken.None).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Closing fails every pending operation with the close's exception, this one included.
            Close(DeviceMqttCloseReason.RequestTimeout, MqttReasonCode.Success, null, notifyServer: true);
            return await acknowledged.ConfigureAwait(false);
        }
    }

    private async ValueTask AcquireSlotAsync(CancellationToken cancellationToken)
    {
        if (_inFlightSlots!.Wait(0))
        {
            return;
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _closed.Token);
        try
        {
            await _inFlightSlots.WaitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw NotConnected();
        }
    }

    private Exception NotConnected() => _closeException ?? (Exception)new InvalidOperationException("not connected");
}
