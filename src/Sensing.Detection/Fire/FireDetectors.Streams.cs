using Sensing.Core.Devices;
using Sensing.Detection.Internal;

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
    private const int NoStream = StreamDeadlines.NoStream;

    // Per device its stream; per stream its earliest heartbeat deadline.
    private readonly StreamDeadlines _streams = new();

    /// <summary>Device <paramref name="deviceNumber"/>'s readings arrive on <paramref name="stream"/> (0 or more).</summary>
    internal void AssignStream(int deviceNumber, int stream)
    {
        _streams.Assign(deviceNumber, stream, _state.Length);
        NoteHeartbeatDeadlineOf(deviceNumber);
    }

    /// <summary>
    /// Stream <paramref name="stream"/>'s event time reached <paramref name="nowMs"/>: its smoke alarms silent past their
    /// heartbeat allowance get a fault alert, raised at the deadline. One comparison until one is due.
    /// </summary>
    internal void AdvanceStream(int stream, long nowMs)
    {
        if (_streams.IsDue(stream, nowMs))
        {
            _streams.SetNext(stream, RaiseSilent(nowMs, stream));
        }
    }

    // The stream device n's readings arrive on; NoStream when not told (a backtest, a test): judged by Advance.
    private int StreamOf(int n) => _streams.StreamOf(n);

    // Device n is due at dueMs or later: the bound of its stream (or of the devices with none) stays a lower bound.
    private void NoteHeartbeatDeadline(int n, long dueMs)
    {
        if (!_streams.Note(n, dueMs))
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
}
