using Sensing.Mqtt;
using Sensing.Simulators.Mqtt.Internal;

namespace Sensing.Simulators.Mqtt;

/// <summary>
/// The in-flight table: packet identifiers 1..limit index an array of pending operations (a free-id stack hands them
/// out, a semaphore counts free slots), and recycled operation objects make a QoS 1/2 publish allocation-free.
/// </summary>
public sealed partial class DeviceMqttClient
{
    private readonly Lock _inFlightLock = new();
    private SemaphoreSlim? _inFlightSlots;
    private MqttPendingOperation?[] _inFlight = [];
    private ushort[] _freeIds = [];
    private int _freeIdCount;
    private MqttPendingOperation[] _recycled = [];
    private int _recycledCount;
    private bool _inFlightClosed;

    /// <summary>QoS 1/2 publishes, subscribes and unsubscribes awaiting their acknowledgment.</summary>
    public int InFlightCount
    {
        get
        {
            lock (_inFlightLock)
            {
                return _inFlight.Length - _freeIdCount;
            }
        }
    }

    /// <summary>Sizes the in-flight table once CONNACK has said how many the server accepts.</summary>
    private void StartInFlight(int limit)
    {
        lock (_inFlightLock)
        {
            _inFlight = new MqttPendingOperation?[limit];
            _freeIds = new ushort[limit];
            for (var i = 0; i < limit; i++)
            {
                // Packet identifiers are non-zero (2.2.1); hand out 1 first.
                _freeIds[i] = (ushort)(limit - i);
            }

            _freeIdCount = limit;
            _recycled = new MqttPendingOperation[limit];
            _inFlightSlots = new SemaphoreSlim(limit, limit);
        }
    }

    /// <summary>Takes a free packet identifier (the caller holds an in-flight slot); null once the connection is closing.</summary>
    private MqttPendingOperation? Register(MqttPacketType awaiting)
    {
        lock (_inFlightLock)
        {
            if (_inFlightClosed)
            {
                return null;
            }

            var id = _freeIds[--_freeIdCount];
            var operation = _recycledCount > 0 ? _recycled[--_recycledCount] : new MqttPendingOperation(Recycle);
            operation.PacketId = id;
            operation.Awaiting = awaiting;
            _inFlight[id - 1] = operation;
            return operation;
        }
    }

    /// <summary>
    /// The receive loop found the acknowledgment <paramref name="type"/> for <paramref name="packetId"/>. Unknown
    /// identifiers and unexpected acknowledgment types are ignored.
    /// </summary>
    private void Acknowledge(MqttPacketType type, ushort packetId, MqttReasonCode code)
    {
        MqttPendingOperation? operation;
        lock (_inFlightLock)
        {
            var index = packetId - 1;
            operation = (uint)index < (uint)_inFlight.Length ? _inFlight[index] : null;
            if (operation is null || operation.Awaiting != type)
            {
                return;
            }

            // 4.3.3: a successful PUBREC is answered with PUBREL and the publish waits for PUBCOMP; a 5.0 PUBREC with a
            // failure code ends the exchange there.
            if (type == MqttPacketType.PubRec && !code.IsFailure())
            {
                operation.Awaiting = MqttPacketType.PubComp;
                operation = null;
            }
            else
            {
                _inFlight[index] = null;
                _freeIds[_freeIdCount++] = packetId;
            }
        }

        if (operation is null)
        {
            WriteAck(MqttPacketType.PubRel, packetId);
            return;
        }

        _inFlightSlots!.Release();
        if (code.IsFailure())
        {
            operation.SetException(new MqttClientException($"{type} for packet {packetId}: {code} (0x{(byte)code:X2})", DeviceMqttCloseReason.None, code));
        }
        else
        {
            operation.SetResult(code);
        }
    }

    private void FailPending(Exception exception)
    {
        lock (_inFlightLock)
        {
            _inFlightClosed = true;
            for (var i = 0; i < _inFlight.Length; i++)
            {
                // Continuations run asynchronously, so completing under the lock runs no caller code here.
                _inFlight[i]?.SetException(exception);
                _inFlight[i] = null;
            }
        }
    }

    private void Recycle(MqttPendingOperation operation)
    {
        lock (_inFlightLock)
        {
            if (_recycledCount < _recycled.Length)
            {
                _recycled[_recycledCount++] = operation;
            }
        }
    }
}
