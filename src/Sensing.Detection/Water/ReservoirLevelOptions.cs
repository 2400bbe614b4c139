using Sensing.Detection.Internal;

namespace Sensing.Detection.Water;

/// <summary>
/// Reservoir level warning colours on <see cref="Core.Devices.DeviceKind.ReservoirLevel"/> gauges
/// (<see cref="Core.Telemetry.Metric.Level"/>, m). The levels come from each gauge's registry parameters
/// (<c>warning_m</c>, <c>flood_limit_m</c>, <c>guaranteed_m</c>, <c>historic_max_m</c>); how they map to colours is
/// described on <see cref="ReservoirLevelDetector"/>.
/// </summary>
public sealed record ReservoirLevelOptions
{
    /// <summary>The defaults described on each property.</summary>
    public static ReservoirLevelOptions Default { get; } = new();

    /// <summary>Blue ("near the warning level") starts this far below <c>warning_m</c>, m. Default 0.5.</summary>
    // Small reservoirs (dam height ~10-30 m) rise tens of centimetres an hour in a storm: 0.5 m gives one to a few
    // hours of notice before the warning level.
    public double BlueBandM { get; init; } = 0.5;

    /// <summary>Measuring span of the level gauges, m; the deadband is a percentage of it. Default 10.</summary>
    // Typical span of a small reservoir's level gauge.
    public double SpanM { get; init; } = 10;

    /// <summary>A colour is lowered only once the level is this percentage of <see cref="SpanM"/> below its threshold. Default 5.</summary>
    // DOMAIN.md: level deadband 5 % of span / 60 s.
    public double DeadbandPercentOfSpan { get; init; } = 5;

    /// <summary>How long the level must stay below a colour's threshold minus the deadband before the colour is lowered or cleared. Default 60 s.</summary>
    // DOMAIN.md: level deadband 5 % / 60 s.
    public TimeSpan OffDelay { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first option that is out of range.</summary>
    public void Validate()
    {
        OptionChecks.NonNegative(nameof(BlueBandM), BlueBandM, "m");
        OptionChecks.Positive(nameof(SpanM), SpanM, "m");
        OptionChecks.NonNegative(nameof(DeadbandPercentOfSpan), DeadbandPercentOfSpan, "%");
        OptionChecks.Below(nameof(DeadbandPercentOfSpan), DeadbandPercentOfSpan, 100, "100 %");
        OptionChecks.NonNegative(nameof(OffDelay), OffDelay);
    }
}
