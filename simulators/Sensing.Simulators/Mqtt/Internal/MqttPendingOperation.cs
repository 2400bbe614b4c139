using System.Threading.Tasks.Sources;
using Sensing.Mqtt;

namespace Sensing.Simulators.Mqtt.Internal;

/// <summary>
/// The awaitable behind one QoS 1/2 publish, subscribe or unsubscribe: completed by the receive loop when the
/// acknowledgment arrives, recycled once the caller has read the result, so a publish allocates nothing.
/// </summary>
internal sealed class MqttPendingOperation(Action<MqttPendingOperation> recycle) : IValueTaskSource, IValueTaskSource<MqttReasonCode>
{
    private ManualResetValueTaskSourceCore<MqttReasonCode> _core = new() { RunContinuationsAsynchronously = true };

    /// <summary>The packet identifier while in flight.</summary>
    public ushort PacketId { get; set; }

    /// <summary>The acknowledgment expected next: PUBACK, PUBREC then PUBCOMP, SUBACK or UNSUBACK.</summary>
    public MqttPacketType Awaiting { get; set; }

    /// <summary>Token for the ValueTask handed to the caller.</summary>
    public short Token => _core.Version;

    public void SetResult(MqttReasonCode code) => _core.SetResult(code);

    public void SetException(Exception exception) => _core.SetException(exception);

    public MqttReasonCode GetResult(short token)
    {
        var current = token == _core.Version;
        try
        {
            return _core.GetResult(token);
        }
        finally
        {
            if (current)
            {
                _core.Reset();
                recycle(this);
            }
        }
    }

    void IValueTaskSource.GetResult(short token) => GetResult(token);

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags)
        => _core.OnCompleted(continuation, state, token, flags);
}
