namespace Sensing.Detection.Water.Internal;

/// <summary>Learned mean and variance of one time-of-week slot of one sensor.</summary>
internal struct SlotStats
{
    public double Mean;
    public double Variance;
    public int Count;
}

/// <summary>
/// Time-of-week baselines of many sensors in one flat array: sensor s owns slots [offset, offset + slots). Each slot
/// keeps an exponentially weighted mean and variance of the sensor's readings in that slot of the period (West's
/// incremental form). The weight of a new sample is max(smoothing, 1/n) for the slot's n-th sample, so the first
/// samples give the plain mean and population variance and later ones forget with memory 1/smoothing samples.
/// </summary>
internal sealed class SlotProfiles
{
    private SlotStats[] _slots = [];
    private int _used;

    /// <summary>Reserves <paramref name="slots"/> slots for a new sensor; returns its offset.</summary>
    public int Add(int slots)
    {
        if (_used + slots > _slots.Length)
        {
            Array.Resize(ref _slots, Math.Max(_used + slots, _slots.Length * 2));
        }

        var offset = _used;
        _used += slots;
        return offset;
    }

    /// <summary>The slot at absolute position <paramref name="at"/> (a sensor's offset plus its slot number).</summary>
    public ref SlotStats this[int at] => ref _slots[at];

    /// <summary>Adds <paramref name="value"/> to <paramref name="slot"/> with weight max(<paramref name="smoothing"/>, 1/n).</summary>
    public static void Learn(ref SlotStats slot, double value, double smoothing)
    {
        var n = slot.Count < int.MaxValue ? slot.Count + 1 : slot.Count;
        var weight = Math.Max(smoothing, 1.0 / n);
        var diff = value - slot.Mean;
        var increment = weight * diff;
        slot.Mean += increment;
        slot.Variance = (1 - weight) * (slot.Variance + (diff * increment));
        slot.Count = n;
    }
}
