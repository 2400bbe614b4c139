using Sensing.Detection.Internal;

namespace Sensing.Detection.Water;

/// <summary>
/// Insufficient service pressure on water-network pressure sensors (<see cref="Core.Devices.DeviceKind.WaterPressure"/>,
/// <see cref="Core.Telemetry.Metric.Pressure"/> in MPa), and the rule that groups a district's low sensors into one
/// district alert.
/// </summary>
public sealed record LowPressureOptions
{
    /// <summary>The defaults described on each property.</summary>
    public static LowPressureOptions Default { get; } = new();

    /// <summary>Service pressure below this is low, MPa. Default 0.14.</summary>
    // CJ/T 316 (city water supply service), citing CJJ 58: service pressure at the network's far ends >= 0.14 MPa.
    public double MinimumMpa { get; init; } = 0.14;

    /// <summary>Measuring span of the pressure sensors, MPa; the deadband is a percentage of it. Default 1.0.</summary>
    // 0-1.0 MPa is the usual range of distribution-network pressure transmitters (city networks run at 0.2-0.6 MPa).
    public double SpanMpa { get; init; } = 1.0;

    /// <summary>Deadband on clearing, percent of <see cref="SpanMpa"/>. Default 2 (0.02 MPa: clears at 0.16 MPa).</summary>
    // ISA-18.2 / EEMUA 191 deadband per limit; DOMAIN.md gives 2 % of span for pressure.
    public double DeadbandPercentOfSpan { get; init; } = 2;

    /// <summary>How long, in event time, a sensor must stay below <see cref="MinimumMpa"/> before it counts as low. Default 5 min.</summary>
    // CJ/T 316: "insufficient" means below the limit for longer than an on-delay. Sensors report every 1-15 min
    // (DOMAIN.md), so 5 min needs at least two low readings in a row: a single dip never raises.
    public TimeSpan OnDelay { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How long a sensor must stay above the limit plus the deadband before it stops counting as low. Default 15 s.</summary>
    // DOMAIN.md: pressure deadband 2 % of span / 15 s.
    public TimeSpan OffDelay { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// When at least this many sensors of one district are low at the same time, they make one district alert
    /// (source = the district, <c>Devices</c> = the low sensors) instead of device alerts. Default 2.
    /// </summary>
    // DOMAIN.md alarm management: a district losing pressure is one district alert with many devices, not a storm.
    // Two sensors low together is already more than one sensor's fault; a lone sensor stays a device alert.
    public int DistrictMinSensors { get; init; } = 2;

    /// <summary>
    /// While a district alert is active and more sensors go low, its device list is republished (an Updated event)
    /// at most once per this interval. Default 1 min.
    /// </summary>
    // Bounds the events of a district losing pressure sensor by sensor to one a minute (EEMUA 191: operator load).
    public TimeSpan DistrictUpdateInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first option that is out of range.</summary>
    public void Validate()
    {
        OptionChecks.Positive(nameof(MinimumMpa), MinimumMpa, "MPa");
        OptionChecks.Positive(nameof(SpanMpa), SpanMpa, "MPa");
        OptionChecks.Below(nameof(MinimumMpa), MinimumMpa, SpanMpa, nameof(SpanMpa));
        OptionChecks.NonNegative(nameof(DeadbandPercentOfSpan), DeadbandPercentOfSpan, "%");
        OptionChecks.Below(nameof(DeadbandPercentOfSpan), DeadbandPercentOfSpan, 100, "100 %");
        OptionChecks.NonNegative(nameof(OnDelay), OnDelay);
        OptionChecks.NonNegative(nameof(OffDelay), OffDelay);
        OptionChecks.AtLeast(nameof(DistrictMinSensors), DistrictMinSensors, 2);
        OptionChecks.NonNegative(nameof(DistrictUpdateInterval), DistrictUpdateInterval);
    }
}
