using Sensing.Core.Telemetry;

namespace Sensing.Storage.Aggregation;

/// <summary>
/// The statistics of minutes being aggregated: blocks of a fixed number of metric slots (min, max, sum, last and count
/// of one metric each) in flat arrays. Block <c>b</c> is slots <c>b * slots</c> to <c>(b + 1) * slots - 1</c>; a slot
/// whose metric code is 0 is free, and a block's taken slots come first.
/// </summary>
internal sealed class MinuteSlots(int slots)
{
    private byte[] _metric = [];
    private double[] _min = [];
    private double[] _max = [];
    private double[] _sum = [];
    private double[] _last = [];
    private long[] _count = [];

    /// <summary>Metric slots per block.</summary>
    public int Slots { get; } = slots;

    /// <summary>Makes room for <paramref name="blocks"/> blocks (free), keeping the ones held.</summary>
    public void Grow(int blocks)
    {
        Array.Resize(ref _metric, blocks * Slots);
        Array.Resize(ref _min, blocks * Slots);
        Array.Resize(ref _max, blocks * Slots);
        Array.Resize(ref _sum, blocks * Slots);
        Array.Resize(ref _last, blocks * Slots);
        Array.Resize(ref _count, blocks * Slots);
    }

    /// <summary>Adds one value of <paramref name="metric"/> to <paramref name="block"/>; false when its slots are all taken by other metrics.</summary>
    public bool Accumulate(int block, Metric metric, double value)
    {
        var code = (byte)metric;
        var first = block * Slots;
        for (var slot = first; slot < first + Slots; slot++)
        {
            if (_metric[slot] == code)
            {
                _min[slot] = Math.Min(_min[slot], value);
                _max[slot] = Math.Max(_max[slot], value);
                _sum[slot] += value;
                _last[slot] = value;
                _count[slot]++;
                return true;
            }

            if (_metric[slot] == 0)
            {
                _metric[slot] = code;
                _min[slot] = value;
                _max[slot] = value;
                _sum[slot] = value;
                _last[slot] = value;
                _count[slot] = 1;
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether <paramref name="block"/> holds any value.</summary>
    public bool HasValues(int block) => _metric[block * Slots] != 0;

    /// <summary>Copies <paramref name="block"/> into block <paramref name="into"/> of <paramref name="other"/> and frees it.</summary>
    public void MoveTo(int block, MinuteSlots other, int into)
    {
        var from = block * Slots;
        var to = into * other.Slots;
        _metric.AsSpan(from, Slots).CopyTo(other._metric.AsSpan(to, Slots));
        _min.AsSpan(from, Slots).CopyTo(other._min.AsSpan(to, Slots));
        _max.AsSpan(from, Slots).CopyTo(other._max.AsSpan(to, Slots));
        _sum.AsSpan(from, Slots).CopyTo(other._sum.AsSpan(to, Slots));
        _last.AsSpan(from, Slots).CopyTo(other._last.AsSpan(to, Slots));
        _count.AsSpan(from, Slots).CopyTo(other._count.AsSpan(to, Slots));
        Clear(block);
    }

    /// <summary>Frees <paramref name="block"/>.</summary>
    public void Clear(int block) => _metric.AsSpan(block * Slots, Slots).Clear();

    /// <summary>Writes the five fields of every metric in <paramref name="block"/>, named by <paramref name="fieldNames"/>.</summary>
    public void WriteFields(int block, LineProtocolWriter output, byte[][][] fieldNames)
    {
        var first = block * Slots;
        for (var slot = first; slot < first + Slots && _metric[slot] != 0; slot++)
        {
            var names = fieldNames[_metric[slot]];
            output.Field(names[0], _min[slot])
                .Field(names[1], _max[slot])
                .Field(names[2], _sum[slot] / _count[slot])
                .Field(names[3], _last[slot])
                .Field(names[4], _count[slot]);
        }
    }
}
