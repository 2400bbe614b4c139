namespace Sensing.Detection.Internal;

/// <summary>
/// For a detector that judges a silence by the time of the device's own input stream (DeviceHealthDetector.Streams.cs,
/// FireDetectors.Streams.cs): the stream each device's readings arrive on, and per stream a lower bound of its devices'
/// deadlines, so moving a stream's time on costs one comparison until the bound passes.
/// </summary>
internal sealed class StreamDeadlines
{
    /// <summary>A device given no stream (a backtest, a test): judged by the watermark instead.</summary>
    public const int NoStream = -1;

    private int[] _streamOf = [];
    private long[] _nextDueMs = [];

    /// <summary>The stream device <paramref name="n"/>'s readings arrive on; <see cref="NoStream"/> when not told.</summary>
    public int StreamOf(int n) => (uint)n < (uint)_streamOf.Length ? _streamOf[n] : NoStream;

    /// <summary>Device <paramref name="n"/>'s readings arrive on <paramref name="stream"/> (0 or more) from now on.</summary>
    public void Assign(int n, int stream, int devices)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(stream);
        if (n >= _streamOf.Length)
        {
            var old = _streamOf.Length;
            Array.Resize(ref _streamOf, Math.Max(n + 1, devices));
            Array.Fill(_streamOf, NoStream, old, _streamOf.Length - old);
        }

        if (stream >= _nextDueMs.Length)
        {
            var old = _nextDueMs.Length;
            Array.Resize(ref _nextDueMs, stream + 1);
            Array.Fill(_nextDueMs, long.MaxValue, old, _nextDueMs.Length - old);
        }

        _streamOf[n] = stream;
    }

    /// <summary>
    /// Device <paramref name="n"/> is due at <paramref name="dueMs"/> or later: its stream's bound stays a lower bound.
    /// False when it has no stream (the caller keeps that bound).
    /// </summary>
    public bool Note(int n, long dueMs)
    {
        if (StreamOf(n) is var stream and not NoStream)
        {
            _nextDueMs[stream] = Math.Min(_nextDueMs[stream], dueMs);
            return true;
        }

        return false;
    }

    /// <summary>Whether <paramref name="stream"/>'s time <paramref name="nowMs"/> has reached its bound (a scan is due).</summary>
    public bool IsDue(int stream, long nowMs) => (uint)stream < (uint)_nextDueMs.Length && nowMs >= _nextDueMs[stream];

    /// <summary>After a scan of <paramref name="stream"/>: the earliest deadline still to come of its devices.</summary>
    public void SetNext(int stream, long nextDueMs) => _nextDueMs[stream] = nextDueMs;

    /// <summary>Every stream is scanned at its next time (limits changed).</summary>
    public void RescanAll() => Array.Fill(_nextDueMs, long.MinValue);
}
