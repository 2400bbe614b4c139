using Sensing.Core.Devices;

namespace Sensing.Detection.Fire;

/// <summary>
/// A smoke alarm's missed heartbeat judged by the event time of its own input stream (its Kafka partition), as device
/// silence is (DeviceHealthDetector.Streams.cs): the alarm is silent when the stream's time passes its deadline before
/// its next reading is read. Judged by the processor's watermark instead, whether a held-back reading (a broker outage,
/// a device reconnecting) was read before the deadline passed depended on how fast each partition was read: a processor
/// that restored a partition after a crash or a rebalance and read it again raised the fault at another heartbeat than
/// the first one had, under another id, while the first one's stayed active (33 smoke alarms in one fault run). By the
/// stream's own time the outcome is a function of the stream's records in offset order, the same in every replay.
/// </summary>
public sealed partial class FireDetectors
{
    private const int NoStream = -1;

    // Per device: the stream its readings arrive on (NoStream: not told). Per stream: its earliest heartbeat deadline.
    private int[] _streamOf = [];
    private long[] _streamNextDueMs = [];

    /// <summary>Device <paramref name="deviceNumber"/>'s readings arrive on <paramref name="stream"/> (0 or more).</summary>
    internal void AssignStream(int deviceNumber, int stream)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(stream);
        if (deviceNumber >= _streamOf.Length)
        {
            var old = _streamOf.Length;
            Array.Resize(ref _streamOf, Math.Max(deviceNumber + 1, _state.Length));
            Array.Fill(_streamOf, NoStream, old, _streamOf.Length - old);
        }

        if (stream >= _streamNextDueMs.Length)
        {
            var old = _streamNextDueMs.Length;
            Array.Resize(ref _streamNextDueMs, stream + 1);
            Array.Fill(_streamNextDueMs, long.MaxValue, old, _streamNextDueMs.Length - old);
        }

        _streamOf[deviceNumber] = stream;
        NoteHeartbeatDeadlineOf(deviceNumber);
    }

    /// <summary>
    /// Stream <paramref name="stream"/>'s event time reached <paramref name="nowMs"/>: its smoke alarms silent past their
    /// heartbeat allowance get a fault alert, raised at the deadline. One comparison until one is due.
    /// </summary>
    internal void AdvanceStream(int stream, long nowMs)
    {
        if ((uint)stream < (uint)_streamNextDueMs.Length && nowMs >= _streamNextDueMs[stream])
        {
            _streamNextDueMs[stream] = RaiseSilent(nowMs, stream);
        }
    }

    // The stream device n's readings arrive on; NoStream when not told (a backtest, a test): judged by Advance.
    private int StreamOf(int n) => (uint)n < (uint)_streamOf.Length ? _streamOf[n] : NoStream;

    // Device n was heard until lastHeardMs: the bound of its stream (or of the devices with none) stays a lower bound.
    private void NoteHeartbeatDeadline(int n, long dueMs)
    {
        if (StreamOf(n) is var stream and not NoStream)
        {
            _streamNextDueMs[stream] = Math.Min(_streamNextDueMs[stream], dueMs);
        }
        else
        {
            _nextDueMs = Math.Min(_nextDueMs, dueMs);
        }
    }

    // A smoke alarm heard so far is due at its last reading plus its allowance: judged on its stream from then on.
    // A bound, not a scan: a city's devices are each given their stream as their first reading arrives.
    private void NoteHeartbeatDeadlineOf(int n)
    {
        if (_resolvedFor[n] is { Kind: DeviceKind.SmokeAlarm } && _state[n].LastHeardMs != 0)
        {
            NoteHeartbeatDeadline(n, _state[n].LastHeardMs + _limits[n].SilentMs);
        }
    }

    // Every deadline is judged again at the next time of every stream (limits changed).
    private void RescanStreams() => Array.Fill(_streamNextDueMs, long.MinValue);
}
