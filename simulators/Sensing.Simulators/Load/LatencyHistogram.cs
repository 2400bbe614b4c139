using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Numerics;
using System.Text;

namespace Sensing.Simulators.Load;

/// <summary>
/// A log-linear histogram of latencies in microseconds, safe to record into from many threads without locks.
/// Values below 128 µs have their own bucket; above, every power of two is split into 64 equal buckets, so a
/// reported percentile is at most 1/64 (1.6 %) above the true value. Values above about 39 hours land in the
/// last bucket.
/// </summary>
public sealed class LatencyHistogram
{
    // 2^LinearBits single-value buckets, then groups of 2^(LinearBits - 1) buckets per power of two.
    private const int LinearBits = 7;
    private const int Linear = 1 << LinearBits;
    private const int PerGroup = Linear / 2;
    private const int Groups = 40 - LinearBits;

    /// <summary>The largest value told apart from larger ones (about 39 hours in microseconds).</summary>
    public const long MaxTrackable = (1L << 40) - 1;

    private readonly long[] _counts = new long[Linear + (Groups * PerGroup)];
    private long _count;
    private long _max;

    /// <summary>Values recorded.</summary>
    public long Count => Interlocked.Read(ref _count);

    /// <summary>The largest value recorded (exact); 0 when empty.</summary>
    public long Max => Interlocked.Read(ref _max);

    /// <summary>Records one value; negative values count as 0, values above <see cref="MaxTrackable"/> as it.</summary>
    public void Record(long microseconds)
    {
        var value = Math.Clamp(microseconds, 0, MaxTrackable);
        Interlocked.Increment(ref _counts[IndexOf(value)]);
        Interlocked.Increment(ref _count);
        var max = Interlocked.Read(ref _max);
        while (value > max)
        {
            var seen = Interlocked.CompareExchange(ref _max, value, max);
            if (seen == max)
            {
                break;
            }

            max = seen;
        }
    }

    /// <summary>
    /// The value at <paramref name="percentile"/> (0-100): the upper edge of the bucket holding the
    /// ceil(p/100 x count)-th smallest value, never above <see cref="Max"/>; 0 when empty.
    /// </summary>
    public long Percentile(double percentile)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(percentile, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(percentile, 100);
        var count = Count;
        if (count == 0)
        {
            return 0;
        }

        var rank = Math.Max(1, (long)Math.Ceiling(percentile / 100 * count));
        long seen = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += Interlocked.Read(ref _counts[i]);
            if (seen >= rank)
            {
                return Math.Min(UpperEdge(i), Max);
            }
        }

        return Max;
    }

    /// <summary>A copy of the counts so far (for interval figures: <c>now.Minus(before)</c>).</summary>
    public LatencyHistogram Snapshot()
    {
        var copy = new LatencyHistogram();
        for (var i = 0; i < _counts.Length; i++)
        {
            copy._counts[i] = Interlocked.Read(ref _counts[i]);
            copy._count += copy._counts[i];
        }

        copy._max = Max;
        return copy;
    }

    /// <summary>
    /// The values recorded here but not in <paramref name="earlier"/>, an earlier snapshot of this histogram. The
    /// result's <see cref="Max"/> is the upper edge of its highest non-empty bucket (the exact one is not kept).
    /// </summary>
    public LatencyHistogram Minus(LatencyHistogram earlier)
    {
        ArgumentNullException.ThrowIfNull(earlier);
        var difference = new LatencyHistogram();
        for (var i = 0; i < _counts.Length; i++)
        {
            var n = Interlocked.Read(ref _counts[i]) - earlier._counts[i];
            if (n > 0)
            {
                difference._counts[i] = n;
                difference._count += n;
                difference._max = Math.Min(UpperEdge(i), Max);
            }
        }

        return difference;
    }

    /// <summary>
    /// Adds every value of <paramref name="other"/> (another process's histogram, read back with <see cref="TryParse"/>),
    /// so several shards' latencies give one set of percentiles. Not safe against concurrent <see cref="Record"/>.
    /// </summary>
    public void Add(LatencyHistogram other)
    {
        ArgumentNullException.ThrowIfNull(other);
        for (var i = 0; i < _counts.Length; i++)
        {
            _counts[i] += Interlocked.Read(ref other._counts[i]);
        }

        _count += other.Count;
        _max = Math.Max(_max, other.Max);
    }

    /// <summary>
    /// The non-empty buckets as text for another process: <c>max:INDEX=COUNT,INDEX=COUNT,...</c> (a few hundred bytes
    /// for a run's latencies, which fill a few dozen buckets).
    /// </summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append(Max.ToString(CultureInfo.InvariantCulture)).Append(':');
        var first = true;
        for (var i = 0; i < _counts.Length; i++)
        {
            var n = Interlocked.Read(ref _counts[i]);
            if (n > 0)
            {
                text.Append(first ? "" : ",").Append(i.ToString(CultureInfo.InvariantCulture)).Append('=')
                    .Append(n.ToString(CultureInfo.InvariantCulture));
                first = false;
            }
        }

        return text.ToString();
    }

    /// <summary>Reads what <see cref="ToString"/> wrote; false when <paramref name="text"/> is not such a text.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, [NotNullWhen(true)] out LatencyHistogram? histogram)
    {
        histogram = null;
        var colon = text.IndexOf(':');
        if (colon <= 0 || !long.TryParse(text[..colon], NumberStyles.None, CultureInfo.InvariantCulture, out var max))
        {
            return false;
        }

        var parsed = new LatencyHistogram { _max = max };
        foreach (var range in text[(colon + 1)..].Split(','))
        {
            var bucket = text[(colon + 1)..][range];
            if (bucket.IsEmpty)
            {
                continue;
            }

            var eq = bucket.IndexOf('=');
            if (eq <= 0 || !int.TryParse(bucket[..eq], NumberStyles.None, CultureInfo.InvariantCulture, out var index)
                || index >= parsed._counts.Length
                || !long.TryParse(bucket[(eq + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            {
                return false;
            }

            parsed._counts[index] += n;
            parsed._count += n;
        }

        histogram = parsed;
        return true;
    }

    internal static int IndexOf(long value)
    {
        if (value < Linear)
        {
            return (int)value;
        }

        // value has its top bit at position msb >= LinearBits; shifting by (msb - LinearBits + 1) leaves a number in
        // [PerGroup, Linear), whose offset from PerGroup is the bucket within the group.
        var shift = BitOperations.Log2((ulong)value) - LinearBits + 1;
        return Linear + ((shift - 1) * PerGroup) + (int)(value >> shift) - PerGroup;
    }

    internal static long UpperEdge(int index)
    {
        if (index < Linear)
        {
            return index;
        }

        var group = (index - Linear) / PerGroup;
        var shift = group + 1;
        var top = (long)((index - Linear) % PerGroup) + PerGroup;
        return ((top + 1) << shift) - 1;
    }
}
