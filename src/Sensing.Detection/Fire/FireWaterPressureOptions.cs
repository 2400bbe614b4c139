using Sensing.Detection.Internal;

namespace Sensing.Detection.Fire;

/// <summary>
/// Fire hydrant and sprinkler main pressure sensors (<see cref="Core.Devices.DeviceKind.FireWaterPressure"/>): static
/// pressure below the code minimum for the building class (GB 50974-2014 5.2.2) for longer than an on-delay. A
/// building's sensors make one alert with the building as source (the district when a sensor has no building). A
/// sensor's own <c>minimum_mpa</c> registry parameter sets its building class's minimum.
/// </summary>
public sealed record FireWaterPressureOptions
{
    /// <summary>The defaults described on each property.</summary>
    public static FireWaterPressureOptions Default { get; } = new();

    /// <summary>Static pressure below this is low, MPa. Default 0.10.</summary>
    // GB 50974-2014 5.2.2: the static pressure at the most unfavourable point is at least 0.10 MPa for class-1 high-rise
    // public buildings (0.15 MPa above 100 m), 0.07 MPa for high-rise residential, class-2 high-rise and multi-storey
    // public buildings, 0.10 MPa for industrial buildings, and never below 0.10 MPa for sprinkler systems.
    public double MinimumMpa { get; init; } = 0.10;

    /// <summary>A low sensor stops counting as low at the minimum plus this, MPa. Default 0.02.</summary>
    // ISA-18.2 practice for pressure: 2 % of span, on a 1 MPa sensor.
    public double DeadbandMpa { get; init; } = 0.02;

    /// <summary>How long a sensor must read low before it counts. Default 5 min.</summary>
    // A fire pump starting, or a hydrant opened for a test, dips the main for a minute or two; a closed valve or an
    // empty tank stays low.
    public TimeSpan OnDelay { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How long it must read above the deadband before it stops counting as low. Default 1 min.</summary>
    public TimeSpan OffDelay { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first option that is out of range.</summary>
    public void Validate()
    {
        if (!(MinimumMpa > 0 && MinimumMpa < 10))
        {
            ThrowHelper.ThrowBadOption(nameof(MinimumMpa), $"must be above 0 and below 10 MPa, was {MinimumMpa}");
        }

        if (!(DeadbandMpa >= 0 && DeadbandMpa < 1))
        {
            ThrowHelper.ThrowBadOption(nameof(DeadbandMpa), $"must be 0 or more and below 1 MPa, was {DeadbandMpa}");
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
