using Sensing.Detection.Internal;

namespace Sensing.Detection.Water;

/// <summary>
/// Heavy rain on rain gauges (<see cref="Core.Devices.DeviceKind.RainGauge"/>): the rain of a rolling window
/// (<see cref="Core.Telemetry.Metric.Rain"/> is mm since the previous report), kept in a fixed ring of time buckets.
/// </summary>
public sealed record HeavyRainOptions
{
    /// <summary>The defaults described on each property.</summary>
    public static HeavyRainOptions Default { get; } = new();

    /// <summary>Rain in <see cref="Window"/> at or above this raises the alert, mm. Default 50.</summary>
    // China Meteorological Administration rain classes: 50 mm or more in 24 h is a rainstorm (heavy rain, DOMAIN.md).
    public double ThresholdMm { get; init; } = 50;

    /// <summary>The rolling window summed. Default 24 h.</summary>
    public TimeSpan Window { get; init; } = TimeSpan.FromHours(24);

    /// <summary>Width of one ring bucket; the window must be a whole number of buckets (at most 1,440). Default 15 min.</summary>
    // 96 buckets of 15 min: the window's edge is exact to 15 min, 768 bytes per gauge.
    public TimeSpan Bucket { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>The alert clears once the window's rain is below the threshold minus this, mm. Default 2.5.</summary>
    // DOMAIN.md deadband for levels: 5 % (of the 50 mm threshold).
    public double DeadbandMm { get; init; } = 2.5;

    /// <summary>How long the window's rain must stay below the deadband before the alert clears. Default 60 s.</summary>
    // DOMAIN.md: level deadband 5 % / 60 s.
    public TimeSpan OffDelay { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first option that is out of range.</summary>
    public void Validate()
    {
        OptionChecks.Positive(nameof(ThresholdMm), ThresholdMm, "mm");
        OptionChecks.Positive(nameof(Window), Window);
        OptionChecks.Positive(nameof(Bucket), Bucket);
        if (Window.Ticks % Bucket.Ticks != 0 || Window.Ticks / Bucket.Ticks > MaxBuckets)
        {
            ThrowHelper.ThrowBadOption(nameof(Bucket), $"must divide {nameof(Window)} ({Window}) into at most {MaxBuckets} whole buckets, was {Bucket}");
        }

        if (Bucket.Ticks % TimeSpan.TicksPerMillisecond != 0)
        {
            ThrowHelper.ThrowBadOption(nameof(Bucket), $"must be whole milliseconds, was {Bucket}");
        }

        OptionChecks.NonNegative(nameof(DeadbandMm), DeadbandMm, "mm");
        OptionChecks.Below(nameof(DeadbandMm), DeadbandMm, ThresholdMm, nameof(ThresholdMm));
        OptionChecks.NonNegative(nameof(OffDelay), OffDelay);
    }

    // One-minute buckets over a day: finer than any gauge reports (5-60 min, DOMAIN.md).
    internal const int MaxBuckets = 1_440;
}
