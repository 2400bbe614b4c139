using Sensing.Detection.Internal;

namespace Sensing.Detection.Gas;

/// <summary>
/// Alarm limits for fixed methane detectors (<see cref="Core.Devices.DeviceKind.MethaneDetector"/>), in %LEL
/// (100 %LEL = 5 % vol methane). Defaults follow GB/T 50493-2019; sites with stricter rules (utility tunnels under
/// GB 50838: alarm at 20 %LEL) set their own values in a district's override (<see cref="DetectionOverrides"/>).
/// </summary>
public sealed record MethaneDetectorOptions
{
    /// <summary>The defaults described on each property.</summary>
    public static MethaneDetectorOptions Default { get; } = new();

    /// <summary>First-level alarm (severity High) at or above this concentration, %LEL. Default 25.</summary>
    // GB/T 50493-2019, alarm setting values: the first-level alarm for a combustible gas is set at <= 25 %LEL.
    public double Level1Lel { get; init; } = 25;

    /// <summary>Second-level alarm (severity Critical) at or above this concentration, %LEL. Default 50.</summary>
    // GB/T 50493-2019, alarm setting values: the second-level alarm is set at <= 50 %LEL.
    public double Level2Lel { get; init; } = 50;

    /// <summary>
    /// Hysteresis: an active alert clears only once the concentration is below <see cref="Level1Lel"/> minus this,
    /// %LEL. Default 5.
    /// </summary>
    // ISA-18.2 / EEMUA 191 deadband per limit (DOMAIN.md gives 5 % of span for levels); 5 %LEL is 5 % of the
    // detector's 0-100 %LEL span, so a reading hovering at the limit does not chatter.
    public double DeadbandLel { get; init; } = 5;

    /// <summary>
    /// How long, in event time, the concentration must stay at or above <see cref="Level1Lel"/> before the alert is
    /// raised. Default zero: a gas alarm is raised on the first reading at the limit.
    /// </summary>
    // ISA-18.2 on-delay is for nuisance alarms; a flammable-gas alarm is a safety alarm and must not wait.
    public TimeSpan OnDelay { get; init; } = TimeSpan.Zero;

    /// <summary>
    /// How long, in event time from the first reading below the deadband, the concentration must stay below it before
    /// the alert clears. Default 30 s.
    /// </summary>
    // ISA-18.2 off-delay. Detectors report every 10-60 s (DOMAIN.md), so 30 s needs at least one confirming
    // reading after the first low one before the alert clears.
    public TimeSpan OffDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first option that is out of range.</summary>
    public void Validate()
    {
        // Negated comparisons so NaN fails every check.
        if (!(Level1Lel > 0 && Level1Lel <= 100))
        {
            ThrowHelper.ThrowBadOption(nameof(Level1Lel), $"must be in (0, 100] %LEL, was {Level1Lel}");
        }

        if (!(Level2Lel > Level1Lel && Level2Lel <= 100))
        {
            ThrowHelper.ThrowBadOption(nameof(Level2Lel), $"must be above {nameof(Level1Lel)} ({Level1Lel}) and at most 100 %LEL, was {Level2Lel}");
        }

        if (!(DeadbandLel >= 0 && DeadbandLel < Level1Lel))
        {
            ThrowHelper.ThrowBadOption(nameof(DeadbandLel), $"must be >= 0 and below {nameof(Level1Lel)} ({Level1Lel}), was {DeadbandLel}");
        }

        if (OnDelay < TimeSpan.Zero)
        {
            ThrowHelper.ThrowBadOption(nameof(OnDelay), $"must not be negative, was {OnDelay}");
        }

        if (OffDelay < TimeSpan.Zero)
        {
            ThrowHelper.ThrowBadOption(nameof(OffDelay), $"must not be negative, was {OffDelay}");
        }
    }
}
