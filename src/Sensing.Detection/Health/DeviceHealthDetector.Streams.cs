using Sensing.Detection.Internal;

namespace Sensing.Detection.Health;

/// <summary>
/// Offline by the event time of the device's own input stream (its Kafka partition). A device goes offline when event
/// time passes its deadline before its next reading is read. Judged against a processor's watermark (the lowest over
/// all its partitions, moved once a second of wall-clock time), whether a late reading was read before that happened
/// depends on how fast each partition was read: a processor replaying a dead one's partitions after a crash reads
/// them faster than they were written, and raised silences the first one had not (and not the ones it had), under
/// other ids. Judged against the stream's own time, as each of its records is read, the outcome is a function of the
/// stream's records in offset order, which a replay reads again in the same order: the same alerts, the same ids.
/// <see cref="Advance"/> judges only devices given no stream (a backtest, a test); a stream that has gone quiet (its
/// time does not move while nothing arrives on it) is advanced by its caller with the time of the others, the one case
/// where the outcome depends on timing. A district's outage alert is updated by the time of its devices' stream too (or
/// by <see cref="Advance"/> when they have none), so the time of its last step, which its clear and the alerts of the
/// devices still silent then take, does not depend on how far other partitions had been read.
/// </summary>
public sealed partial class DeviceHealthDetector
{
    private const int NoStream = StreamDeadlines.NoStream;

    // Per device its stream; per stream its earliest possible deadline.
    private readonly StreamDeadlines _streams = new();

    /// <summary>Device <paramref name="deviceNumber"/>'s readings arrive on <paramref name="stream"/> (0 or more).</summary>
    internal void AssignStream(int deviceNumber, int stream)
    {
        _streams.Assign(deviceNumber, stream, _limits.Length);
        if (_resolvedFor[deviceNumber] is not null)
        {
            // A district's devices share one stream (the telemetry is keyed by district); the last one told wins.
            _outages[_districtOf[deviceNumber]].Stream = stream;
            NoteDeadline(deviceNumber, _lastSeenMs[deviceNumber] + _limits[deviceNumber].OfflineAfterMs);
        }
    }

    /// <summary>
    /// Stream <paramref name="stream"/>'s event time reached <paramref name="nowMs"/> (the highest time read on it):
    /// raises offline for its devices silent past their deadline. One comparison until one is due.
    /// </summary>
    internal void AdvanceStream(int stream, long nowMs)
    {
        if (_streams.IsDue(stream, nowMs))
        {
            RaiseDue(nowMs, stream);
        }

        if (_dirtyOutages)
        {
            PublishDirtyOutages(nowMs, stream);
        }
    }

    // A device's deadline is now dueMs or later: the bound of its stream (or of the devices with none) stays a lower bound.
    private void NoteDeadline(int deviceNumber, long dueMs)
    {
        if (!_streams.Note(deviceNumber, dueMs))
        {
            _nextDueMs = Math.Min(_nextDueMs, dueMs);
        }
    }

    // In the scan of RaiseDue: is device n judged in this scan (the devices of no stream, or of the one scanned)?
    private bool InScan(int n, int stream) => _streams.StreamOf(n) == stream;
}
