using System.Text;
using Sensing.Core.Devices;
using Sensing.Mqtt;

namespace Sensing.Gateway;

/// <summary>
/// The MQTT session of one device on this gateway (3.1.1 section 3.1.2.4, 5.0 section 4.1): its downlink
/// subscription, the commands queued for it while it is offline or busy, and the QoS 1 commands sent but not yet
/// acknowledged. It outlives a connection only when the device asked for a persistent session. Every member runs
/// under the session's lock, because commands arrive on the Kafka consumer's thread and acknowledgements on the
/// connection's read loop. <paramref name="delivered"/> hears of each command the device has (its PUBACK, or a QoS 0
/// send), under the session's lock.
/// </summary>
internal sealed class DeviceSession(DeviceInfo device, int maxQueued, Action<DeviceInfo, byte[]>? delivered = null)
{
    private readonly Lock _gate = new();
    // Made on the first command: most sessions never get one, and a gateway holds about 12,000 of them.
    private Queue<byte[]>? _queued;
    private Dictionary<ushort, byte[]>? _unacknowledged;
    private byte[]? _downTopic;
    private MqttConnection? _connection;
    private int _receiveMaximum;
    private ushort _lastPacketId;

    public DeviceInfo Device { get; } = device;

    /// <summary>The device's downlink topic, <c>sensing/{id}/down</c>, made on first use.</summary>
    public byte[] DownTopic => _downTopic ??= Encoding.UTF8.GetBytes($"sensing/{Device.Id}/down");

    /// <summary>Granted QoS of the downlink subscription; null when the device has not subscribed.</summary>
    public MqttQoS? Subscription { get; private set; }

    /// <summary>Seconds the session lives after its connection ends; 0 ends it with the connection.</summary>
    public uint ExpirySeconds { get; set; }

    /// <summary>When an offline persistent session expires (Unix ms); long.MaxValue while connected.</summary>
    public long ExpiresAtMs { get; private set; } = long.MaxValue;

    /// <summary>True once the book dropped the session; a late command or acknowledgement then does nothing.</summary>
    public bool Ended { get; private set; }

    public MqttConnection? Connection
    {
        get
        {
            lock (_gate)
            {
                return _connection;
            }
        }
    }

    /// <summary>Commands waiting to be sent (for tests and diagnostics).</summary>
    public int QueuedCount
    {
        get
        {
            lock (_gate)
            {
                return _queued?.Count ?? 0;
            }
        }
    }

    /// <summary>
    /// Binds a new connection; returns the one it replaces (to be closed: session takeover, MQTT-3.1.4-3).
    /// <paramref name="receiveMaximum"/> bounds the QoS 1 commands in flight (5.0 section 4.9).
    /// </summary>
    public MqttConnection? Attach(MqttConnection connection, int receiveMaximum)
    {
        lock (_gate)
        {
            var previous = _connection;
            _connection = connection;
            _receiveMaximum = receiveMaximum;
            ExpiresAtMs = long.MaxValue;
            return previous;
        }
    }

    /// <summary>
    /// Sends what the session holds to its new connection: first every unacknowledged QoS 1 command again with DUP
    /// set (3.1.1 section 4.4 [MQTT-4.4.0-1], 5.0 section 4.4), then the queue.
    /// </summary>
    public int Resume()
    {
        lock (_gate)
        {
            if (_connection is null)
            {
                return 0;
            }

            foreach (var (id, payload) in _unacknowledged ?? [])
            {
                _connection.TrySendDownlink(Outbound.Publish(payload, MqttQoS.AtLeastOnce, id, dup: true));
            }

            return PumpLocked();
        }
    }

    /// <summary>Unbinds <paramref name="connection"/> if it is still the session's; false when it was taken over.</summary>
    public bool Detach(MqttConnection connection, long nowMs)
    {
        lock (_gate)
        {
            if (_connection != connection)
            {
                return false;
            }

            _connection = null;
            ExpiresAtMs = ExpirySeconds == 0 ? nowMs : nowMs + (ExpirySeconds * 1000L);
            return true;
        }
    }

    /// <summary>Marks the session dropped from the book and forgets its state.</summary>
    public void End()
    {
        lock (_gate)
        {
            Ended = true;
            Reset();
        }
    }

    /// <summary>Clean Start / Clean Session 1: discard any previous state (3.1.2.4).</summary>
    public void Reset()
    {
        lock (_gate)
        {
            _queued?.Clear();
            _unacknowledged?.Clear();
            Subscription = null;
        }
    }

    /// <summary>Sends queued commands the connection can take now (after its writer caught up).</summary>
    public int Pump()
    {
        lock (_gate)
        {
            return PumpLocked();
        }
    }

