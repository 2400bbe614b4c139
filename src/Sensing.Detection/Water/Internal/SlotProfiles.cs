namespace Sensing.Detection.Water.Internal;

/// <summary>Learned mean and variance of one time-of-week slot of one sensor.</summary>
internal struct SlotStats
{
    public double Mean;
    public double Variance;
    public int Count;
}

/// <summary>
/// Time-of-week baselines of many sensors in one flat array: sensor s owns slots [offset, offset + slots). A slot's
/// mean is the baseline at the slot's centre; between centres the baseline is the linear interpolation of the two
/// neighbouring slots, so a demand ramp inside a slot is not mistaken for a residual. Warm-up (<see cref="Learn"/>):
/// the reading goes to its nearest slot with weight max(smoothing, 1/n), so the first samples give the slot's plain
/// mean and population variance. Afterwards (<see cref="LearnShared"/>): the residual from the interpolated baseline is
/// shared between the two neighbours in proportion to their interpolation weights (least-mean-squares on the
/// piecewise-linear curve), with memory 1/smoothing samples; variances are exponentially weighted (West's form).
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

    /// <summary>Moves <paramref name="slot"/> by <paramref name="weight"/> x <paramref name="residual"/> (residual from the interpolated baseline).</summary>
    public static void LearnShared(ref SlotStats slot, double residual, double weight)
    {
        slot.Mean += weight * residual;
        slot.Variance = (1 - weight) * (slot.Variance + (weight * residual * residual));
    }
}
