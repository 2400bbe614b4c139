using Sensing.Detection.Internal;

namespace Sensing.Detection;

/// <summary>
/// Alert lifecycle rules shared by every detector: chattering suppression (EEMUA 191; ISA-18.2 calls it a
/// chattering alarm). A (source, condition) raised <see cref="ChatterRaises"/> times within
/// <see cref="ChatterWindow"/> is chattering: that raise is replaced by one <c>alerts.chattering</c> alert, and
/// further raises of it are tracked but not published until <see cref="ChatterHoldOff"/> has passed.
/// </summary>
public sealed record AlertLifecycleOptions
{
    /// <summary>The defaults described on each property.</summary>
    public static AlertLifecycleOptions Default { get; } = new();

    /// <summary>Raises within <see cref="ChatterWindow"/> that make a source chattering, 2-4. Default 3.</summary>
    // DOMAIN.md / EEMUA 191: ">= 3 raises in 1 min" is chattering.
    public int ChatterRaises { get; init; } = 3;

    /// <summary>The sliding window the raises are counted in (event time). Default 1 minute.</summary>
    public TimeSpan ChatterWindow { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>How long raises stay suppressed once a source chatters (event time). Default 10 minutes.</summary>
    // An operator should see < 10 alerts per 10 minutes in steady state (DOMAIN.md): one chattering alert per
    // 10 minutes per source keeps a chattering source inside that budget.
    public TimeSpan ChatterHoldOff { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first option that is out of range.</summary>
    public void Validate()
    {
        if (ChatterRaises is < 2 or > 4)
        {
            ThrowHelper.ThrowBadOption(nameof(ChatterRaises), $"must be 2-4, was {ChatterRaises}");
        }

        if (ChatterWindow <= TimeSpan.Zero)
        {
            ThrowHelper.ThrowBadOption(nameof(ChatterWindow), $"must be positive, was {ChatterWindow}");
        }

        if (ChatterHoldOff <= TimeSpan.Zero)
        {
            ThrowHelper.ThrowBadOption(nameof(ChatterHoldOff), $"must be positive, was {ChatterHoldOff}");
        }
    }

    internal ChatterRule ToRule() =>
        new(ChatterRaises, (long)ChatterWindow.TotalMilliseconds, (long)ChatterHoldOff.TotalMilliseconds);
}