    public void Subscribe(MqttQoS qos)
    {
        lock (_gate)
        {
            Subscription = qos;
            PumpLocked();
        }
    }

    public void Unsubscribe()
    {
        lock (_gate)
        {
            Subscription = null;
        }
    }

    /// <summary>
    /// Queues one command and sends what the connection can take. Returns how many were dropped: a command when
    /// nobody subscribed, or the oldest queued one when the queue was full (the queue is bounded).
    /// </summary>
    public int Enqueue(byte[] command, out int sent)
    {
        lock (_gate)
        {
            sent = 0;
            if (Ended || (Subscription is null && _connection is not null && ExpirySeconds == 0))
            {
                // Connected, not subscribed and no session to keep: no subscriber, nothing to deliver to (4.5).
                return 1;
            }

            var dropped = Queue(command);
            sent = PumpLocked();
            return dropped;
        }
    }

    /// <summary>
    /// Queues a command still pending from before this session (<see cref="CommandLedger"/>), kept until the device
    /// subscribes even when the session ends with the connection. Returns 1 when the full queue dropped its oldest.
    /// </summary>
    public int EnqueuePending(byte[] command)
    {
        lock (_gate)
        {
            var dropped = Queue(command);
            PumpLocked();
            return dropped;
        }
    }

    /// <summary>A PUBACK for a downlink command: frees its packet id and sends more. False for an unknown id.</summary>
    public bool Acknowledge(ushort packetId, out int sent)
    {
        lock (_gate)
        {
            byte[]? payload = null;
            var known = _unacknowledged is not null && _unacknowledged.Remove(packetId, out payload);
            if (known)
            {
                delivered?.Invoke(Device, payload!);
            }

            sent = PumpLocked();
            return known;
        }
    }

    /// <summary>True when a command with these exact bytes is queued or in flight (a pending one handed over twice).</summary>
    public bool Holds(byte[] command)
    {
        lock (_gate)
        {
            return (_queued?.Any(c => c.AsSpan().SequenceEqual(command)) ?? false)
                || (_unacknowledged?.Values.Any(c => c.AsSpan().SequenceEqual(command)) ?? false);
        }
    }

    /// <summary>Queues a command; 1 when the full queue dropped its oldest.</summary>
    private int Queue(byte[] command)
    {
        var dropped = 0;
        _queued ??= new Queue<byte[]>();
        if (_queued.Count >= maxQueued)
        {
            _queued.Dequeue();
            dropped = 1;
        }

        _queued.Enqueue(command);
        return dropped;
    }

    private int PumpLocked()
    {
        var sent = 0;
        while (_connection is { } connection && Subscription is { } qos && _queued is { Count: > 0 })
        {
            var atLeastOnce = qos != MqttQoS.AtMostOnce;
            if (atLeastOnce && (_unacknowledged?.Count ?? 0) >= _receiveMaximum)
            {
                // 5.0 section 4.9 [MQTT-4.9.0-2]: no more QoS 1 PUBLISH than the client's Receive Maximum in flight.
                return sent;
            }

            var payload = _queued.Peek();
            var id = atLeastOnce ? NextPacketId() : (ushort)0;
            var result = connection.TrySendDownlink(Outbound.Publish(payload, qos, id, dup: false));
            if (result == DownlinkSend.Full)
            {
                // The connection's queue is full; the rest goes with the next acknowledgement or command.
                return sent;
            }

            _queued.Dequeue();
            if (result == DownlinkSend.Sent)
            {
                sent++;
                if (atLeastOnce)
                {
                    (_unacknowledged ??= [])[id] = payload;
                }
                else
                {
                    // QoS 0: no acknowledgement will come; sent is all the device gets (4.3.1).
                    delivered?.Invoke(Device, payload);
                }
            }
        }

        return sent;
    }

    private ushort NextPacketId()
    {
        // 2.2.1: a non-zero identifier not in use by another unacknowledged packet of this session.
        do
        {
            _lastPacketId = (ushort)(_lastPacketId == ushort.MaxValue ? 1 : _lastPacketId + 1);
        }
        while (_unacknowledged?.ContainsKey(_lastPacketId) == true);

        return _lastPacketId;
    }
}

/// <summary>What happened to a downlink PUBLISH handed to a connection.</summary>
internal enum DownlinkSend : byte
{
    /// <summary>Queued for the connection's writer.</summary>
    Sent,

    /// <summary>The writer's queue is full; try again later.</summary>
    Full,

    /// <summary>Larger than the client's Maximum Packet Size: discarded (5.0 section 3.1.2.11.4 [MQTT-3.1.2-25]).</summary>
    TooLarge,
}
